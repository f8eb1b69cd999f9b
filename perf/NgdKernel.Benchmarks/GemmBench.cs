using System.Numerics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CommunityToolkit.HighPerformance;
using NgdKernel.Benchmarks.Harness;
using NgdKernel.Benchmarks.OpenBlas;
using NgdKernel.Kernels;

namespace NgdKernel.Benchmarks;

/// <summary>
/// <c>C = op(A) op(B)</c> (alpha 1, beta 0): <see cref="Gemm.Multiply{T}"/> against
/// <c>cblas_?gemm</c> with the inherited <c>OPENBLAS_CORETYPE</c> ("env") and with it unset
/// ("auto", the faster on AVX-512 machines and so the baseline). Each case runs in its own
/// process, so each OpenBLAS case loads the library under its own setting.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public unsafe class GemmBench<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private NativeBuffer<T>? a;
    private NativeBuffer<T>? b;
    private NativeBuffer<T>? c;
    private KernelContext? context;

    /// <summary>The shape.</summary>
    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    /// <summary>See <see cref="GemmShape.All"/>.</summary>
    public static IEnumerable<GemmShape> Shapes() => GemmShape.All();

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

    /// <summary>NgdKernel's blocked GEMM.</summary>
    [Benchmark(Description = "NgdKernel")]
    public void Ours()
    {
        GemmShape s = Shape;
        Gemm.Multiply(
            new ReadOnlySpan2D<T>(a!.Pointer, s.RowsA, s.ColumnsA, 0), s.OpA,
            new ReadOnlySpan2D<T>(b!.Pointer, s.RowsB, s.ColumnsB, 0), s.OpB,
            T.One, T.Zero, new Span2D<T>(c!.Pointer, s.M, s.N, 0), context);
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
        b?.Dispose();
        c?.Dispose();
        context?.Dispose();
        a = b = c = null;
        context = null;
        GC.SuppressFinalize(this);
    }

    private void CallOpenBlas()
    {
        GemmShape s = Shape;
        OpenBlasLibrary.Gemm(s.OpA == MatrixOp.Transpose, s.OpB == MatrixOp.Transpose, s.M, s.N, s.K,
            a!.Pointer, s.ColumnsA, b!.Pointer, s.ColumnsB, c!.Pointer, s.N);
    }

    private void Allocate()
    {
        GemmShape s = Shape;
        a = new NativeBuffer<T>(s.RowsA * s.ColumnsA).FillUniform(1);
        b = new NativeBuffer<T>(s.RowsB * s.ColumnsB).FillUniform(2);
        c = new NativeBuffer<T>(s.M * s.N);
    }
}
