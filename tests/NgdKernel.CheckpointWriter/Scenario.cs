using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

namespace NgdKernel.CheckpointWriter;

/// <summary>
/// A deterministic training run: network, optimizer and a minibatch for every step index, so that a
/// run resumed from a checkpoint sees exactly the batches an uninterrupted run would.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class Scenario<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _inputs;
    private readonly T[] _targets;
    private readonly double[] _teacher;
    private readonly int _inputWidth;
    private readonly int _outputWidth;

    /// <summary>Builds scenario <paramref name="name"/> (see <see cref="Scenarios.Names"/>).</summary>
    public Scenario(string name)
    {
        Name = name;
        (NetworkOptions network, Func<Network<T>, IOptimizer<T>> optimizer, BatchSize) = name switch
        {
            "sgd-momentum" or "sgd-momentum-float" => (Small(), Create(new SgdOptions { LearningRate = 0.05, Momentum = 0.9 }), 16),
            "ngd-cholesky" or "ngd-cholesky-float" => (Small(), Create(Ngd with { Seed = 11 }), 8),
            "ngd-sherman-morrison" => (Small(), Create(Ngd with { Inverse = CurvatureInverse.ShermanMorrison, Window = 40, RefreshInterval = 3, Seed = 12 }), 16),

            // Refresh period 3, statistics every 2 steps, damping every 2: a checkpoint after 7
            // steps falls mid-period on all three counts.
            "ngd-amortized" => (Small(), Create(Ngd with
            {
                InverseUpdatePeriod = 3,
                CurvatureUpdatePeriod = 2,
                DampingAdaptationInterval = 2,
                CurvatureDecay = 0.8,
                Seed = 15,
            }), 8),
            "sgd-controls" => (Small(), Create(new SgdOptions
            {
                LearningRate = 0.05,
                Momentum = 0.9,
                WeightDecay = 0.01,
                Schedule = LearningRateSchedule.FromDelegate(static t => 1.0 / (1 + (0.1 * t))), // re-supplied on resume
                FrozenLayers = [1],
            }), 16),
            "ngd-controls" or "ngd-controls-float" => (Small(), Create(Ngd with
            {
                Momentum = 0.6,
                WeightDecay = 0.01,
                Schedule = LearningRateSchedule.Cosine(20, 0.1),
                FrozenLayers = [0],
                DampingForm = DampingForm.Factored,
                Seed = 14,
            }), 8),
            "exact" => (new NetworkOptions { Widths = [4, 4, 4], Seed = 5 },
                Create(new ExactNaturalGradientOptions { LearningRate = 0.1, Seed = 13 }), 16),
            "kill-loop" => (new NetworkOptions { Widths = [32, 128, 128, 32], HiddenActivation = Activation.Tanh, Bias = true, Seed = 3 },
                Create(new SgdOptions { LearningRate = 0.01, Momentum = 0.5 }), 8),
            _ => throw new ArgumentException($"Unknown scenario '{name}'; known: {string.Join(", ", Scenarios.Names)}.", nameof(name)),
        };

        Network = new Network<T>(network, KernelContext.Default);
        Optimizer = optimizer(Network);
        _inputWidth = Network.InputSize;
        _outputWidth = Network.OutputSize;
        _inputs = new T[BatchSize * _inputWidth];
        _targets = new T[BatchSize * _outputWidth];
        _teacher = new double[_inputWidth * _outputWidth];
        var rng = new Xoshiro256(7);
        rng.FillGaussian<double>(_teacher, 0, 1 / Math.Sqrt(_inputWidth));
    }

    /// <summary>The scenario's name.</summary>
    public string Name { get; }

    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; }

    /// <summary>The network trained.</summary>
    public Network<T> Network { get; }

    /// <summary>The optimizer (its <see cref="IOptimizer{T}.StepCount"/> selects the next batch).</summary>
    public IOptimizer<T> Optimizer { get; }

    /// <summary>Inputs of the batch last filled, <c>[batch, n_0]</c>.</summary>
    public ReadOnlySpan2D<T> Inputs => new(_inputs, BatchSize, _inputWidth);

    /// <summary>Targets of the batch last filled, <c>[batch, n_L]</c>.</summary>
    public ReadOnlySpan2D<T> Targets => new(_targets, BatchSize, _outputWidth);

    /// <summary>Takes <paramref name="steps"/> optimizer steps on the batches of the current step indices.</summary>
    public void Train(int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            FillBatch(Optimizer.StepCount);
            Optimizer.Step(Inputs, Targets);
        }
    }

    /// <summary>The batch of step <paramref name="step"/>: Gaussian inputs, <c>tanh(A x)</c> targets plus noise.</summary>
    public void FillBatch(long step)
    {
        var rng = new Xoshiro256(0x5EED_0000UL + (ulong)step);
        rng.FillGaussian<T>(_inputs, T.Zero, T.One);
        for (int r = 0; r < BatchSize; r++)
        {
            for (int j = 0; j < _outputWidth; j++)
            {
                double z = 0;
                for (int k = 0; k < _inputWidth; k++)
                {
                    z += _teacher[(j * _inputWidth) + k] * double.CreateTruncating(_inputs[(r * _inputWidth) + k]);
                }

                _targets[(r * _outputWidth) + j] = T.CreateTruncating(Math.Tanh(z) + (0.05 * ((rng.NextDouble() * 2) - 1)));
            }
        }
    }

    /// <summary>What every natural-gradient scenario shares: learning rate 0.5, initial damping 0.1.</summary>
    private static NaturalGradientOptions Ngd { get; } = new() { LearningRate = 0.5, InitialDamping = 0.1 };

    private static Func<Network<T>, IOptimizer<T>> Create(SgdOptions options) => n => new SgdOptimizer<T>(n, options);

    private static Func<Network<T>, IOptimizer<T>> Create(NaturalGradientOptions options) => n => new NaturalGradientOptimizer<T>(n, options);

    private static Func<Network<T>, IOptimizer<T>> Create(ExactNaturalGradientOptions options) =>
        n => new ExactNaturalGradientOptimizer<T>(n, options);

    private static NetworkOptions Small() => new()
    {
        Widths = [6, 10, 8, 3],
        HiddenActivation = Activation.Tanh,
        Bias = true,
        Seed = 2,
    };
}

/// <summary>Scenario names and a non-generic entry point.</summary>
public static class Scenarios
{
    /// <summary>Every scenario; names ending in "-float" run in single precision.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [
            "sgd-momentum", "sgd-momentum-float", "ngd-cholesky", "ngd-cholesky-float", "ngd-sherman-morrison", "ngd-amortized", "exact", "kill-loop",
            "sgd-controls", "ngd-controls", "ngd-controls-float",
        ];

    /// <summary>Whether scenario <paramref name="name"/> runs in float.</summary>
    public static bool IsFloat(string name) => name.EndsWith("-float", StringComparison.Ordinal);
}
