namespace NgdKernel.Kernels;

// Blocked right-looking factorization (LAPACK dpotrf's loop, lower, on row-major storage).
public static partial class Cholesky
{
    /// <summary>Panel width: see <see cref="TriangularSolve.BlockSize"/>.</summary>
    internal const int BlockSize = TriangularSolve.BlockSize;

    /// <summary>
    /// For each block column K = [k0, k1):
    /// <code>
    ///   [ L11         ]     1. L11 = chol(A11 + damping·I)        (FactorUnblocked, on the caller)
    ///   [ L21   A22   ]     2. L21 = A21 · L11⁻ᵀ                  (rows split over threads)
    ///                       3. A22 -= L21 · L21ᵀ, lower triangle   (the small GEMM's tiles, rows
    ///                                                               split over threads by area)
    /// </code>
    /// Step 3 carries <c>n³/3 - O(n²·nb)</c> of the flops. The strict upper triangle of each
    /// finished block row is zeroed; step 3 may leave rubbish above the diagonal of A22, which
    /// is never read and is zeroed when its block row is finished.
    /// </summary>
    private static unsafe bool FactorCore<T>(Span2D<T> a, T damping, KernelPath path, KernelContext? context, out CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Pinned for the worker threads, which get raw pointers.
        fixed (T* pinned = &a.DangerousGetReference())
        {
            return FactorBlocked(ref *pinned, StridedView.Stride(a), a.Height, damping, path, context, out failure);
        }
    }

    private static bool FactorBlocked<T>(ref T a0, nint lda, int n, T damping, KernelPath path, KernelContext? context, out CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int k0 = 0; k0 < n; k0 += BlockSize)
        {
            int k1 = Math.Min(n, k0 + BlockSize);
            int kb = k1 - k0;
            ref T diagonal = ref Unsafe.Add(ref a0, (k0 * lda) + k0);
            int pivot = FactorUnblocked(ref diagonal, lda, kb, damping, path, out T value);
            if (pivot >= 0)
            {
                failure = new CholeskyFailure(k0 + pivot, double.CreateTruncating(value));
                return false;
            }

            int rest = n - k1;
            if (rest == 0)
            {
                break;
            }

            for (int i = k0; i < k1; i++)
            {
                MemoryMarshal.CreateSpan(ref Unsafe.Add(ref a0, (i * lda) + k1), rest).Clear();
            }

            ref T panel = ref Unsafe.Add(ref a0, (k1 * lda) + k0);
            ref T trailing = ref Unsafe.Add(ref a0, (k1 * lda) + k1);
            if (!TryUpdateInParallel(ref diagonal, ref panel, ref trailing, lda, rest, kb, path, context))
            {
                TriangularSolve.Solve(ref diagonal, lda, lower: true, transpose: true, left: false, ref panel, lda, rest, kb, path);
                FactorGemm.SubtractNT(ref panel, lda, ref panel, lda, ref trailing, lda, rest, rest, kb, lowerOnly: true, path);
            }
        }

        failure = default;
        return true;
    }
}
