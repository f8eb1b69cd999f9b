using BenchmarkDotNet.Configs;
using NgdKernel.Perf.OpenBlas;

namespace NgdKernel.Benchmarks.Harness;

/// <summary>
/// One kernel case (<see cref="IKernelCase"/>) timed on NgdKernel and on OpenBLAS under both core
/// selections: "env" inherits <c>OPENBLAS_CORETYPE</c>, "auto" unsets it (the faster on AVX-512
/// machines, so the baseline). BenchmarkDotNet runs each case in its own process, so each
/// OpenBLAS case loads the library under its own setting.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
/// <typeparam name="TShape">The case's parameters.</typeparam>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public abstract class KernelBench<T, TShape> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TShape : IKernelShape<TShape>
{
    private IKernelCase? kernelCase;
    private KernelContext? context;

    /// <summary>The case's parameters.</summary>
    [ParamsSource(nameof(Shapes))]
    public TShape Shape { get; set; } = default!;

    /// <summary>Every case of the shape type (an instance member: BenchmarkDotNet reads it from an
    /// instance of the closed generic type).</summary>
    public IEnumerable<TShape> Shapes() => TShape.All();

    /// <summary>Allocates operands and the kernel context.</summary>
    [GlobalSetup(Target = nameof(Ours))]
    public void SetupNgdKernel()
    {
        kernelCase = Shape.CreateCase<T>();
        context = BenchContext.Create(Shape.Threads);
    }

    /// <summary>Allocates operands; loads OpenBLAS with the inherited environment.</summary>
    [GlobalSetup(Target = nameof(OpenBlasEnvironment))]
    public void SetupOpenBlasEnvironment() => SetupOpenBlas(OpenBlasCoreSelection.Environment);

    /// <summary>Allocates operands; loads OpenBLAS with its own core detection.</summary>
    [GlobalSetup(Target = nameof(OpenBlasAutomatic))]
    public void SetupOpenBlasAutomatic() => SetupOpenBlas(OpenBlasCoreSelection.Automatic);

    /// <summary>NgdKernel on the case's thread count.</summary>
    [Benchmark(Description = "NgdKernel")]
    public void Ours() => kernelCase!.RunNgdKernel(context);

    /// <summary>OpenBLAS with the machine's OPENBLAS_* settings.</summary>
    [Benchmark(Description = "OpenBLAS-env")]
    [BenchmarkCategory(BenchConfig.OpenBlasCategory)]
    public int OpenBlasEnvironment() => kernelCase!.RunOpenBlas();

    /// <summary>OpenBLAS choosing its own core: the bar.</summary>
    [Benchmark(Baseline = true, Description = "OpenBLAS-auto")]
    [BenchmarkCategory(BenchConfig.OpenBlasCategory)]
    public int OpenBlasAutomatic() => kernelCase!.RunOpenBlas();

    /// <summary>Frees everything.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        kernelCase?.Dispose();
        context?.Dispose();
        kernelCase = null;
        context = null;
        GC.SuppressFinalize(this);
    }

    private void SetupOpenBlas(OpenBlasCoreSelection selection)
    {
        kernelCase = Shape.CreateCase<T>();
        Console.WriteLine($"// {OpenBlasLibrary.LoadOrThrow(selection, Shape.Threads)}");
    }
}
