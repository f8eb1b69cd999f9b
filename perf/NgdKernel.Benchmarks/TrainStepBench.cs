using System.Numerics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CommunityToolkit.HighPerformance;
using NgdKernel.Benchmarks.Harness;
using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

namespace NgdKernel.Benchmarks;

/// <summary>
/// One optimizer step on the paper's four architectures: SGD (the baseline, so Ratio is the
/// NGD / SGD step-time ratio at equal batch), damped NGD with Cholesky inverses (Eq. 20-21) and
/// with Sherman-Morrison running inverses (Sec. 7). Steps repeat on one fixed batch (the weights
/// keep training, which does not change a step's cost); the first step, which sizes the
/// workspaces, runs in setup, so Allocated shows the steady state.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class TrainStepBench<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private KernelContext? context;
    private IOptimizer<T>? optimizer;
    private Matrix<T>? inputs;
    private Matrix<T>? targets;

    /// <summary>Architecture, batch and threads.</summary>
    [ParamsSource(nameof(Cases))]
    public StepCase Case { get; set; } = null!;

    /// <summary>See <see cref="StepCase.All"/>.</summary>
    public static IEnumerable<StepCase> Cases() => StepCase.All();

    /// <summary>SGD optimizer.</summary>
    [GlobalSetup(Target = nameof(Sgd))]
    public void SetupSgd() => Setup(network => new SgdOptimizer<T>(network,
        new SgdOptions { LearningRate = Case.Network.SgdLearningRate }));

    /// <summary>NGD with a fresh Cholesky per step.</summary>
    [GlobalSetup(Target = nameof(NgdCholesky))]
    public void SetupNgdCholesky() => Setup(network => new NaturalGradientOptimizer<T>(network,
        new NaturalGradientOptions { InitialDamping = Case.Network.InitialDamping, Inverse = CurvatureInverse.Cholesky }));

    /// <summary>NGD with Sherman-Morrison running inverses.</summary>
    [GlobalSetup(Target = nameof(NgdShermanMorrison))]
    public void SetupNgdShermanMorrison() => Setup(network => new NaturalGradientOptimizer<T>(network,
        new NaturalGradientOptions { InitialDamping = Case.Network.InitialDamping, Inverse = CurvatureInverse.ShermanMorrison }));

    /// <summary>One SGD step.</summary>
    [Benchmark(Baseline = true)]
    public StepResult Sgd() => Step();

    /// <summary>One NGD step, Cholesky inverses.</summary>
    [Benchmark]
    public StepResult NgdCholesky() => Step();

    /// <summary>One NGD step, Sherman-Morrison inverses.</summary>
    [Benchmark]
    public StepResult NgdShermanMorrison() => Step();

    /// <summary>Frees the kernel context.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        context?.Dispose();
        context = null;
        GC.SuppressFinalize(this);
    }

    private StepResult Step() => optimizer!.Step(inputs!.ReadOnlySpan, targets!.ReadOnlySpan);

    private void Setup(Func<Network<T>, IOptimizer<T>> create)
    {
        Architecture architecture = Case.Network;
        context = BenchContext.Create(Case.Threads);
        (inputs, targets) = StepData.Create<T>(architecture, Case.Batch, context);
        optimizer = create(new Network<T>(architecture.Options(seed: 1), context));
        optimizer.Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
    }
}

/// <summary>Deterministic training data for a step benchmark.</summary>
public static class StepData
{
    /// <summary>
    /// Inputs N(0, 1) (MNIST: uniform [0, 1] pixels, with targets = inputs as in the autoencoder);
    /// otherwise targets from a teacher of the same architecture (seed 2), as in Fig. 1A-C.
    /// </summary>
    public static (Matrix<T> Inputs, Matrix<T> Targets) Create<T>(Architecture architecture, int batch, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var inputs = new Matrix<T>(batch, architecture.Widths[0]);
        var targets = new Matrix<T>(batch, architecture.Widths[^1]);
        var random = new Xoshiro256(3);
        if (architecture.Name == "mnist")
        {
            Span<T> values = inputs.AsSpan();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = T.CreateTruncating(random.NextDouble());
            }

            inputs.CopyTo(targets);
        }
        else
        {
            random.FillGaussian(inputs.AsSpan(), T.Zero, T.One);
            var teacher = new Network<T>(architecture.Options(seed: 2), context);
            NetworkWorkspace<T> workspace = teacher.CreateWorkspace(batch);
            ReadOnlySpan2D<T> output = teacher.Forward(inputs.ReadOnlySpan, workspace);
            output.CopyTo(targets.Span);
        }

        return (inputs, targets);
    }
}
