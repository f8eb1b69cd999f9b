using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>Eq. 20 split between two threads on a two-thread context.</summary>
public sealed class LayerParallelTests
{
    private const int Rows = 256;

    private static NetworkOptions Options => new()
    {
        Widths = [200, 150, 120, 150, 200],
        HiddenActivation = Activation.Tanh,
        Bias = true,
        Seed = 21,
    };

    private static (double[,] Inputs, double[,] Targets) Batch(int seed) =>
        (Gaussian(Rows, 200, seed, 0.5), Gaussian(Rows, 200, seed + 1, 0.5));

    /// <summary>
    /// The split runs every layer's kernels single-threaded and the kernels' results do not depend on
    /// the thread count (KernelContext contract), so the directions equal those of a one-thread
    /// context bit for bit, in float and double.
    /// </summary>
    [Fact]
    public void Directions_TwoThreads_EqualOneThread()
    {
        AssertSameDirections<float>();
        AssertSameDirections<double>();
    }

    /// <summary>
    /// Two runs of 5 steps on two threads give bit-identical weights, and the split layer loop
    /// allocates nothing (measured on the directions alone: the kernels' own worker pool is outside
    /// this test).
    /// </summary>
    [Fact]
    public void Steps_TwoThreads_AreDeterministicAndAllocateNothing()
    {
        using var context = new KernelContext(2);
        (double[,] x, double[,] y) = Batch(3);
        float[,] inputs = Convert<float>(x), targets = Convert<float>(y);
        float[][] weights = new float[2][];
        for (int run = 0; run < 2; run++)
        {
            var network = new Network<float>(Options, context);
            var optimizer = new NaturalGradientOptimizer<float>(network, new NaturalGradientOptions { Seed = 9 });
            optimizer.Step(new ReadOnlySpan2D<float>(inputs), new ReadOnlySpan2D<float>(targets));
            Assert.True(optimizer.UsedLayerSplit);
            for (int step = 0; step < 4; step++)
            {
                optimizer.Step(new ReadOnlySpan2D<float>(inputs), new ReadOnlySpan2D<float>(targets));
            }

            int first = optimizer.RecomputeDirections(Rows); // JIT of the test-only entry point
            int second = 0;
            long allocated = Allocations.Measure(() => second = optimizer.RecomputeDirections(Rows));
            Assert.Equal((-1, -1, 0L), (first, second, allocated));
            Assert.True(optimizer.UsedLayerSplit);
            weights[run] = [.. Enumerable.Range(0, network.LayerCount).SelectMany(l => network.Weights(l).ToArray().Cast<float>())];
        }

        Assert.Equal(weights[0], weights[1]);
    }

    /// <summary>
    /// Whole steps on two threads (kernels, layer split, sampling blocks and element-wise rows on
    /// the worker pool) give the weights of one thread bit for bit, and after warm-up allocate
    /// nothing on the caller.
    /// </summary>
    [Fact]
    public void Steps_TwoThreads_EqualOneThreadAndAllocateNothing()
    {
        (double[,] x, double[,] y) = Batch(7);
        double[,] inputs = x, targets = y;
        var weights = new double[2][];
        for (int threads = 1; threads <= 2; threads++)
        {
            using var context = new KernelContext(threads);
            var network = new Network<double>(Options, context);
            var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { Seed = 2 });
            Assert.Equal(0, Allocations.OfSteps(optimizer, inputs, targets, warmupSteps: 3, measuredSteps: 3));
            Assert.Equal(threads == 2, optimizer.UsedLayerSplit);
            weights[threads - 1] = [.. Enumerable.Range(0, network.LayerCount).SelectMany(l => network.Weights(l).ToArray().Cast<double>())];
        }

        Assert.Equal(weights[0], weights[1]);
    }

    /// <summary>
    /// Sherman-Morrison steps (running covariances, rank-1 updates, a refresh every third step) split
    /// over two threads, each group with its own scratch, give the weights and running inverses of
    /// one thread bit for bit, and allocate nothing after warm-up.
    /// </summary>
    [Fact]
    public void ShermanMorrisonSteps_TwoThreads_EqualOneThreadAndAllocateNothing()
    {
        (double[,] x, double[,] y) = Batch(9);
        float[,] inputs = Convert<float>(x), targets = Convert<float>(y);
        var results = new float[2][];
        for (int threads = 1; threads <= 2; threads++)
        {
            using var context = new KernelContext(threads);
            var network = new Network<float>(Options, context);
            var optimizer = new NaturalGradientOptimizer<float>(network, new NaturalGradientOptions
            {
                Seed = 6,
                Inverse = CurvatureInverse.ShermanMorrison,
                RefreshInterval = 3,
                Window = 2000,
            });
            Assert.Equal(0, Allocations.OfSteps(optimizer, inputs, targets, warmupSteps: 3, measuredSteps: 4));
            Assert.Equal(threads == 2, optimizer.UsedLayerSplit);
            results[threads - 1] = [.. Enumerable.Range(0, network.LayerCount).SelectMany(l =>
                network.Weights(l).ToArray().Cast<float>()
                    .Concat(optimizer.Curvature(l).InputFactor.AsSpan().ToArray())
                    .Concat(optimizer.Curvature(l).ErrorFactor.AsSpan().ToArray()))];
        }

        Assert.Equal(results[0], results[1]);
    }

    private static void AssertSameDirections<T>()
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        (double[,] x, double[,] y) = Batch(5);
        T[,] inputs = Convert<T>(x), targets = Convert<T>(y);
        var directions = new T[2][][,];
        for (int threads = 1; threads <= 2; threads++)
        {
            using var context = new KernelContext(threads);
            var network = new Network<T>(Options, context);
            var optimizer = new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { Seed = 4 });
            optimizer.ComputeDirections(new ReadOnlySpan2D<T>(inputs), new ReadOnlySpan2D<T>(targets));
            Assert.Equal(threads == 2, optimizer.UsedLayerSplit);
            directions[threads - 1] = [.. Enumerable.Range(0, network.LayerCount).Select(l => optimizer.Direction(l).ToArray())];
        }

        for (int l = 0; l < directions[0].Length; l++)
        {
            Assert.Equal(directions[0][l], directions[1][l]);
        }
    }
}
