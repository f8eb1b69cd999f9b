using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>Zero allocation after warm-up and bit-identical results for a fixed seed.</summary>
public sealed class AllocationAndDeterminismTests(ITestOutputHelper output)
{
    public enum Kind
    {
        Sgd,
        SgdMomentum,
        NgdCholesky,
        NgdSampleSpace,
        NgdShermanMorrison,
        NgdAmortized,
        NgdFullOutputCovariance,
        ExactModel,
        ExactSampled,
    }

    private static NetworkOptions Options(Kind kind) => new()
    {
        Widths = [12, 16, 6, 12],
        HiddenActivation = kind is Kind.ExactModel ? Activation.Identity : Activation.Tanh,
        Bias = kind is not Kind.ExactModel,
        OutputCovariance = kind is Kind.NgdFullOutputCovariance
            ? OutputCovariance.Full(new double[12, 12].Select2D((i, j) => i == j ? 1.0 : i + j == 11 ? 0.3 : 0))
            : OutputCovariance.Isotropic(0.5),
        Seed = 13,
    };

    private static IOptimizer<T> Create<T>(Kind kind, Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => kind switch
        {
            Kind.Sgd => new SgdOptimizer<T>(network, new SgdOptions { LearningRate = 0.01 }),
            Kind.SgdMomentum => new SgdOptimizer<T>(network, new SgdOptions { LearningRate = 0.01, Momentum = 0.9 }),
            Kind.NgdCholesky => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { SampleSpace = SampleSpacePolicy.Never, SampleCount = 2 }),
            Kind.NgdSampleSpace => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { SampleSpace = SampleSpacePolicy.Always }),
            Kind.NgdShermanMorrison => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison, RefreshInterval = 3, Window = 30 }),
            Kind.NgdAmortized => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { InverseUpdatePeriod = 3, CurvatureUpdatePeriod = 2, DampingAdaptationInterval = 2 }),
            Kind.NgdFullOutputCovariance => new NaturalGradientOptimizer<T>(network),
            Kind.ExactModel => new ExactNaturalGradientOptimizer<T>(network, new ExactNaturalGradientOptions { LearningRate = 0.1 }),
            Kind.ExactSampled => new ExactNaturalGradientOptimizer<T>(network, new ExactNaturalGradientOptions { LearningRate = 0.1, ErrorCovariance = CovarianceSource.Samples, SampleCount = 2 }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

    [Theory, Combinations]
    public void Step_AfterWarmUp_AllocatesNothing(Kind kind, Precision precision) =>
        precision.Run(() => AssertNoAllocation<float>(kind), () => AssertNoAllocation<double>(kind));

    private void AssertNoAllocation<T>(Kind kind)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        NetworkOptions options = Options(kind);
        var network = new Network<T>(options);
        IOptimizer<T> optimizer = Create(kind, network);
        T[,] x = Convert<T>(Gaussian(10, 12, 1, 0.3));
        T[,] y = Convert<T>(Gaussian(10, 12, 2, 0.3));
        long allocated = Allocations.OfSteps(optimizer, x, y, warmupSteps: 3, measuredSteps: 5);
        output.WriteLine($"{kind} {typeof(T).Name}: {allocated} bytes over 5 steps");
        Assert.Equal(0, allocated);
    }

    /// <summary>Same seed (weights, sampling, shuffling) and thread count: bit-identical weights after 50 steps.</summary>
    [Theory]
    [InlineData(Kind.Sgd)]
    [InlineData(Kind.NgdCholesky)]
    [InlineData(Kind.NgdShermanMorrison)]
    [InlineData(Kind.NgdAmortized)]
    [InlineData(Kind.ExactSampled)]
    [InlineData(Kind.NgdCholesky, 2)]
    public void Training_SameSeed_GivesBitIdenticalWeights(Kind kind, int threads = 1)
    {
        using var context = new KernelContext(threads);
        float[,] x = Convert<float>(Gaussian(100, 12, 5, 0.3));
        float[,] y = Convert<float>(Gaussian(100, 12, 6, 0.3));
        float[][] Run()
        {
            var network = new Network<float>(Options(kind), context);
            var trainer = new Trainer<float>(Create(kind, network), new TrainerOptions { BatchSize = 10, Seed = 9 });
            for (int epoch = 0; epoch < 5; epoch++)
            {
                trainer.RunEpoch(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(y));
            }

            Assert.Equal(50, trainer.Optimizer.StepCount);
            return [.. Enumerable.Range(0, network.LayerCount).Select(l => network.Weights(l).ToArray().Cast<float>().ToArray())];
        }

        float[][] a = Run(), b = Run();
        for (int l = 0; l < a.Length; l++)
        {
            Assert.True(a[l].AsSpan().SequenceEqual(b[l]), $"layer {l} differs");
            Assert.All(a[l], v => Assert.True(float.IsFinite(v)));
        }
    }
}

internal static class ArrayExtensions
{
    public static double[,] Select2D(this double[,] a, Func<int, int, double> value)
    {
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                a[i, j] = value(i, j);
            }
        }

        return a;
    }
}
