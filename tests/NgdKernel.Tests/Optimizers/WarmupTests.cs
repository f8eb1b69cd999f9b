using System.Runtime.InteropServices;
using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>
/// <see cref="OptimizerWarmup.Warmup{T}"/> is functional only here (its effect on latency is
/// measured by perf/coldstart.sh): it runs, leaves the optimizer and network bit-for-bit as they
/// were, and the steps after it allocate nothing.
/// </summary>
public sealed class WarmupTests
{
    public enum Kind
    {
        Sgd,
        NgdCholesky,
        NgdShermanMorrison,
        ExactSampled,
        GuardedNgd,
    }

    private static readonly NetworkOptions Options = new()
    {
        Widths = [12, 16, 6, 12],
        HiddenActivation = Activation.Tanh,
        Bias = true,
        OutputCovariance = OutputCovariance.Isotropic(0.5),
        Seed = 13,
    };

    private static IOptimizer<T> Create<T>(Kind kind, Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => kind switch
        {
            Kind.Sgd => new SgdOptimizer<T>(network, new SgdOptions { LearningRate = 0.01, Momentum = 0.9 }),
            Kind.NgdCholesky => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { SampleCount = 2 }),
            Kind.NgdShermanMorrison => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison, RefreshInterval = 3, Window = 30 }),
            Kind.ExactSampled => new ExactNaturalGradientOptimizer<T>(network, new ExactNaturalGradientOptions { LearningRate = 0.1, ErrorCovariance = CovarianceSource.Samples, SampleCount = 2 }),
            Kind.GuardedNgd => new GuardedOptimizer<T>(new NaturalGradientOptimizer<T>(network)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

    [Theory, Combinations]
    public void Warmup_LeavesStateBitIdenticalAndStepsAllocateNothing(Kind kind, Precision precision) =>
        precision.Run(() => AssertWarmupIsInvisible<float>(kind), () => AssertWarmupIsInvisible<double>(kind));

    /// <summary>
    /// Two twins step alike; one is warmed up in the middle. Any state the warm-up touched (weights,
    /// damping, moving averages, the sampler's random stream, the step count) would make the
    /// twins' later steps differ.
    /// </summary>
    private static void AssertWarmupIsInvisible<T>(Kind kind)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[,] x = Convert<T>(Gaussian(10, 12, 1, 0.3));
        T[,] y = Convert<T>(Gaussian(10, 12, 2, 0.3));
        IOptimizer<T> warmed = Create(kind, new Network<T>(Options));
        IOptimizer<T> twin = Create(kind, new Network<T>(Options));
        var results = new List<StepResult>[] { [], [] };
        void StepBoth(int count)
        {
            for (int i = 0; i < count; i++)
            {
                results[0].Add(warmed.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y)));
                results[1].Add(twin.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y)));
            }
        }

        StepBoth(3);
        T[][] before = Weights(warmed.Network);

        int steps = warmed.Warmup(batchSize: x.GetLength(0), maxDuration: TimeSpan.FromMilliseconds(200));

        Assert.True(steps >= 16, $"warm-up took {steps} steps");
        Assert.Equal(3, warmed.StepCount);
        AssertBitIdentical(before, Weights(warmed.Network));

        long allocated = Allocations.Measure(() => warmed.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y)));
        Assert.Equal(0, allocated);
        twin.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y));
        StepBoth(4);

        AssertBitIdentical(Weights(twin.Network), Weights(warmed.Network));
        Assert.Equal(results[1].Select(r => (r.Loss, r.Damping, r.Rho)), results[0].Select(r => (r.Loss, r.Damping, r.Rho)));
    }

    [Fact]
    public void Warmup_RejectsBadArgumentsNamingThem()
    {
        var network = new Network<double>(Options);
        var sgd = new SgdOptimizer<double>(network, new SgdOptions { LearningRate = 0.01 });
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => sgd.Warmup(0)).ParamName);
        Assert.Equal("maxDuration", Assert.Throws<ArgumentOutOfRangeException>(() => sgd.Warmup(4, TimeSpan.FromSeconds(-1))).ParamName);
        ArgumentException unknown = Assert.Throws<ArgumentException>(() => new ForeignOptimizer(network).Warmup(4));
        Assert.Contains(nameof(ForeignOptimizer), unknown.Message, StringComparison.Ordinal);
    }

    private static T[][] Weights<T>(Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        [.. Enumerable.Range(0, network.LayerCount).Select(l => network.Weights(l).ToArray().Cast<T>().ToArray())];

    private static void AssertBitIdentical<T>(T[][] expected, T[][] actual)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int l = 0; l < expected.Length; l++)
        {
            Assert.True(MemoryMarshal.AsBytes(expected[l].AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual[l].AsSpan())), $"layer {l} differs");
        }
    }

    /// <summary>An optimizer the warm-up cannot copy.</summary>
    private sealed class ForeignOptimizer(Network<double> network) : IOptimizer<double>
    {
        public Network<double> Network { get; } = network;

        public long StepCount => 0;

        public StepResult Step(ReadOnlySpan2D<double> inputs, ReadOnlySpan2D<double> targets) => default;

        public void Rollback()
        {
        }
    }
}
