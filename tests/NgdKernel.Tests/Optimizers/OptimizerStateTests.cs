using CommunityToolkit.HighPerformance;
using NgdKernel.Networks;
using NgdKernel.Optimizers;
using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

public sealed class OptimizerStateTests
{
    public enum Kind
    {
        SgdMomentum,
        NgdCholesky,
        NgdShermanMorrison,
        ExactSampled,
    }

    private static NetworkOptions Options => new()
    {
        Widths = [6, 8, 4, 6],
        HiddenActivation = Activation.Tanh,
        Bias = true,
        OutputCovariance = OutputCovariance.Isotropic(0.3),
        Seed = 17,
    };

    private static IOptimizer<double> Create(Kind kind, Network<double> network) => kind switch
    {
        Kind.SgdMomentum => new SgdOptimizer<double>(network, new SgdOptions { LearningRate = 0.05, Momentum = 0.8 }),
        Kind.NgdCholesky => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { SampleCount = 2, Seed = 4 }),
        Kind.NgdShermanMorrison => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison, Window = 30, RefreshInterval = 4, Seed = 4 }),
        Kind.ExactSampled => new ExactNaturalGradientOptimizer<double>(network, new ExactNaturalGradientOptions { ErrorCovariance = CovarianceSource.Samples, LearningRate = 0.2, Seed = 4 }),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static void Train(IOptimizer<double> optimizer, double[,] data, int from, int to)
    {
        for (int t = from; t < to; t++)
        {
            var batch = new ReadOnlySpan2D<double>(data).Slice((t % 5) * 12, 0, 12, 6);
            optimizer.Step(batch, batch);
        }
    }

    /// <summary>N steps, save weights and state, load both into fresh objects, M more steps: bit-identical to N + M.</summary>
    [Theory]
    [InlineData(Kind.SgdMomentum)]
    [InlineData(Kind.NgdCholesky)]
    [InlineData(Kind.NgdShermanMorrison)]
    [InlineData(Kind.ExactSampled)]
    public void Optimizer_SaveLoadState_ResumesBitIdentically(Kind kind)
    {
        double[,] data = Dense(60, 6);
        var straight = new Network<double>(Options);
        IOptimizer<double> straightOptimizer = Create(kind, straight);
        Train(straightOptimizer, data, 0, 15);

        var first = new Network<double>(Options);
        IOptimizer<double> firstOptimizer = Create(kind, first);
        Train(firstOptimizer, data, 0, 9);
        using var weights = new MemoryStream();
        using var state = new MemoryStream();
        first.Save(weights);
        firstOptimizer.SaveState(state);

        weights.Position = 0;
        state.Position = 0;
        Network<double> resumed = Network<double>.Load(weights);
        IOptimizer<double> resumedOptimizer = Create(kind, resumed);
        resumedOptimizer.LoadState(state);
        Assert.Equal(9, resumedOptimizer.StepCount);
        Train(resumedOptimizer, data, 9, 15);

        for (int l = 0; l < straight.LayerCount; l++)
        {
            Assert.True(straight.Weights(l).ToArray().Cast<double>().SequenceEqual(resumed.Weights(l).ToArray().Cast<double>()), $"layer {l}");
        }
    }

    [Fact]
    public void Optimizer_LoadState_RejectsOtherOptimizerAndTruncationWithoutChanges()
    {
        var network = new Network<double>(Options);
        IOptimizer<double> sm = Create(Kind.NgdShermanMorrison, network);
        double[,] data = Dense(60, 6);
        Train(sm, data, 0, 3);
        using var state = new MemoryStream();
        sm.SaveState(state);

        IOptimizer<double> cholesky = Create(Kind.NgdCholesky, new Network<double>(Options));
        state.Position = 0;
        Assert.Throws<InvalidDataException>(() => cholesky.LoadState(state));
        IOptimizer<double> sgd = Create(Kind.SgdMomentum, new Network<double>(Options));
        state.Position = 0;
        Assert.Throws<InvalidDataException>(() => sgd.LoadState(state));

        IOptimizer<double> fresh = Create(Kind.NgdShermanMorrison, new Network<double>(Options));
        using var truncated = new MemoryStream(state.ToArray()[..^5]);
        Assert.Throws<InvalidDataException>(() => fresh.LoadState(truncated));
        Assert.Equal(0, fresh.StepCount);
    }

    private static double[,] Dense(int rows, int columns) => Gaussian(rows, columns, 23, 0.5);
}
