using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>
/// Memory guards: buffers sized by what a step needs, a public estimate that matches what is allocated,
/// and a limit that fails before allocating with the user's setting named. Limits are small, so the tests
/// allocate little.
/// </summary>
public sealed class MemoryLimitTests(ITestOutputHelper output)
{
    private static Network<double> Wide(int[] widths, bool bias = true) => new(new NetworkOptions
    {
        Widths = widths,
        HiddenActivation = Activation.Tanh,
        Bias = bias,
        OutputCovariance = OutputCovariance.Isotropic(0.5),
        Seed = 3,
    });

    private static (double[,] X, double[,] Y) Batch(Network<double> network, int rows) =>
        (Gaussian(rows, network.InputSize, 1, 0.3), Gaussian(rows, network.OutputSize, 2, 0.3));

    /// <summary>
    /// At a batch far smaller than the layers, Auto solves both sides in sample space: the optimizer and
    /// its first step allocate the estimate (within object overheads), not the n x n covariances and
    /// factors that the covariance-space form would add.
    /// </summary>
    [Theory]
    [InlineData(SampleSpacePolicy.Auto, 8)]
    [InlineData(SampleSpacePolicy.Never, 8)]
    [InlineData(SampleSpacePolicy.Always, 40)]
    public void NaturalGradient_MemoryLimit_FirstStepAllocatesTheEstimate(SampleSpacePolicy policy, int rows)
    {
        int[] widths = [300, 200, 300];
        var options = new NaturalGradientOptions { SampleSpace = policy, SampleCount = 2 };
        (double[,] x, double[,] y) = Batch(Wide(widths), rows);
        void ConstructAndStep()
        {
            var optimizer = new NaturalGradientOptimizer<double>(Wide(widths), options);
            optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        }

        ConstructAndStep(); // JIT, type loading and the kernels' per-thread packing buffers
        Network<double> network = Wide(widths);
        MemoryEstimate estimate = NaturalGradientOptimizer<double>.EstimateMemory(network, rows, options);
        output.WriteLine(estimate.ToString());
        long allocated = Allocations.Measure(() =>
        {
            var optimizer = new NaturalGradientOptimizer<double>(network, options);
            optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        });

        output.WriteLine($"allocated {allocated} bytes, estimate {estimate.TotalBytes}");
        bool covarianceSpace = policy == SampleSpacePolicy.Never;
        Assert.Equal(covarianceSpace, estimate.Items.Any(i => i.Buffer.Contains("covariance and its factor", StringComparison.Ordinal)));
        Assert.Equal(!covarianceSpace, estimate.Items.Any(i => i.Buffer.Contains("Gram", StringComparison.Ordinal)));
        // Overheads: object headers, the arrays of matrices, the step's result; a few KB per layer.
        Assert.InRange(allocated, estimate.TotalBytes, estimate.TotalBytes + 32_768);
        if (!covarianceSpace)
        {
            long never = NaturalGradientOptimizer<double>.EstimateMemory(network, rows, options with { SampleSpace = SampleSpacePolicy.Never }).TotalBytes;
            Assert.True(allocated < never, $"sample space allocated {allocated} bytes, covariance space would need {never}");
        }
    }

    /// <summary>The constructor refuses a network whose weight-shaped buffers exceed the limit, naming the widths.</summary>
    [Fact]
    public void NaturalGradient_MemoryLimit_ConstructorFailsBeforeAllocating()
    {
        Network<double> network = Wide([300, 200, 300]);
        MemoryEstimate fixedPart = NaturalGradientOptimizer<double>.EstimateMemory(network, 0);
        var options = new NaturalGradientOptions { MemoryLimit = fixedPart.TotalBytes - 1 };
        MemoryLimitException? e = null;
        long allocated = Allocations.Measure(() =>
            e = Assert.Throws<MemoryLimitException>(() => new NaturalGradientOptimizer<double>(network, options)));
        output.WriteLine(e!.Message);
        Assert.Equal("network", e.ParamName);
        Assert.Contains("NaturalGradientOptions.MemoryLimit", e.Message, StringComparison.Ordinal);
        Assert.Contains("the widths of layer", e.Message, StringComparison.Ordinal);
        Assert.Equal(fixedPart.TotalBytes, e.Estimate!.TotalBytes);
        Assert.True(allocated < fixedPart.TotalBytes / 4, $"{allocated} bytes allocated before failing");
        _ = new NaturalGradientOptimizer<double>(network, options with { MemoryLimit = fixedPart.TotalBytes });
    }

    /// <summary>
    /// A batch whose sampled-error Gram matrix exceeds the limit fails at its first step, before any state
    /// changes, naming K x batch; a smaller batch then trains, and both sizes are allocation-free afterwards.
    /// </summary>
    [Fact]
    public void NaturalGradient_MemoryLimit_StepFailsForOversizedBatchAndLeavesStateIntact()
    {
        Network<double> network = Wide([12, 16, 12]);
        var options = new NaturalGradientOptions { SampleSpace = SampleSpacePolicy.Always, SampleCount = 4 };
        long small = NaturalGradientOptimizer<double>.EstimateMemory(network, 10, options).TotalBytes;
        long large = NaturalGradientOptimizer<double>.EstimateMemory(network, 200, options).TotalBytes;
        Assert.True(large > 2 * small);
        var optimizer = new NaturalGradientOptimizer<double>(network, options with { MemoryLimit = small });
        double[] before = network.Weights(0).ToArray().Cast<double>().ToArray();
        (double[,] bx, double[,] by) = Batch(network, 200);
        var e = Assert.Throws<MemoryLimitException>(() => optimizer.Step(new ReadOnlySpan2D<double>(bx), new ReadOnlySpan2D<double>(by)));
        output.WriteLine(e.Message);
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("at batch size 200", e.Message, StringComparison.Ordinal);
        Assert.Contains("SampleCount 4 x 200 = 800 sampled errors", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, optimizer.StepCount);
        Assert.True(before.AsSpan().SequenceEqual(network.Weights(0).ToArray().Cast<double>().ToArray()));

        (double[,] x, double[,] y) = Batch(network, 10);
        (double[,] x7, double[,] y7) = Batch(network, 7);
        optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        optimizer.Step(new ReadOnlySpan2D<double>(x7), new ReadOnlySpan2D<double>(y7));
        long allocated = Allocations.Measure(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
                optimizer.Step(new ReadOnlySpan2D<double>(x7), new ReadOnlySpan2D<double>(y7));
            }
        });
        Assert.Equal(0, allocated);
        Assert.Equal(8, optimizer.StepCount);
    }

    /// <summary>
    /// Buffers beyond one .NET array: a 100,000-wide input in covariance space and K x M = 100,000 sampled
    /// errors in sample space are refused naming the width and K x batch, not an internal parameter;
    /// the same 100,000-wide input trains in sample space at a small batch.
    /// </summary>
    [Fact]
    public void NaturalGradient_MemoryLimit_BufferBeyondOneArrayNamesTheSetting()
    {
        Network<double> wide = Wide([100_000, 2], bias: false);
        (double[,] x, double[,] y) = Batch(wide, 4);
        var never = new NaturalGradientOptimizer<double>(wide, new NaturalGradientOptions { SampleSpace = SampleSpacePolicy.Never, MemoryLimit = long.MaxValue });
        var e = Assert.Throws<MemoryLimitException>(() => never.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y)));
        output.WriteLine(e.Message);
        Assert.Contains("the input width of layer 0, Widths[0] = 100000", e.Message, StringComparison.Ordinal);
        Assert.Contains("more than one .NET array holds", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'columns'", e.Message, StringComparison.Ordinal);

        var auto = new NaturalGradientOptimizer<double>(wide);
        StepResult r = auto.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        Assert.True(double.IsFinite(r.Loss) && auto.Curvature(0).InputInSampleSpace);

        Network<double> small = Wide([4, 3]);
        (double[,] bx, double[,] by) = Batch(small, 1000);
        var always = new NaturalGradientOptimizer<double>(small,
            new NaturalGradientOptions { SampleSpace = SampleSpacePolicy.Always, SampleCount = 100, MemoryLimit = long.MaxValue });
        e = Assert.Throws<MemoryLimitException>(() => always.Step(new ReadOnlySpan2D<double>(bx), new ReadOnlySpan2D<double>(by)));
        output.WriteLine(e.Message);
        Assert.Contains("SampleCount 100 x 1000 = 100000 sampled errors", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, always.StepCount);
    }

    /// <summary>SGD and the exact optimizer apply the same check with their own option named.</summary>
    [Fact]
    public void SgdAndExact_MemoryLimit_FailBeforeAllocatingNamingTheirOption()
    {
        Network<double> network = Wide([40, 30, 40], bias: false);
        long sgdFixed = SgdOptimizer<double>.EstimateMemory(network, 0, new SgdOptions { Momentum = 0.9 }).TotalBytes;
        Assert.Equal(3L * 8 * ((30 * 40) + (40 * 30)), sgdFixed);
        var e = Assert.Throws<MemoryLimitException>(() => new SgdOptimizer<double>(network, new SgdOptions { Momentum = 0.9, MemoryLimit = sgdFixed - 1 }));
        Assert.Contains("SgdOptions.MemoryLimit", e.Message, StringComparison.Ordinal);
        var sgd = new SgdOptimizer<double>(network, new SgdOptions { MemoryLimit = SgdOptimizer<double>.EstimateMemory(network, 5).TotalBytes });
        (double[,] x, double[,] y) = Batch(network, 6);
        e = Assert.Throws<MemoryLimitException>(() => sgd.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y)));
        Assert.Contains("batch size 6", e.Message, StringComparison.Ordinal);

        var linear = new Network<double>(new NetworkOptions { Widths = [40, 30, 40], Seed = 3 });
        long exactFixed = ExactNaturalGradientOptimizer<double>.EstimateMemory(linear, 0).TotalBytes;
        e = Assert.Throws<MemoryLimitException>(() => new ExactNaturalGradientOptimizer<double>(linear, new ExactNaturalGradientOptions { MemoryLimit = exactFixed - 1 }));
        output.WriteLine(e.Message);
        Assert.Contains("ExactNaturalGradientOptions.MemoryLimit", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NaturalGradientOptions { MemoryLimit = 0 }.Validate());
    }
}
