namespace NgdKernel.Tests.Training;

/// <summary>
/// Surviving bad steps: non-finite inputs and targets are refused with row and column; poisoned
/// weights, overflowing updates and covariances that are not positive definite are rolled back,
/// retried with more damping and reported, or stop training with the layer and quantity named and
/// the last good state intact.
/// </summary>
public sealed class StepGuardTests
{
    public static TheoryData<string> Optimizers => new("sgd", "ngd-cholesky", "ngd-sherman-morrison", "exact");

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Step_NonFiniteInput_ReportsRowAndColumnAndChangesNothing(string kind)
    {
        foreach ((bool inInputs, double bad) in new[] { (true, double.NaN), (true, double.PositiveInfinity), (false, double.NaN), (false, double.NegativeInfinity) })
        {
            IOptimizer<double> optimizer = Create(kind, out Network<double> network);
            (double[] x, double[] y) = Batch(8, network.InputSize, network.OutputSize, 1);
            optimizer.Step(new ReadOnlySpan2D<double>(x, 8, network.InputSize), new ReadOnlySpan2D<double>(y, 8, network.OutputSize));
            if (inInputs)
            {
                x[(5 * network.InputSize) + 2] = bad;
            }
            else
            {
                y[(3 * network.OutputSize) + 1] = bad;
            }

            byte[] before = Snapshot(network);
            long steps = optimizer.StepCount;
            var e = Assert.Throws<ArgumentException>(() => optimizer.Step(
                new ReadOnlySpan2D<double>(x, 8, network.InputSize), new ReadOnlySpan2D<double>(y, 8, network.OutputSize)));
            Assert.Equal(inInputs ? "inputs" : "targets", e.ParamName);
            Assert.Contains(inInputs ? "row 5, column 2" : "row 3, column 1", e.Message, StringComparison.Ordinal);
            Assert.Equal(before, Snapshot(network));
            Assert.Equal(steps, optimizer.StepCount);
        }
    }

    [Fact]
    public void Trainer_NonFiniteTarget_IsRefusedBeforeTheStep()
    {
        IOptimizer<double> optimizer = Create("ngd-cholesky", out Network<double> network);
        (double[] x, double[] y) = Batch(32, network.InputSize, network.OutputSize, 2);
        y[7] = double.NaN;
        var trainer = new Trainer<double>(optimizer, new TrainerOptions { BatchSize = 32, Shuffle = false });
        byte[] before = Snapshot(network);
        var e = Assert.Throws<ArgumentException>(() => trainer.RunEpoch(
            new ReadOnlySpan2D<double>(x, 32, network.InputSize), new ReadOnlySpan2D<double>(y, 32, network.OutputSize)));
        Assert.Equal("targets", e.ParamName);
        Assert.Equal(before, Snapshot(network));
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Guard_PoisonedWeights_StopsWithLayerAndQuantity(string kind)
    {
        IOptimizer<double> optimizer = Create(kind, out Network<double> network);
        var guard = new GuardedOptimizer<double>(optimizer);
        (double[] x, double[] y) = Batch(8, network.InputSize, network.OutputSize, 3);
        guard.Step(new ReadOnlySpan2D<double>(x, 8, network.InputSize), new ReadOnlySpan2D<double>(y, 8, network.OutputSize));
        network.Weights(network.LayerCount - 1)[1, 0] = double.NaN;
        byte[] before = Snapshot(network);
        var e = Assert.Throws<StepFailedException>(() => guard.Step(
            new ReadOnlySpan2D<double>(x, 8, network.InputSize), new ReadOnlySpan2D<double>(y, 8, network.OutputSize)));
        Assert.Equal(StepQuantity.Weights, e.Quantity);
        Assert.Equal(network.LayerCount - 1, e.Layer);
        Assert.Contains("[1, 0]", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(network));
        Assert.Equal(1, guard.StepCount);
    }

    [Fact]
    public void NaturalGradient_PoisonedWeightsWithoutGuard_RollsBackAndThrows()
    {
        var network = new Network<double>(new NetworkOptions { Widths = [4, 5, 3], HiddenActivation = Activation.Tanh, Bias = true });
        var ngd = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { InitialDamping = 0.5 });
        network.Weights(0)[2, 2] = double.NaN;
        (double[] x, double[] y) = Batch(8, 4, 3, 4);
        byte[] before = Snapshot(network);
        Assert.ThrowsAny<ArithmeticException>(() => ngd.Step(new ReadOnlySpan2D<double>(x, 8, 4), new ReadOnlySpan2D<double>(y, 8, 3)));
        Assert.Equal(before, Snapshot(network));
        Assert.Equal(0.5, ngd.Damping);
        Assert.Equal(0, ngd.StepCount);

        // An infinite weight in front of a tanh keeps the loss and the update finite (tanh(inf) = 1),
        // so the optimizer alone need not notice it (it scans no weights); the guard refuses the step.
        network.Weights(0)[2, 2] = double.PositiveInfinity;
        try
        {
            ngd.Step(new ReadOnlySpan2D<double>(x, 8, 4), new ReadOnlySpan2D<double>(y, 8, 3));
        }
        catch (ArithmeticException)
        {
        }

        var guard = new GuardedOptimizer<double>(ngd);
        var e = Assert.Throws<StepFailedException>(() => guard.Step(new ReadOnlySpan2D<double>(x, 8, 4), new ReadOnlySpan2D<double>(y, 8, 3)));
        Assert.Equal((StepQuantity.Weights, 0), (e.Quantity, e.Layer));
    }

    [Fact]
    public void Guard_CovarianceNotPositiveDefinite_RetriesWithMoreDampingAndReports()
    {
        // Every input row is (1, 1): Lambda = [[1, 1], [1, 1]] exactly, singular; with lambda = 1e-20
        // the float pivot 1 + sqrt(lambda) - 1 is exactly 0, so the damped Cholesky fails at layer 0
        // until the optimizer's own retries (x1.5 each) have raised lambda by about 10^5.5.
        var problem = new SingularProblem();
        var ngd = problem.Optimizer(SingularProblem.Options(maxRetries: 60) with { AdaptiveDamping = false });
        var guard = new GuardedOptimizer<float>(ngd);
        var reports = new List<StepRecoveredEventArgs>();
        guard.Recovered += (_, e) => reports.Add(e);
        StepResult result = guard.Step(problem.Inputs, problem.Targets);
        Assert.InRange(result.Retries, 20, 60);
        Assert.Single(reports);
        Assert.Equal(1, guard.RecoveredSteps);
        Assert.True(ngd.Damping > 1e-16);
        Assert.Null(problem.Network.FindNonFiniteWeight());
    }

    [Fact]
    public void Guard_CovarianceNotPositiveDefinite_StopsWithLayerAndKeepsState()
    {
        var problem = new SingularProblem();
        var ngd = problem.Optimizer(SingularProblem.Options(maxRetries: 3));
        var guard = new GuardedOptimizer<float>(ngd);
        byte[] before = Snapshot(problem.Network);
        var e = Assert.Throws<StepFailedException>(() => guard.Step(problem.Inputs, problem.Targets));
        Assert.Equal(StepQuantity.InputCovariance, e.Quantity);
        Assert.Equal(0, e.Layer);
        Assert.Contains("layer 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("input covariance", e.Message, StringComparison.Ordinal);
        Assert.Contains("pivot 1", e.Message, StringComparison.Ordinal);
        var cause = Assert.IsType<CurvatureFactorizationException>(e.InnerException);
        Assert.Equal((1, 0.0), (cause.PivotIndex, cause.PivotValue));
        Assert.Equal(before, Snapshot(problem.Network));
        Assert.Equal(1e-20, ngd.Damping);
        Assert.Equal(0, guard.StepCount);
    }

    [Theory]
    [InlineData(SampleSpacePolicy.Never)]
    [InlineData(SampleSpacePolicy.Always)]
    public void NaturalGradient_FactorizationFailure_IsTypedWithLayerSidePivotAndDamping(SampleSpacePolicy policy)
    {
        // The singular problem fails at pivot 1 of the input side in both spaces: Lambda = [[1, 1], [1, 1]]
        // in covariance space, and the Gram matrix X X^T = 2 (all entries) in sample space, whose
        // shift 4 sqrt(lambda) = 4e-10 is lost next to 2 in float.
        var problem = new SingularProblem();
        var ngd = problem.Optimizer(SingularProblem.Options(maxRetries: 3) with { SampleSpace = policy });
        byte[] before = Snapshot(problem.Network);
        var e = Assert.Throws<CurvatureFactorizationException>(() => ngd.Step(problem.Inputs, problem.Targets));

        double lastDamping = 1e-20;
        for (int retry = 0; retry < 3; retry++)
        {
            lastDamping = Math.Min(lastDamping * ngd.Options.DampingIncrease, ngd.Options.MaxDamping);
        }

        Assert.Equal(StepQuantity.InputCovariance, e.Quantity);
        Assert.Equal(0, e.Layer);
        if (policy == SampleSpacePolicy.Never)
        {
            Assert.Equal((1, 0.0), (e.PivotIndex, e.PivotValue));
            Assert.Contains("pivot 1 = 0", e.Message, StringComparison.Ordinal);
        }
        else
        {
            // Rounding in l[1,0]^2 decides whether pivot 1 or a later one of the rank-1 Gram matrix fails.
            Assert.InRange(e.PivotIndex, 1, 3);
            Assert.False(e.PivotValue > 0, $"pivot value {e.PivotValue}");
        }

        Assert.Equal(lastDamping, e.Damping);
        Assert.Equal(3, e.Retries);
        Assert.Equal(policy == SampleSpacePolicy.Always, e.SampleSpace);
        Assert.Contains("input covariance", e.Message, StringComparison.Ordinal);
        Assert.Contains("layer 0 is not positive definite", e.Message, StringComparison.Ordinal);
        Assert.Contains(policy == SampleSpacePolicy.Always ? "sample space" : "sqrt(lambda)", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(problem.Network));
        Assert.Equal(1e-20, ngd.Damping);
        Assert.Equal(0, ngd.StepCount);
    }

    [Fact]
    public void LayerCurvature_SingularErrorCovariance_ReportsTheOutputSide()
    {
        // Well-conditioned activations (Lambda = I / 2) but every error row (1, 1): LambdaT = [[1, 1], [1, 1]],
        // and the shift 1e-10 is lost next to 1 in float, so only the output side fails, at pivot 1.
        float[] inputs = [1, 0, 0, 1, 1, 0, 0, 1];
        float[] errors = [1, 1, 1, 1, 1, 1, 1, 1];
        float[] gradient = [1, 2, 3, 4];
        var curvature = new LayerCurvature<float>(2, 2, CurvatureInverse.Cholesky);
        using var context = new KernelContext(1);
        bool ok = curvature.CholeskyDirection(new ReadOnlySpan2D<float>(inputs, 4, 2), new ReadOnlySpan2D<float>(errors, 4, 2),
            new ReadOnlySpan2D<float>(gradient, 2, 2), 1e-10f, 1e-10f, SampleSpacePolicy.Never, context, out CholeskyFailure failure);
        Assert.False(ok);
        Assert.Equal(StepQuantity.ErrorCovariance, curvature.FailedSide);
        Assert.Equal(1, failure.PivotIndex);

        curvature = new LayerCurvature<float>(2, 2, CurvatureInverse.Cholesky);
        ok = curvature.CholeskyDirection(new ReadOnlySpan2D<float>(errors, 4, 2), new ReadOnlySpan2D<float>(inputs, 4, 2),
            new ReadOnlySpan2D<float>(gradient, 2, 2), 1e-10f, 1e-10f, SampleSpacePolicy.Never, context, out failure);
        Assert.False(ok);
        Assert.Equal(StepQuantity.InputCovariance, curvature.FailedSide);
        Assert.Equal(1, failure.PivotIndex);
    }

    [Fact]
    public void CurvatureFactorizationException_Message_NamesSideLayerPivotAndDamping()
    {
        var e = new CurvatureFactorizationException(StepQuantity.ErrorCovariance, 2, 5, -1.5e-3, 0.25, sampleSpace: false, retries: 4);
        Assert.Equal((StepQuantity.ErrorCovariance, 2, 5, -1.5e-3, 0.25, 4), (e.Quantity, e.Layer, e.PivotIndex, e.PivotValue, e.Damping, e.Retries));
        Assert.Contains("error covariance LambdaT (of the sampled errors), shifted by sqrt(lambda), of layer 2 is not positive definite", e.Message, StringComparison.Ordinal);
        Assert.Contains("pivot 5 = -0.0015", e.Message, StringComparison.Ordinal);
        Assert.Contains("lambda = 0.25", e.Message, StringComparison.Ordinal);
        Assert.Contains("after 4 retries", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ArithmeticException>(e);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new CurvatureFactorizationException(StepQuantity.Update, 0, 0, 0, 1, false, 0));
        Assert.Equal("quantity", bad.ParamName);
    }

    [Theory]
    [InlineData(StepQuantity.ErrorCovariance, 2)]
    [InlineData(StepQuantity.Gradient, 1)]
    [InlineData(StepQuantity.Loss, -1)]
    public void Guard_ReadsTheOptimizersTypedFailure_NotItsMessage(StepQuantity quantity, int layer)
    {
        // The message says nothing the guard could parse: layer and quantity must come from the properties.
        var network = new Network<double>(new NetworkOptions { Widths = [2, 3, 3, 2] });
        var guard = new GuardedOptimizer<double>(new FailingOptimizer(network, new OptimizerStepException(quantity, layer, 0.5, 2, "no luck")));
        var e = Assert.Throws<StepFailedException>(() => guard.Step(new ReadOnlySpan2D<double>(new double[2], 1, 2), new ReadOnlySpan2D<double>(new double[2], 1, 2)));
        Assert.Equal((quantity, layer, 1L), (e.Quantity, e.Layer, e.Step));
        Assert.IsType<OptimizerStepException>(e.InnerException);
        Assert.EndsWith("no luck", e.Message, StringComparison.Ordinal);

        // An optimizer that throws a plain ArithmeticException gets no layer.
        guard = new GuardedOptimizer<double>(new FailingOptimizer(network, new ArithmeticException("of layer 1 is not positive definite")));
        e = Assert.Throws<StepFailedException>(() => guard.Step(new ReadOnlySpan2D<double>(new double[2], 1, 2), new ReadOnlySpan2D<double>(new double[2], 1, 2)));
        Assert.Equal((StepQuantity.Update, -1), (e.Quantity, e.Layer));
    }

    [Fact]
    public void Optimizers_NonFiniteLoss_AreTyped()
    {
        // Finite inputs, targets and weights whose outputs overflow: the loss, no layer.
        foreach (string kind in new[] { "sgd", "ngd-cholesky", "exact" })
        {
            IOptimizer<double> optimizer = Create(kind, out Network<double> network);
            network.Weights(0)[0, 0] = 1e300;
            network.Weights(1)[0, 0] = 1e300;
            (double[] x, double[] y) = Batch(8, network.InputSize, network.OutputSize, 9);
            var e = Assert.ThrowsAny<OptimizerStepException>(() => optimizer.Step(
                new ReadOnlySpan2D<double>(x, 8, network.InputSize), new ReadOnlySpan2D<double>(y, 8, network.OutputSize)));
            Assert.Equal((StepQuantity.Loss, -1), (e.Quantity, e.Layer));
            Assert.Contains("overflowed", e.Message, StringComparison.Ordinal);

            network.Weights(1)[2, 1] = double.NaN;
            e = Assert.ThrowsAny<OptimizerStepException>(() => optimizer.Step(
                new ReadOnlySpan2D<double>(x, 8, network.InputSize), new ReadOnlySpan2D<double>(y, 8, network.OutputSize)));
            Assert.Equal((StepQuantity.Weights, 1), (e.Quantity, e.Layer));
            Assert.Contains("[2, 1]", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Guard_OverflowingUpdate_RollsBackRaisesDampingAndRetries()
    {
        // alpha = 3e38 in float and small inputs (large inverse covariance): the first update overflows the weights to infinity although the
        // predicted decrease is finite; only the guard's weight check sees it.
        var network = new Network<float>(new NetworkOptions { Widths = [3, 4, 2], Seed = 4 });
        var ngd = new NaturalGradientOptimizer<float>(network, new NaturalGradientOptions
        {
            LearningRate = 3e38,
            InitialDamping = 1e-6,
            MinDamping = 1e-6,
            AdaptiveDamping = false,
            MaxRetries = 60,
        });
        var guard = new GuardedOptimizer<float>(ngd, new StepGuardOptions { MaxRetries = 40, DampingIncrease = 100 });
        var reports = new List<StepRecoveredEventArgs>();
        guard.Recovered += (_, e) => reports.Add(e);
        (float[] x, float[] y) = BatchF(16, 3, 2, 5, inputScale: 0.01f);
        StepResult result = guard.Step(new ReadOnlySpan2D<float>(x, 16, 3), new ReadOnlySpan2D<float>(y, 16, 2));
        Assert.True(result.Retries > 0, $"retries {result.Retries}, damping {ngd.Damping}");
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal(StepQuantity.Update, r.Quantity));
        Assert.True(ngd.Damping > 1e-6);
        Assert.Null(network.FindNonFiniteWeight());

        // With no retries allowed, the same step stops with the layer named and the weights as before.
        var again = new Network<float>(new NetworkOptions { Widths = [3, 4, 2], Seed = 4 });
        var strict = new GuardedOptimizer<float>(new NaturalGradientOptimizer<float>(again, ngd.Options with { MaxRetries = 0 }), new StepGuardOptions { MaxRetries = 0 });
        AssertStopsOnOverflowingUpdate(strict, x, y);
    }

    [Fact]
    public void Guard_SgdOverflow_RollsBackAndStops()
    {
        var network = new Network<float>(new NetworkOptions { Widths = [3, 4, 2], Seed = 6 });
        var guard = new GuardedOptimizer<float>(new SgdOptimizer<float>(network, new SgdOptions { LearningRate = 1e38 }));
        (float[] x, float[] y) = BatchF(16, 3, 2, 7);
        AssertStopsOnOverflowingUpdate(guard, x, y);
    }

    [Fact]
    public void NaturalGradient_Damping_StaysWithinBounds()
    {
        var network = new Network<double>(new NetworkOptions { Widths = [4, 6, 3], HiddenActivation = Activation.Tanh, Bias = true });
        var ngd = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            LearningRate = 1.9,
            InitialDamping = 1,
            MinDamping = 0.5,
            MaxDamping = 4,
        });
        var rng = new Xoshiro256(8);
        var x = new double[16 * 4];
        var y = new double[16 * 3];
        for (int s = 0; s < 300; s++)
        {
            rng.FillGaussian<double>(x, 0, 1);
            rng.FillGaussian<double>(y, 0, s % 50 < 25 ? 0.01 : 10); // alternate easy and hopeless batches
            StepResult result = ngd.Step(new ReadOnlySpan2D<double>(x, 16, 4), new ReadOnlySpan2D<double>(y, 16, 3));
            Assert.InRange(result.Damping, 0.5, 4);
            Assert.InRange(result.NextDamping, 0.5, 4);
        }

        ngd.Damping = 1e9;
        Assert.Equal(4, ngd.Damping);
        ngd.Damping = 1e-9;
        Assert.Equal(0.5, ngd.Damping);
        Assert.Throws<ArgumentOutOfRangeException>(() => ngd.Damping = double.NaN);
    }

    [Fact]
    public void Guard_Options_AreValidated()
    {
        var network = new Network<double>(new NetworkOptions { Widths = [2, 2] });
        var sgd = new SgdOptimizer<double>(network);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GuardedOptimizer<double>(sgd, new StepGuardOptions { MaxRetries = -1 }));
        Assert.Equal("MaxRetries", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new GuardedOptimizer<double>(sgd, new StepGuardOptions { DampingIncrease = 1 }));
        Assert.Equal("DampingIncrease", e.ParamName);
        Assert.Throws<ArgumentNullException>(() => new GuardedOptimizer<double>(null!));
    }

    /// <summary>
    /// The first guarded step on the batch <paramref name="x"/>, <paramref name="y"/> stops with an
    /// overflowing update in one of the two layers and leaves the weights and the step count as they were.
    /// </summary>
    private static void AssertStopsOnOverflowingUpdate(GuardedOptimizer<float> guard, float[] x, float[] y)
    {
        Network<float> network = guard.Network;
        int rows = x.Length / network.InputSize;
        byte[] before = Snapshot(network);
        var e = Assert.Throws<StepFailedException>(() => guard.Step(
            new ReadOnlySpan2D<float>(x, rows, network.InputSize), new ReadOnlySpan2D<float>(y, rows, network.OutputSize)));
        Assert.Equal(StepQuantity.Update, e.Quantity);
        Assert.InRange(e.Layer, 0, 1);
        Assert.Equal(before, Snapshot(network));
        Assert.Equal(0, guard.StepCount);
    }

    /// <summary>
    /// A 2 -> 2 linear layer and a batch of four input rows (1, 1): the input covariance
    /// Lambda = [[1, 1], [1, 1]] is exactly singular.
    /// </summary>
    private sealed class SingularProblem
    {
        private readonly float[] x = [1, 1, 1, 1, 1, 1, 1, 1];
        private readonly float[] y = [0.5f, -0.5f, 0.25f, 0.75f, -1, 1, 0, 0.5f];

        public Network<float> Network { get; } = new(new NetworkOptions { Widths = [2, 2], Seed = 3 });

        public ReadOnlySpan2D<float> Inputs => new(x, 4, 2);

        public ReadOnlySpan2D<float> Targets => new(y, 4, 2);

        /// <summary>Damping lambda = 1e-20, also its floor, raised by the optimizer's own retries only.</summary>
        public static NaturalGradientOptions Options(int maxRetries) => new()
        {
            InitialDamping = 1e-20,
            MinDamping = 1e-20,
            MaxRetries = maxRetries,
        };

        public NaturalGradientOptimizer<float> Optimizer(NaturalGradientOptions options) => new(Network, options);
    }

    private static IOptimizer<double> Create(string kind, out Network<double> network)
    {
        bool linear = kind == "exact";
        network = new Network<double>(new NetworkOptions
        {
            Widths = [4, 5, 3],
            HiddenActivation = linear ? Activation.Identity : Activation.Tanh,
            Bias = !linear,
            Seed = 17,
        });
        return kind switch
        {
            "sgd" => new SgdOptimizer<double>(network, new SgdOptions { LearningRate = 0.1, Momentum = 0.5 }),
            "ngd-cholesky" => new NaturalGradientOptimizer<double>(network),
            "ngd-sherman-morrison" => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison }),
            _ => new ExactNaturalGradientOptimizer<double>(network),
        };
    }

    private static (double[] X, double[] Y) Batch(int rows, int inputs, int outputs, ulong seed)
    {
        var rng = new Xoshiro256(seed);
        var x = new double[rows * inputs];
        var y = new double[rows * outputs];
        rng.FillGaussian<double>(x, 0, 1);
        rng.FillGaussian<double>(y, 0, 1);
        return (x, y);
    }

    private static (float[] X, float[] Y) BatchF(int rows, int inputs, int outputs, ulong seed, float inputScale = 3)
    {
        var rng = new Xoshiro256(seed);
        var x = new float[rows * inputs];
        var y = new float[rows * outputs];
        rng.FillGaussian<float>(x, 0, inputScale);
        rng.FillGaussian<float>(y, 0, 3);
        return (x, y);
    }

    /// <summary>An optimizer whose every step fails with <paramref name="failure"/>.</summary>
    private sealed class FailingOptimizer(Network<double> network, Exception failure) : IOptimizer<double>
    {
        public Network<double> Network { get; } = network;

        public long StepCount => 0;

        public StepResult Step(ReadOnlySpan2D<double> inputs, ReadOnlySpan2D<double> targets) => throw failure;

        public void Rollback() => throw new InvalidOperationException("There is no step to roll back.");
    }

    private static byte[] Snapshot<T>(Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var bytes = new List<byte>();
        for (int l = 0; l < network.LayerCount; l++)
        {
            bytes.AddRange(System.Runtime.InteropServices.MemoryMarshal.AsBytes(network.WeightMatrix(l).AsSpan()).ToArray());
        }

        return [.. bytes];
    }
}
