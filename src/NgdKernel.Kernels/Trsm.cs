namespace NgdKernel.Kernels;

/// <summary>
/// Triangular solves with many right-hand sides, in place: <c>B &lt;- op(T)⁻¹·B</c> or
/// <c>B &lt;- B·op(T)⁻¹</c>, T lower or upper triangular with a non-unit diagonal.
/// </summary>
/// <remarks>
/// Blocked so that most flops are GEMM-shaped register tiles (see <see cref="Cholesky"/> for
/// the solves with a Cholesky factor). Allocates nothing.
/// </remarks>
public static partial class Trsm
{
    /// <summary>Solves a triangular system with many right-hand sides in place.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="triangle"><c>[n, n]</c>, row-major, any row stride; only the <paramref name="part"/> triangle (diagonal included) is read.</param>
    /// <param name="part">Whether T is stored in the lower or the upper triangle.</param>
    /// <param name="op">Use T as stored or transposed.</param>
    /// <param name="side"><see cref="TrsmSide.Left"/>: <c>op(T)·X = B</c>; <see cref="TrsmSide.Right"/>: <c>X·op(T) = B</c>.</param>
    /// <param name="b">
    /// <c>[n, m]</c> (left) or <c>[m, n]</c> (right), any row stride; overwritten by X. Must not
    /// overlap <paramref name="triangle"/>.
    /// </param>
    /// <param name="context">Path; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Runs on the calling thread only.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="triangle"/> is not square; <paramref name="b"/> has the wrong number of rows
    /// (left) or columns (right); the two overlap.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An enum argument is not a defined value.</exception>
    /// <remarks>
    /// BLAS equivalent: <c>dtrsm(side, uplo, trans, 'N', alpha = 1)</c>. A zero diagonal element
    /// gives Inf/NaN (no check, as in BLAS); NaN propagates. Backward stable: the computed X
    /// solves <c>(T + ΔT)X = B</c> with <c>|ΔT| ≤ c·n·eps·|T|</c>. Allocates nothing;
    /// bit-identical run to run on one <see cref="KernelPath"/>.
    /// </remarks>
    public static void Solve<T>(
        ReadOnlySpan2D<T> triangle, TrsmTriangle part, MatrixOp op, TrsmSide side, Span2D<T> b, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.Square(triangle, nameof(triangle));
        if (part is not (TrsmTriangle.Lower or TrsmTriangle.Upper))
        {
            ThrowHelper.ThrowArgument_UndefinedEnum(nameof(part), (int)part, nameof(TrsmTriangle));
        }

        if (op is not (MatrixOp.None or MatrixOp.Transpose))
        {
            ThrowHelper.ThrowArgument_UndefinedEnum(nameof(op), (int)op, nameof(MatrixOp));
        }

        if (side is not (TrsmSide.Left or TrsmSide.Right))
        {
            ThrowHelper.ThrowArgument_UndefinedEnum(nameof(side), (int)side, nameof(TrsmSide));
        }

        if (side == TrsmSide.Left)
        {
            Check.Rows<T>(b, nameof(b), triangle, nameof(triangle), triangle.Height);
        }
        else
        {
            Check.Columns<T>(b, nameof(b), triangle, nameof(triangle), triangle.Height);
        }

        Check.NoOverlap<T>(b, nameof(b), triangle, nameof(triangle));
        TriangularSolve.Solve(
            ref triangle.DangerousGetReference(), StridedView.Stride(triangle), part == TrsmTriangle.Lower, op == MatrixOp.Transpose,
            side == TrsmSide.Left, ref b.DangerousGetReference(), StridedView.Stride(b), b.Height, b.Width, (context ?? KernelContext.Default).Path);
    }
}
