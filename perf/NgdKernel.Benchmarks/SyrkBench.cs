using System.Numerics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CommunityToolkit.HighPerformance;
using NgdKernel.Benchmarks.Harness;
using NgdKernel.Benchmarks.OpenBlas;
using NgdKernel.Kernels;

namespace NgdKernel.Benchmarks;

/// <summary>
/// The trainer's covariance <c>C = A^T A</c> over a batch (A [1000, n]): <see cref="Syrk.Multiply{T}"/>
/// (both triangles written) against <c>cblas_?syrk</c> (lower triangle only), OpenBLAS "env"
/// (inherited <c>OPENBLAS_CORETYPE</c>) and "auto" (unset; the baseline).
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public unsafe class SyrkBench<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private NativeBuffer<T>? a;
    private NativeBuffer<T>? c;
    private KernelContext? context;

    /// <summary>The shape.</summary>
    [ParamsSource(nameof(Shapes))]
    public SyrkShape Shape { get; set; } = null!;

    /// <summary>See <see cref="SyrkShape.All"/>.</summary>
    public static IEnumerable<SyrkShape> Shapes() => SyrkShape.All();

    /// <summary>Allocates operands and the kernel context.</summary>
    [GlobalSetup(Target = nameof(Ours))]
    public void SetupNgdKernel()
    {
        Allocate();
        context = BenchContext.Create(Shape.Threads);
    }

    /// <summary>Allocates operands; loads OpenBLAS with the inherited environment.</summary>
    [GlobalSetup(Target = nameof(OpenBlasEnvironment))]
    public void SetupOpenBlasEnvironment()
    {
        Allocate();
        Console.WriteLine($"// {OpenBlasLibrary.LoadOrThrow(OpenBlasCoreSelection.Environment, Shape.Threads)}");
    }

    /// <summary>Allocates operands; loads OpenBLAS with its own core detection.</summary>
    [GlobalSetup(Target = nameof(OpenBlasAutomatic))]
    public void SetupOpenBlasAutomatic()
    {
        Allocate();
        Console.WriteLine($"// {OpenBlasLibrary.LoadOrThrow(OpenBlasCoreSelection.Automatic, Shape.Threads)}");
    }

    /// <summary>NgdKernel's covariance.</summary>
    [Benchmark(Description = "NgdKernel")]
    public void Ours()
    {
        SyrkShape s = Shape;
        Syrk.Multiply(new ReadOnlySpan2D<T>(a!.Pointer, s.Rows, s.Columns, 0), MatrixOp.Transpose,
            T.One, T.Zero, new Span2D<T>(c!.Pointer, s.Columns, s.Columns, 0), context);
    }

    /// <summary>OpenBLAS with the machine's OPENBLAS_* settings.</summary>
    [Benchmark(Description = "OpenBLAS-env")]
    [BenchmarkCategory(BenchConfig.OpenBlasCategory)]
    public void OpenBlasEnvironment() => CallOpenBlas();

    /// <summary>OpenBLAS choosing its own core: the bar.</summary>
    [Benchmark(Baseline = true, Description = "OpenBLAS-auto")]
    [BenchmarkCategory(BenchConfig.OpenBlasCategory)]
    public void OpenBlasAutomatic() => CallOpenBlas();

    /// <summary>Frees everything.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        a?.Dispose();
        c?.Dispose();
        context?.Dispose();
        a = c = null;
        context = null;
        GC.SuppressFinalize(this);
    }

    private void CallOpenBlas()
    {
        SyrkShape s = Shape;
        OpenBlasLibrary.SyrkTransposed(s.Columns, s.Rows, a!.Pointer, s.Columns, c!.Pointer, s.Columns);
    }

    private void Allocate()
    {
        SyrkShape s = Shape;
        a = new NativeBuffer<T>(s.Rows * s.Columns).FillUniform(3);
        c = new NativeBuffer<T>(s.Columns * s.Columns);
    }
}
