using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.Perf.OpenBlas;

namespace NgdKernel.Perf.Cases;

/// <summary>
/// One kernel case with its operands: the same call on NgdKernel and on OpenBLAS, on the same
/// 64-byte-aligned native buffers, so the BenchmarkDotNet suite and <c>ngd bench</c> time the
/// same work.
/// </summary>
public interface IKernelCase : IDisposable
{
    /// <summary>Runs NgdKernel's routine on <paramref name="context"/> (its thread count and path).</summary>
    void RunNgdKernel(KernelContext? context);

    /// <summary>Runs OpenBLAS's routine; loaded beforehand by <see cref="OpenBlasLibrary.Load"/>.
    /// Returns LAPACK's INFO where there is one, else 0.</summary>
    int RunOpenBlas();
}

/// <summary>A case's operand buffers, all freed by <see cref="Dispose"/>.</summary>
/// <typeparam name="T">float or double.</typeparam>
public abstract class KernelCase<T> : IKernelCase
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly List<NativeBuffer<T>> buffers = [];

    /// <inheritdoc/>
    public abstract void RunNgdKernel(KernelContext? context);

    /// <inheritdoc/>
    public abstract int RunOpenBlas();

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (NativeBuffer<T> buffer in buffers)
        {
            buffer.Dispose();
        }

        buffers.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>A zeroed buffer of <paramref name="length"/> elements, owned by this case.</summary>
    protected NativeBuffer<T> Buffer(int length)
    {
        var buffer = new NativeBuffer<T>(length);
        buffers.Add(buffer);
        return buffer;
    }
}

/// <summary><c>C = op(A) op(B)</c>, alpha 1, beta 0, against <c>cblas_?gemm</c>.</summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed unsafe class GemmCase<T> : KernelCase<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly GemmShape shape;
    private readonly NativeBuffer<T> a;
    private readonly NativeBuffer<T> b;
    private readonly NativeBuffer<T> c;

    /// <summary>Allocates A and B (uniform in [-1, 1), seeds 1 and 2) and C.</summary>
    public GemmCase(GemmShape shape)
    {
        this.shape = shape;
        a = Buffer(shape.RowsA * shape.ColumnsA).FillUniform(1);
        b = Buffer(shape.RowsB * shape.ColumnsB).FillUniform(2);
        c = Buffer(shape.M * shape.N);
    }

    /// <inheritdoc/>
    public override void RunNgdKernel(KernelContext? context)
    {
        GemmShape s = shape;
        Gemm.Multiply(
            new ReadOnlySpan2D<T>(a.Pointer, s.RowsA, s.ColumnsA, 0), s.OpA,
            new ReadOnlySpan2D<T>(b.Pointer, s.RowsB, s.ColumnsB, 0), s.OpB,
            T.One, T.Zero, new Span2D<T>(c.Pointer, s.M, s.N, 0), context);
    }

    /// <inheritdoc/>
    public override int RunOpenBlas()
    {
        GemmShape s = shape;
        OpenBlasLibrary.Gemm(s.OpA == MatrixOp.Transpose, s.OpB == MatrixOp.Transpose, s.M, s.N, s.K,
            a.Pointer, s.ColumnsA, b.Pointer, s.ColumnsB, c.Pointer, s.N);
        return 0;
    }
}

/// <summary>
/// The trainer's covariance <c>C = A^T A</c> over a batch: <c>Syrk.Multiply</c> (both
/// triangles written) against <c>cblas_?syrk</c> (lower triangle only).
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed unsafe class SyrkCase<T> : KernelCase<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly SyrkShape shape;
    private readonly NativeBuffer<T> a;
    private readonly NativeBuffer<T> c;

    /// <summary>Allocates A (uniform in [-1, 1), seed 3) and C.</summary>
    public SyrkCase(SyrkShape shape)
    {
        this.shape = shape;
        a = Buffer(shape.Rows * shape.Columns).FillUniform(3);
        c = Buffer(shape.Columns * shape.Columns);
    }

    /// <inheritdoc/>
    public override void RunNgdKernel(KernelContext? context)
    {
        SyrkShape s = shape;
        Syrk.Multiply(new ReadOnlySpan2D<T>(a.Pointer, s.Rows, s.Columns, 0), MatrixOp.Transpose,
            T.One, T.Zero, new Span2D<T>(c.Pointer, s.Columns, s.Columns, 0), context);
    }

    /// <inheritdoc/>
    public override int RunOpenBlas()
    {
        SyrkShape s = shape;
        OpenBlasLibrary.SyrkTransposed(s.Columns, s.Rows, a.Pointer, s.Columns, c.Pointer, s.Columns);
        return 0;
    }
}

/// <summary>
/// Cholesky factor plus two-sided solve <c>G = A^-1 G A^-1</c> (A SPD n x n, G n x n), the NGD
/// update's inner work: <see cref="Cholesky"/> (Factor, SolveLeft, SolveRight) against
/// <c>LAPACKE_?potrf</c> + two <c>LAPACKE_?potrs</c> (see
/// <see cref="OpenBlasLibrary.CholeskySolveBothSides{T}"/>). Every call first restores A and G
/// from pristine copies (2 n^2 copies, on both sides).
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed unsafe class CholeskyCase<T> : KernelCase<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly int n;
    private readonly NativeBuffer<T> pristineA;
    private readonly NativeBuffer<T> pristineG;
    private readonly NativeBuffer<T> a;
    private readonly NativeBuffer<T> g;

    /// <summary>Allocates a well-conditioned SPD A (seed 4), G uniform in [-1, 1) (seed 5) and the
    /// working copies.</summary>
    public CholeskyCase(CholeskyShape shape)
    {
        n = shape.N;
        pristineA = Buffer(n * n).FillSymmetricPositiveDefinite(n, 4);
        pristineG = Buffer(n * n).FillUniform(5);
        a = Buffer(n * n);
        g = Buffer(n * n);
    }

    /// <inheritdoc/>
    public override void RunNgdKernel(KernelContext? context)
    {
        Restore();
        var factor = new Span2D<T>(a.Pointer, n, n, 0);
        var rhs = new Span2D<T>(g.Pointer, n, n, 0);
        Cholesky.Factor(factor, T.Zero, context);
        Cholesky.SolveLeft<T>(factor, rhs, context);
        Cholesky.SolveRight<T>(factor, rhs, context);
    }

    /// <inheritdoc/>
    public override int RunOpenBlas()
    {
        Restore();
        int info = OpenBlasLibrary.CholeskyFactor(n, a.Pointer);
        return info != 0 ? info : OpenBlasLibrary.CholeskySolveBothSides(n, a.Pointer, g.Pointer);
    }

    private void Restore()
    {
        pristineA.AsSpan().CopyTo(a.AsSpan());
        pristineG.AsSpan().CopyTo(g.AsSpan());
    }
}
