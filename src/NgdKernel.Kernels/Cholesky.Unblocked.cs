using System.Runtime.InteropServices;
using System.Numerics;
using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels.Internals;

namespace NgdKernel.Kernels;

// Unblocked kernels: the diagonal-block factorization and the inverse from the factor.
public static partial class Cholesky
{
    /// <summary>
    /// Row-oriented (bordered) Cholesky of an <c>n×n</c> block at <paramref name="a0"/>:
    /// <c>l[i,j] = (a[i,j] - l[i,0:j]·l[j,0:j]) / l[j,j]</c>, then
    /// <c>l[i,i] = sqrt(a[i,i] + damping - l[i,0:i]·l[i,0:i])</c>. Every inner product runs
    /// over contiguous row prefixes, which suits row-major storage. Zeroes the strict upper
    /// triangle of each finished row. Returns the failing pivot, or -1.
    /// </summary>
    [SkipLocalsInit]
    internal static int FactorUnblocked<T>(ref T a0, nint lda, int n, T damping, KernelPath path, out T pivotValue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Each l[i,j] waits for the dot that needs l[i,0:j]: the row is one dependency chain.
        // Multiplying by 1/l[j,j] (as LAPACK's dpotf2 scales by 1/ajj) keeps a ~13-cycle
        // division off that chain; it costs one rounding, well inside the dpot01 bound.
#if NGDASSERT
        System.Diagnostics.Debug.Assert(n <= BlockSize, "diagonal block larger than the stack buffer");
#endif
        Span<T> inverseDiagonal = stackalloc T[BlockSize];
        ref T inv = ref MemoryMarshal.GetReference(inverseDiagonal);
        for (int i = 0; i < n; i++)
        {
            ref T rowI = ref Unsafe.Add(ref a0, i * lda);
            for (int j = 0; j < i; j++)
            {
                ref T rowJ = ref Unsafe.Add(ref a0, j * lda);

                // Short prefixes (the first rows of every block, all of a small matrix) skip the
                // path dispatch: a scalar FMA loop beats the vector set-up below ~16 elements.
                T sum = j < 16 ? Level1.DotScalar(ref rowI, ref rowJ, j) : Level1.Dot(ref rowI, ref rowJ, j, path);
                Unsafe.Add(ref rowI, j) = (Unsafe.Add(ref rowI, j) - sum) * Unsafe.Add(ref inv, j);
            }

            T d = Unsafe.Add(ref rowI, i) + damping - Level1.Dot(ref rowI, ref rowI, i, path);
            if (!(d > T.Zero && d < T.PositiveInfinity))
            {
                pivotValue = d;
                return i;
            }

            T root = T.Sqrt(d);
            Unsafe.Add(ref rowI, i) = root;
            Unsafe.Add(ref inv, i) = T.One / root;
            if (i + 1 < n)
            {
                MemoryMarshal.CreateSpan(ref Unsafe.Add(ref rowI, i + 1), n - i - 1).Clear();
            }
        }

        pivotValue = T.Zero;
        return -1;
    }

    /// <summary>
    /// <c>L -&gt; (L·Lᵀ)⁻¹</c> in place: first <c>M = L⁻¹</c> row by row (dtrtri), then the
    /// lower triangle of <c>Mᵀ·M</c> row by row (dlauum), then the mirror into the upper triangle.
    /// </summary>
    private static void InvertCore<T>(Span2D<T> factor, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = factor.Height;
        nint ld = StridedView.Stride(factor);
        ref T a0 = ref factor.DangerousGetReference();

        // M = L⁻¹. From L·M = I, row i of M is -(1/l[i,i]) · l[i,0:i] · M[0:i,0:i] off the
        // diagonal and 1/l[i,i] on it. Rows above i already hold M. The vector-matrix product
        // overwrites row i in place: step k reads l[i,k] before any step writes column k.
        for (int i = 0; i < n; i++)
        {
            ref T rowI = ref Unsafe.Add(ref a0, i * ld);
            for (int k = 0; k < i; k++)
            {
                ref T rowK = ref Unsafe.Add(ref a0, k * ld);
                T lik = Unsafe.Add(ref rowI, k);
                Level1.Axpy(lik, ref rowK, ref rowI, k, path);
                Unsafe.Add(ref rowI, k) = lik * Unsafe.Add(ref rowK, k);
            }

            T inverseDiagonal = T.One / Unsafe.Add(ref rowI, i);
            Level1.Scale(-inverseDiagonal, ref rowI, i, path);
            Unsafe.Add(ref rowI, i) = inverseDiagonal;
        }

        // A⁻¹ = Mᵀ·M: row i of its lower triangle is sum_{k>=i} m[k,i] · m[k,0:i+1]. Row i of M
        // is only needed for k = i, so row i can be overwritten once rows below still hold M.
        for (int i = 0; i < n; i++)
        {
            ref T rowI = ref Unsafe.Add(ref a0, i * ld);
            Level1.Scale(Unsafe.Add(ref rowI, i), ref rowI, i + 1, path);
            for (int k = i + 1; k < n; k++)
            {
                ref T rowK = ref Unsafe.Add(ref a0, k * ld);
                Level1.Axpy(Unsafe.Add(ref rowK, i), ref rowK, ref rowI, i + 1, path);
            }
        }

        MirrorLowerToUpper(ref a0, ld, n);
    }

    /// <summary>Copies the strict lower triangle onto the strict upper one, in 32×32 tiles.</summary>
    internal static void MirrorLowerToUpper<T>(ref T a0, nint ld, int n)
        where T : unmanaged
    {
        const int Tile = 32;
        for (int i0 = 0; i0 < n; i0 += Tile)
        {
            int i1 = Math.Min(n, i0 + Tile);
            for (int j0 = 0; j0 <= i0; j0 += Tile)
            {
                int j1 = Math.Min(n, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    int jEnd = Math.Min(j1, i);
                    for (int j = j0; j < jEnd; j++)
                    {
                        Unsafe.Add(ref a0, (j * ld) + i) = Unsafe.Add(ref a0, (i * ld) + j);
                    }
                }
            }
        }
    }
}
