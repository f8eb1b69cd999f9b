using BenchmarkDotNet.Configs;

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
    public void SetupSgd() => Setup(StepMethod.Sgd);

    /// <summary>NGD with a fresh Cholesky per step.</summary>
    [GlobalSetup(Target = nameof(NgdCholesky))]
    public void SetupNgdCholesky() => Setup(StepMethod.NgdCholesky);

    /// <summary>NGD with Sherman-Morrison running inverses.</summary>
    [GlobalSetup(Target = nameof(NgdShermanMorrison))]
    public void SetupNgdShermanMorrison() => Setup(StepMethod.NgdShermanMorrison);

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

    private void Setup(StepMethod method)
    {
        Architecture architecture = Case.Network;
        context = BenchContext.Create(Case.Threads);
        (inputs, targets) = StepData.Create<T>(architecture, Case.Batch, context);
        optimizer = architecture.CreateOptimizer(method, new Network<T>(architecture.Options(seed: 1), context));
        optimizer.Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
    }
}
