namespace NgdKernel.Kernels;

/// <summary>General matrix product <c>C = alpha * op(A) * op(B) + beta * C</c> (BLAS <c>sgemm</c>/<c>dgemm</c>).</summary>
public static partial class Gemm
{
    /// <summary>Computes <c>C = alpha * op(A) * op(B) + beta * C</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">A, row-major with any row stride; <c>op(A)</c> is [m, k].</param>
    /// <param name="opA">Whether to use A as stored ([m, k]) or transposed (A is then [k, m]).</param>
    /// <param name="b">B, row-major with any row stride; <c>op(B)</c> is [k, n].</param>
    /// <param name="opB">Whether to use B as stored ([k, n]) or transposed (B is then [n, k]).</param>
    /// <param name="alpha">Scale of the product; finite.</param>
    /// <param name="beta">Scale of the old C; finite. When it is zero, C is never read (NaN in C is overwritten).</param>
    /// <param name="c">C, [m, n], row-major with any row stride; overwritten with the result.</param>
    /// <param name="context">Threads and instruction-set path; <see langword="null"/> means <see cref="KernelContext.Default"/>.</param>
    /// <exception cref="ArgumentException">
    /// <c>op(B)</c> does not have as many rows as <c>op(A)</c> has columns; C is not [m, n]; C shares memory
    /// with A or B. The message names both shapes.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> or <paramref name="beta"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="context"/> has been disposed.</exception>
    /// <remarks>
    /// <para>
    /// BLAS <c>?gemm</c> with row-major storage. Blocked and packed (BLIS): A is packed into MR×kc panels and
    /// B into kc×NR panels in per-thread workspaces allocated once, and a register-blocked FMA micro-kernel
    /// computes each MR×NR tile of C. The first call on a thread allocates that thread's packing workspace
    /// (about 4.7 MiB, pinned, kept for the thread's lifetime); later calls allocate nothing.
    /// </para>
    /// <para>
    /// NaN or infinity in A or B propagates into C as IEEE arithmetic dictates (the products are never
    /// skipped), except that <paramref name="alpha"/> = 0 or k = 0 gives <c>C = beta * C</c> without reading
    /// A or B, as in BLAS.
    /// </para>
    /// <para>
    /// Determinism: each element of C is computed by the same sequence of operations for every thread
    /// count, so results are bit-identical across runs and thread counts on one <see cref="KernelPath"/>;
    /// different paths agree within <c>c·k·eps·(|A||B|)ij</c>.
    /// </para>
    /// </remarks>
    public static void Multiply<T>(
        ReadOnlySpan2D<T> a, MatrixOp opA, ReadOnlySpan2D<T> b, MatrixOp opB, T alpha, T beta, Span2D<T> c,
        KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        context ??= KernelContext.Default;
        Validate(a, opA, b, opB, alpha, beta, c);
        GemmDriver.Run(a, opA, b, opB, alpha, beta, c, context.Path, context, lowerTriangleOnly: false);
    }

    internal static void Validate<T>(
        ReadOnlySpan2D<T> a, MatrixOp opA, ReadOnlySpan2D<T> b, MatrixOp opB, T alpha, T beta, Span2D<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        MatrixShape shapeA = Check.ShapeOf(a, opA);
        MatrixShape shapeB = Check.ShapeOf(b, opB);
        Check.Dimension(
            shapeB.OpRows, shapeA.OpColumns, opB == MatrixOp.Transpose ? "columns" : "rows",
            nameof(b), shapeB, nameof(a), shapeA);
        Check.DestinationShape(
            Check.ShapeOf<T>(c), new MatrixShape(shapeA.OpRows, shapeB.OpColumns), nameof(c),
            nameof(a), shapeA, nameof(b), shapeB);
        Check.Finite(alpha, nameof(alpha));
        Check.Finite(beta, nameof(beta));
        Check.NoOverlap<T>(c, nameof(c), a, nameof(a));
        Check.NoOverlap<T>(c, nameof(c), b, nameof(b));
    }
}
