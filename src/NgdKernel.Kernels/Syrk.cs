namespace NgdKernel.Kernels;

/// <summary>
/// Symmetric rank-k update <c>C = alpha * op(A) * op(A)^T + beta * C</c> (BLAS <c>ssyrk</c>/<c>dsyrk</c>):
/// the covariances <c>&lt;x x^T&gt;</c> of the natural-gradient step.
/// </summary>
public static partial class Syrk
{
    /// <summary>Computes <c>C = alpha * op(A) * op(A)^T + beta * C</c> and writes both triangles of C.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">
    /// A, row-major with any row stride. With <see cref="MatrixOp.None"/> A is [n, k] and
    /// <c>C = alpha A A^T + beta C</c>; with <see cref="MatrixOp.Transpose"/> A is [k, n] (one example per
    /// row, as a minibatch) and <c>C = alpha A^T A + beta C</c>.
    /// </param>
    /// <param name="op">How A is used; see <paramref name="a"/>.</param>
    /// <param name="alpha">Scale of the product; finite.</param>
    /// <param name="beta">Scale of the old C; finite. When it is zero, C is never read.</param>
    /// <param name="c">C, [n, n], row-major with any row stride; both triangles are overwritten.</param>
    /// <param name="context">Threads and instruction-set path; <see langword="null"/> means <see cref="KernelContext.Default"/>.</param>
    /// <exception cref="ArgumentException">C is not [n, n] for the n of <c>op(A)</c>; C shares memory with A.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> or <paramref name="beta"/> is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="context"/> has been disposed.</exception>
    /// <remarks>
    /// <para>
    /// BLAS <c>?syrk</c> (row-major, lower triangle computed), then mirrored: only the tiles of C that touch
    /// the lower triangle are computed, half the work of <see cref="Gemm"/>. Small problems (n·n·k up to
    /// 64³, or 40³ for <see cref="MatrixOp.None"/>) run on the unpacked GEMM kernels instead, which beats
    /// packing: <c>AAᵀ</c> whole, <c>AᵀA</c> by row blocks up to the diagonal. With beta ≠ 0 the old C is read
    /// from its lower triangle only (the upper one is taken to be its mirror). Paper Eq. 20:
    /// <c>Lambda_i = &lt;x_{i-1} x_{i-1}^T&gt;</c> is <c>Multiply(x, Transpose, 1/M, 0, lambda)</c>.
    /// </para>
    /// <para>
    /// Same machinery, allocation and determinism guarantees as <see cref="Gemm.Multiply{T}(ReadOnlySpan2D{T}, MatrixOp, ReadOnlySpan2D{T}, MatrixOp, T, T, Span2D{T}, KernelContext)"/>: the result
    /// is exactly symmetric and bit-identical across runs and thread counts on one path.
    /// </para>
    /// </remarks>
    public static void Multiply<T>(
        ReadOnlySpan2D<T> a, MatrixOp op, T alpha, T beta, Span2D<T> c, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        context ??= KernelContext.Default;
        Validate(a, op, alpha, beta, c);
        Run(a, op, alpha, beta, c, context.Path, context);
    }

    internal static void Validate<T>(ReadOnlySpan2D<T> a, MatrixOp op, T alpha, T beta, Span2D<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        MatrixShape shapeA = Check.ShapeOf(a, op);
        int n = shapeA.OpRows;
        Check.DestinationShape(Check.ShapeOf<T>(c), new MatrixShape(n, n), nameof(c), nameof(a), shapeA);
        Check.Finite(alpha, nameof(alpha));
        Check.Finite(beta, nameof(beta));
        Check.NoOverlap<T>(c, nameof(c), a, nameof(a));
    }

    /// <summary>The unchecked core: computes the lower triangle on <paramref name="path"/>, then mirrors it (small AᵀA with beta = 0: the diagonal squares computed whole, the rest mirrored).</summary>
    internal static unsafe void Run<T>(
        ReadOnlySpan2D<T> a, MatrixOp op, T alpha, T beta, Span2D<T> c, KernelPath path, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = c.Height, k = a.Height;
        int w = KernelPaths.VectorWidth<T>(path);
        if (op == MatrixOp.Transpose && path != KernelPath.Scalar && n > w && k > 0 && !T.IsZero(alpha) && GemmSmall.IsSmallSyrk(n, k, transposeB: false))
        {
            // Blocks of w rows over the vectors reaching each block's diagonal: the whole product did nearly
            // twice the multiply-adds (the latency network's step, Zen 5: float 0.5, double 2.5 us less). The
            // last rows (n mod w) are a block of their own: folded into the block above, n = 33 took a third
            // vector on 16 rows of floats for one row's sake. Each element is the small GEMM's FMA chain in any
            // block; blocks at least a vector wide never take a narrower (unfused) body.
            nint lda = StridedView.Stride(a), ldc = StridedView.Stride(c);
            fixed (T* pa = &a.DangerousGetReference())
            fixed (T* pc = &c.DangerousGetReference())
            {
                for (int r0 = 0, rows; r0 < n; r0 += rows)
                {
                    rows = Math.Min(w, n - r0);
                    GemmSmall.Run(pa + r0, lda, true, pa, lda, false, alpha, beta, pc + (r0 * ldc), ldc, rows, r0 + rows, k, path);
                    if (T.IsZero(beta))
                    {
                        // The block's diagonal square is whole already (C[i, j] and C[j, i] are the same FMA
                        // chain, the products' operands swapped, equal to the bit; only two NaN inputs with
                        // different payloads could leave another payload); only the rows left of it go
                        // across. The whole-triangle mirror cost a fourth of a 33×33 SYRK, half of it on the
                        // diagonal tiles' element moves.
                        FactorTranspose.Transpose(ref pc[r0 * ldc], ldc, ref pc[r0], ldc, rows, r0, path);
                    }
                }
            }

            if (T.IsZero(beta))
            {
                return;
            }
        }
        else
        {
            MatrixOp opB = op == MatrixOp.None ? MatrixOp.Transpose : MatrixOp.None;
            GemmDriver.Run(a, op, a, opB, alpha, beta, c, path, context, lowerTriangleOnly: true);
        }

        FactorTranspose.MirrorLowerToUpper(ref c.DangerousGetReference(), StridedView.Stride(c), n, path);
    }
}
