using System.Numerics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CommunityToolkit.HighPerformance;
using NgdKernel.Benchmarks.Harness;
using NgdKernel.Benchmarks.OpenBlas;
using NgdKernel.Kernels;

namespace NgdKernel.Benchmarks;

/// <summary>
/// Cholesky factor plus two-sided solve <c>G = A^-1 G A^-1</c> (A SPD n x n, G n x n), the NGD
/// update's inner work: <see cref="Cholesky"/> (Factor, SolveLeft, SolveRight) against
/// <c>LAPACKE_?potrf</c> + two <c>LAPACKE_?potrs</c> (see
/// <see cref="OpenBlasLibrary.CholeskySolveBothSides{T}"/>), OpenBLAS "env" and "auto" (baseline).
/// Every invocation first restores A and G from pristine copies (2 n^2 copies, on both sides).
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public unsafe class CholeskyBench<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private NativeBuffer<T>? pristineA;
    private NativeBuffer<T>? pristineG;
    private NativeBuffer<T>? a;
    private NativeBuffer<T>? g;
    private KernelContext? context;

    /// <summary>The order n.</summary>
    [ParamsSource(nameof(Shapes))]
    public CholeskyShape Shape { get; set; } = null!;

    /// <summary>See <see cref="CholeskyShape.All"/>.</summary>
    public static IEnumerable<CholeskyShape> Shapes() => CholeskyShape.All();

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

    /// <summary>NgdKernel: factor in place, then solve from the left and from the right, on the
    /// case's thread count.</summary>
    [Benchmark(Description = "NgdKernel")]
    public void Ours()
    {
        int n = Shape.N;
        Restore();
        var factor = new Span2D<T>(a!.Pointer, n, n, 0);
        var rhs = new Span2D<T>(g!.Pointer, n, n, 0);
        Cholesky.Factor(factor, T.Zero, context);
        Cholesky.SolveLeft<T>(factor, rhs, context);
        Cholesky.SolveRight<T>(factor, rhs, context);
    }

    /// <summary>LAPACKE on OpenBLAS with the machine's OPENBLAS_* settings.</summary>
    [Benchmark(Description = "OpenBLAS-env")]
    [BenchmarkCategory(BenchConfig.OpenBlasCategory)]
    public int OpenBlasEnvironment() => CallLapacke();

    /// <summary>LAPACKE on OpenBLAS choosing its own core: the bar.</summary>
    [Benchmark(Baseline = true, Description = "OpenBLAS-auto")]
    [BenchmarkCategory(BenchConfig.OpenBlasCategory)]
    public int OpenBlasAutomatic() => CallLapacke();

    /// <summary>Frees everything.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        pristineA?.Dispose();
        pristineG?.Dispose();
        a?.Dispose();
        g?.Dispose();
        context?.Dispose();
        pristineA = pristineG = a = g = null;
        context = null;
        GC.SuppressFinalize(this);
    }

    private int CallLapacke()
    {
        int n = Shape.N;
        Restore();
        int info = OpenBlasLibrary.CholeskyFactor(n, a!.Pointer);
        return info != 0 ? info : OpenBlasLibrary.CholeskySolveBothSides(n, a.Pointer, g!.Pointer);
    }

    private void Restore()
    {
        pristineA!.AsSpan().CopyTo(a!.AsSpan());
        pristineG!.AsSpan().CopyTo(g!.AsSpan());
    }

    private void Allocate()
    {
        int n = Shape.N;
        pristineA = new NativeBuffer<T>(n * n).FillSymmetricPositiveDefinite(n, 4);
        pristineG = new NativeBuffer<T>(n * n).FillUniform(5);
        a = new NativeBuffer<T>(n * n);
        g = new NativeBuffer<T>(n * n);
    }
}
