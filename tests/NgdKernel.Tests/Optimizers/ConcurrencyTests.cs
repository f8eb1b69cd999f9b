using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>
/// The concurrency contract: an optimizer is not thread-safe, and a call that overlaps another on the
/// same optimizer throws <see cref="InvalidOperationException"/> naming the type without touching state.
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    public enum Kind
    {
        Sgd,
        NgdCholesky,
        NgdShermanMorrison,
        Exact,
        GuardedNgd,
    }

    private static NetworkOptions NetworkOptions(Kind kind) => new()
    {
        Widths = [12, 16, 6, 12],
        HiddenActivation = kind is Kind.Exact ? Activation.Identity : Activation.Tanh,
        Bias = kind is not Kind.Exact,
        OutputCovariance = OutputCovariance.Isotropic(0.5),
        Seed = 13,
    };

    private static IOptimizer<double> Create(Kind kind, Network<double> network) => kind switch
    {
        Kind.Sgd => new SgdOptimizer<double>(network, new SgdOptions { LearningRate = 0.01, Momentum = 0.5 }),
        Kind.NgdCholesky => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { LearningRate = 0.3 }),
        Kind.NgdShermanMorrison => new NaturalGradientOptimizer<double>(network,
            new NaturalGradientOptions { LearningRate = 0.3, Inverse = CurvatureInverse.ShermanMorrison, RefreshInterval = 3, Window = 30 }),
        Kind.Exact => new ExactNaturalGradientOptimizer<double>(network,
            new ExactNaturalGradientOptions { LearningRate = 0.05, ErrorCovariance = CovarianceSource.Samples }),
        Kind.GuardedNgd => new GuardedOptimizer<double>(new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { LearningRate = 0.3 })),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string TypeNameOf(Kind kind) => kind switch
    {
        Kind.Sgd => "SgdOptimizer<Double>",
        Kind.Exact => "ExactNaturalGradientOptimizer<Double>",
        Kind.GuardedNgd => "GuardedOptimizer<Double>",
        _ => "NaturalGradientOptimizer<Double>",
    };

    /// <summary>
    /// Two threads step one optimizer on the same batch (bounded rounds). Every call completes or throws
    /// the concurrency exception; since every step sees the same batch, the weights after the race must be
    /// bit-identical to a fresh optimizer stepped sequentially as many times as calls completed, which
    /// fails if a refused call changed anything (weights, undo copy, generator, damping, step count).
    /// </summary>
    [Theory, Combinations]
    public void Step_ConcurrentCallsOnOneOptimizer_ThrowNamingTypeAndLeaveStateIntact(Kind kind)
    {
        double[,] x = Gaussian(10, 12, 1, 0.3);
        double[,] y = Gaussian(10, 12, 2, 0.3);
        var network = new Network<double>(NetworkOptions(kind));
        IOptimizer<double> optimizer = Create(kind, network);
        optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y)); // buffers and JIT before the race
        int completed = 1, refused = 0, rounds = 0;
        var unexpected = new List<Exception>();
        // Rounds long enough to span several scheduler time slices: on a loaded machine one thread may
        // otherwise finish a short round before the other is scheduled at all.
        const int StepsPerThread = 1000;
        while (refused == 0 && rounds < 50)
        {
            rounds++;
            using var start = new Barrier(2);
            void Hammer()
            {
                start.SignalAndWait();
                for (int i = 0; i < StepsPerThread; i++)
                {
                    try
                    {
                        optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
                        Interlocked.Increment(ref completed);
                    }
                    catch (InvalidOperationException e) when (e.Message.Contains(TypeNameOf(kind), StringComparison.Ordinal)
                        && e.Message.Contains("two threads", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref refused);
                    }
                    catch (Exception e)
                    {
                        lock (unexpected)
                        {
                            unexpected.Add(e);
                        }
                    }
                }
            }

            var other = new Thread(Hammer);
            other.Start();
            Hammer();
            other.Join();
        }

        output.WriteLine($"{kind}: {completed} steps completed, {refused} refused in {rounds} rounds");
        Assert.Empty(unexpected);
        Assert.True(refused > 0, $"no overlapping call in {rounds} rounds of 2 x {StepsPerThread} steps");
        Assert.Equal(completed, optimizer.StepCount);

        var reference = new Network<double>(NetworkOptions(kind));
        IOptimizer<double> sequential = Create(kind, reference);
        for (int i = 0; i < completed; i++)
        {
            sequential.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        }

        for (int l = 0; l < network.LayerCount; l++)
        {
            double[] raced = network.Weights(l).ToArray().Cast<double>().ToArray();
            Assert.All(raced, v => Assert.True(double.IsFinite(v)));
            Assert.True(raced.AsSpan().SequenceEqual(reference.Weights(l).ToArray().Cast<double>().ToArray()),
                $"layer {l}: the raced weights differ from {completed} sequential steps");
        }

        // The undo point is that of the last completed step: rolling back matches one step fewer.
        optimizer.Rollback();
        sequential.Rollback();
        Assert.True(network.Weights(0).ToArray().Cast<double>().SequenceEqual(reference.Weights(0).ToArray().Cast<double>()));
    }

    /// <summary>A call while another is inside is refused deterministically (an inner optimizer that blocks mid-step).</summary>
    [Fact]
    public void Rollback_ConcurrentWithStep_ThrowsAndDoesNotReachInner()
    {
        var network = new Network<double>(NetworkOptions(Kind.Sgd));
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var inner = new BlockingOptimizer(new SgdOptimizer<double>(network), inside, release);
        var guarded = new GuardedOptimizer<double>(inner);
        double[,] x = Gaussian(4, 12, 1, 0.3), y = Gaussian(4, 12, 2, 0.3);
        var stepper = new Thread(() => guarded.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y)));
        stepper.Start();
        Assert.True(inside.Wait(TimeSpan.FromSeconds(30)));
        var e = Assert.Throws<InvalidOperationException>(guarded.Rollback);
        Assert.Contains("GuardedOptimizer<Double>", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => guarded.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y)));
        Assert.Equal(0, inner.Rollbacks);
        release.Set();
        stepper.Join();
        Assert.Equal(1, guarded.StepCount);
        guarded.Rollback(); // free again once the step is over
        Assert.Equal(1, inner.Rollbacks);
    }

    private sealed class BlockingOptimizer(IOptimizer<double> inner, ManualResetEventSlim inside, ManualResetEventSlim release)
        : IOptimizer<double>
    {
        public Network<double> Network => inner.Network;

        public long StepCount => inner.StepCount;

        public int Rollbacks { get; private set; }

        public StepResult Step(ReadOnlySpan2D<double> inputs, ReadOnlySpan2D<double> targets)
        {
            StepResult result = inner.Step(inputs, targets);
            inside.Set();
            Assert.True(release.Wait(TimeSpan.FromSeconds(30)));
            return result;
        }

        public void Rollback()
        {
            Rollbacks++;
            inner.Rollback();
        }
    }
}
