using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// The GEMM-shaped updates inside blocked Cholesky and the blocked triangular solves, on views
/// of one matrix that interleave in memory (a panel and its trailing block), which the public
/// <see cref="Gemm"/> rightly refuses. Two register-blocked shapes, neither needs packing:
/// <list type="bullet">
/// <item><c>SubtractNT</c>: <c>C -= A·Bᵀ</c> with rows of A and B contiguous in k: Bᵀ is packed
/// in 64×64 panels on the stack, then the broadcast tiles below run on the panel.</item>
/// <item><c>SubtractNN</c>: <c>C -= A·B</c> with rows of B and C contiguous in j and A read by
/// (row, k) strides (so Aᵀ works too): a 4-row × 2-vector tile, one broadcast per row and two
/// loads of B per k step for 8 FMAs.</item>
/// </list>
/// In BLIS terms MR = 4, NR = 2w (w = vector width), and for the packed form KC = NC = 64.
/// Callers validate; nothing is checked here.
/// </summary>
internal static class FactorGemm
{
    /// <summary>Columns of a packed panel of Bᵀ (NC in BLIS terms).</summary>
    private const int PackColumns = 64;

    /// <summary>Depth of a packed panel of Bᵀ (KC): 64×64 doubles = 32 KB stay in L1 while A streams past.</summary>
    private const int PackDepth = 64;

    /// <summary>
    /// <c>C[m,n] -= A[m,k]·B[n,k]ᵀ</c>, rows of A and B contiguous in k. With
    /// <paramref name="lowerOnly"/> only rows <c>i &gt;= j0</c> of each 64-column strip starting at
    /// <c>j0</c> are updated: every <c>j &lt;= i</c> is computed, and a diagonal strip may also write
    /// above the diagonal (callers ignore that triangle).
    /// </summary>
    /// <remarks>
    /// Dot-shaped tiles (reduce 16 accumulators per 4×4 tile) cost as much in reductions as in
    /// FMAs when k is one block, so the vector paths instead pack Bᵀ in 64×64 panels on the stack
    /// and run the broadcast (NN) tiles, which never reduce:
    /// <code>
    ///   B rows j0..j0+63, columns p0..p0+63    packed:  P[p, jj] = B[j0 + jj, p0 + p]
    ///   C[i, j0:j0+64] -= Σ_p A[i, p0 + p] · P[p, 0:64]
    /// </code>
    /// </remarks>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SubtractNT<T>(ref T a, nint lda, ref T b, nint ldb, ref T c, nint ldc, int m, int n, int k, bool lowerOnly, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m <= 0 || n <= 0 || k <= 0)
        {
            return;
        }

        if (path == KernelPath.Scalar)
        {
            SubtractNTScalar(ref a, lda, ref b, ldb, ref c, ldc, m, n, k, lowerOnly);
            return;
        }

        Span<T> pack = stackalloc T[PackColumns * PackDepth];
        ref T p0 = ref MemoryMarshal.GetReference(pack);
        for (int j0 = 0; j0 < n; j0 += PackColumns)
        {
            int nc = Math.Min(PackColumns, n - j0);
            int iStart = lowerOnly ? j0 : 0;
            if (iStart >= m)
            {
                break;
            }

            for (int k0 = 0; k0 < k; k0 += PackDepth)
            {
                int kc = Math.Min(PackDepth, k - k0);
                for (int jj = 0; jj < nc; jj++)
                {
                    ref T row = ref Unsafe.Add(ref b, ((j0 + jj) * ldb) + k0);
                    for (int q = 0; q < kc; q++)
                    {
                        Unsafe.Add(ref p0, (q * nc) + jj) = Unsafe.Add(ref row, q);
                    }
                }

                SubtractNN(
                    ref Unsafe.Add(ref a, (iStart * lda) + k0), lda, 1, ref p0, nc,
                    ref Unsafe.Add(ref c, (iStart * ldc) + j0), ldc, m - iStart, nc, kc, path);
            }
        }
    }

    /// <summary><c>C[m,n] -= A·B</c> with <c>A(i,p) = a[i·sai + p·sak]</c> and <c>B[k,n]</c> row-major.</summary>
    public static void SubtractNN<T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int m, int n, int k, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m <= 0 || n <= 0 || k <= 0)
        {
            return;
        }

        switch (path)
        {
            case KernelPath.Vector512: SubtractNNVector512(ref a, sai, sak, ref b, ldb, ref c, ldc, m, n, k); break;
            case KernelPath.Vector256: SubtractNNVector256(ref a, sai, sak, ref b, ldb, ref c, ldc, m, n, k); break;
            default: SubtractNNScalar(ref a, sai, sak, ref b, ldb, ref c, ldc, m, n, k); break;
        }
    }

    // ---------------------------------------------------------------- scalar path

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SubtractNTScalar<T>(ref T a, nint lda, ref T b, nint ldb, ref T c, nint ldc, int m, int n, int k, bool lowerOnly)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            ref T ai = ref Unsafe.Add(ref a, i * lda);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            int jEnd = lowerOnly ? Math.Min(n, i + 1) : n;
            for (int j = 0; j < jEnd; j++)
            {
                Unsafe.Add(ref ci, j) -= Level1.DotScalar(ref ai, ref Unsafe.Add(ref b, j * ldb), k);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SubtractNNScalar<T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int m, int n, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            ref T ai = ref Unsafe.Add(ref a, i * sai);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            for (int p = 0; p < k; p++)
            {
                Level1.AxpyScalar(-Unsafe.Add(ref ai, p * sak), ref Unsafe.Add(ref b, p * ldb), ref ci, n);
            }
        }
    }

    /// <summary>
    /// The last <c>n &lt; w</c> columns of a 4-row tile on the vector paths, in the tiles' order of
    /// operations (sum the k products from zero, then subtract once), so that an element's result
    /// does not depend on whether it falls in a vector tile or in the tail: callers may then split
    /// the columns anywhere (threads, transposed chunks) and get the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SubtractNNColumnTail<T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int n, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int r = 0; r < 4; r++)
        {
            ref T ar = ref Unsafe.Add(ref a, r * sai);
            ref T cr = ref Unsafe.Add(ref c, r * ldc);
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    sum = T.FusedMultiplyAdd(Unsafe.Add(ref ar, p * sak), Unsafe.Add(ref b, (p * ldb) + j), sum);
                }

                Unsafe.Add(ref cr, j) -= sum;
            }
        }
    }

    // ---------------------------------------------------------------- Vector512 path

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SubtractNNVector512<T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int m, int n, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = (nuint)Vector512<T>.Count;
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref T ai = ref Unsafe.Add(ref a, i * sai);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            nuint j = 0;
            for (; j + (2 * w) <= (nuint)n; j += 2 * w)
            {
                BroadcastTile4x2Vector512(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, k);
            }

            for (; j + w <= (nuint)n; j += w)
            {
                BroadcastTile4x1Vector512(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, k);
            }

            if (j < (nuint)n)
            {
                SubtractNNColumnTail(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, n - (int)j, k);
            }
        }

        for (; i < m; i++)
        {
            ref T ai = ref Unsafe.Add(ref a, i * sai);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            for (int p = 0; p < k; p++)
            {
                Level1.AxpyVector512(-Unsafe.Add(ref ai, p * sak), ref Unsafe.Add(ref b, p * ldb), ref ci, n);
            }
        }
    }

    /// <summary><c>C[0:4, 0:2w] -= A[0:4, 0:k] · B[0:k, 0:2w]</c>: broadcast a[r,p], two vector loads of row p of B, 8 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BroadcastTile4x2Vector512<T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = (nuint)Vector512<T>.Count;
        Vector512<T> s00 = Vector512<T>.Zero, s01 = Vector512<T>.Zero, s10 = Vector512<T>.Zero, s11 = Vector512<T>.Zero;
        Vector512<T> s20 = Vector512<T>.Zero, s21 = Vector512<T>.Zero, s30 = Vector512<T>.Zero, s31 = Vector512<T>.Zero;
        ref T a1 = ref Unsafe.Add(ref a, sai);
        ref T a2 = ref Unsafe.Add(ref a, 2 * sai);
        ref T a3 = ref Unsafe.Add(ref a, 3 * sai);
        for (int p = 0; p < k; p++)
        {
            ref T bp = ref Unsafe.Add(ref b, p * ldb);
            Vector512<T> y0 = Vector512.LoadUnsafe(ref bp), y1 = Vector512.LoadUnsafe(ref bp, w);
            nint q = p * sak;
            Vector512<T> x = Vector512.Create(Unsafe.Add(ref a, q));
            s00 = Level1.Fma(x, y0, s00); s01 = Level1.Fma(x, y1, s01);
            x = Vector512.Create(Unsafe.Add(ref a1, q));
            s10 = Level1.Fma(x, y0, s10); s11 = Level1.Fma(x, y1, s11);
            x = Vector512.Create(Unsafe.Add(ref a2, q));
            s20 = Level1.Fma(x, y0, s20); s21 = Level1.Fma(x, y1, s21);
            x = Vector512.Create(Unsafe.Add(ref a3, q));
            s30 = Level1.Fma(x, y0, s30); s31 = Level1.Fma(x, y1, s31);
        }

        Store(ref c, s00, s01, w);
        Store(ref Unsafe.Add(ref c, ldc), s10, s11, w);
        Store(ref Unsafe.Add(ref c, 2 * ldc), s20, s21, w);
        Store(ref Unsafe.Add(ref c, 3 * ldc), s30, s31, w);

        static void Store(ref T row, Vector512<T> first, Vector512<T> second, nuint w)
        {
            (Vector512.LoadUnsafe(ref row) - first).StoreUnsafe(ref row);
            (Vector512.LoadUnsafe(ref row, w) - second).StoreUnsafe(ref row, w);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BroadcastTile4x1Vector512<T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> s0 = Vector512<T>.Zero, s1 = Vector512<T>.Zero, s2 = Vector512<T>.Zero, s3 = Vector512<T>.Zero;
        for (int p = 0; p < k; p++)
        {
            Vector512<T> y = Vector512.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb));
            nint q = p * sak;
            s0 = Level1.Fma(Vector512.Create(Unsafe.Add(ref a, q)), y, s0);
            s1 = Level1.Fma(Vector512.Create(Unsafe.Add(ref a, sai + q)), y, s1);
            s2 = Level1.Fma(Vector512.Create(Unsafe.Add(ref a, (2 * sai) + q)), y, s2);
            s3 = Level1.Fma(Vector512.Create(Unsafe.Add(ref a, (3 * sai) + q)), y, s3);
        }

        (Vector512.LoadUnsafe(ref c) - s0).StoreUnsafe(ref c);
        (Vector512.LoadUnsafe(ref Unsafe.Add(ref c, ldc)) - s1).StoreUnsafe(ref Unsafe.Add(ref c, ldc));
        (Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc)) - s2).StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc));
        (Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc)) - s3).StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc));
    }

    // ---------------------------------------------------------------- Vector256 path

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SubtractNNVector256<T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int m, int n, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = (nuint)Vector256<T>.Count;
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref T ai = ref Unsafe.Add(ref a, i * sai);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            nuint j = 0;
            for (; j + (2 * w) <= (nuint)n; j += 2 * w)
            {
                BroadcastTile4x2Vector256(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, k);
            }

            for (; j + w <= (nuint)n; j += w)
            {
                BroadcastTile4x1Vector256(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, k);
            }

            if (j < (nuint)n)
            {
                SubtractNNColumnTail(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, n - (int)j, k);
            }
        }

        for (; i < m; i++)
        {
            ref T ai = ref Unsafe.Add(ref a, i * sai);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            for (int p = 0; p < k; p++)
            {
                Level1.AxpyVector256(-Unsafe.Add(ref ai, p * sak), ref Unsafe.Add(ref b, p * ldb), ref ci, n);
            }
        }
    }

    /// <summary><c>C[0:4, 0:2w] -= A[0:4, 0:k] · B[0:k, 0:2w]</c>: broadcast a[r,p], two vector loads of row p of B, 8 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BroadcastTile4x2Vector256<T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = (nuint)Vector256<T>.Count;
        Vector256<T> s00 = Vector256<T>.Zero, s01 = Vector256<T>.Zero, s10 = Vector256<T>.Zero, s11 = Vector256<T>.Zero;
        Vector256<T> s20 = Vector256<T>.Zero, s21 = Vector256<T>.Zero, s30 = Vector256<T>.Zero, s31 = Vector256<T>.Zero;
        ref T a1 = ref Unsafe.Add(ref a, sai);
        ref T a2 = ref Unsafe.Add(ref a, 2 * sai);
        ref T a3 = ref Unsafe.Add(ref a, 3 * sai);
        for (int p = 0; p < k; p++)
        {
            ref T bp = ref Unsafe.Add(ref b, p * ldb);
            Vector256<T> y0 = Vector256.LoadUnsafe(ref bp), y1 = Vector256.LoadUnsafe(ref bp, w);
            nint q = p * sak;
            Vector256<T> x = Vector256.Create(Unsafe.Add(ref a, q));
            s00 = Level1.Fma(x, y0, s00); s01 = Level1.Fma(x, y1, s01);
            x = Vector256.Create(Unsafe.Add(ref a1, q));
            s10 = Level1.Fma(x, y0, s10); s11 = Level1.Fma(x, y1, s11);
            x = Vector256.Create(Unsafe.Add(ref a2, q));
            s20 = Level1.Fma(x, y0, s20); s21 = Level1.Fma(x, y1, s21);
            x = Vector256.Create(Unsafe.Add(ref a3, q));
            s30 = Level1.Fma(x, y0, s30); s31 = Level1.Fma(x, y1, s31);
        }

        Store(ref c, s00, s01, w);
        Store(ref Unsafe.Add(ref c, ldc), s10, s11, w);
        Store(ref Unsafe.Add(ref c, 2 * ldc), s20, s21, w);
        Store(ref Unsafe.Add(ref c, 3 * ldc), s30, s31, w);

        static void Store(ref T row, Vector256<T> first, Vector256<T> second, nuint w)
        {
            (Vector256.LoadUnsafe(ref row) - first).StoreUnsafe(ref row);
            (Vector256.LoadUnsafe(ref row, w) - second).StoreUnsafe(ref row, w);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BroadcastTile4x1Vector256<T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> s0 = Vector256<T>.Zero, s1 = Vector256<T>.Zero, s2 = Vector256<T>.Zero, s3 = Vector256<T>.Zero;
        for (int p = 0; p < k; p++)
        {
            Vector256<T> y = Vector256.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb));
            nint q = p * sak;
            s0 = Level1.Fma(Vector256.Create(Unsafe.Add(ref a, q)), y, s0);
            s1 = Level1.Fma(Vector256.Create(Unsafe.Add(ref a, sai + q)), y, s1);
            s2 = Level1.Fma(Vector256.Create(Unsafe.Add(ref a, (2 * sai) + q)), y, s2);
            s3 = Level1.Fma(Vector256.Create(Unsafe.Add(ref a, (3 * sai) + q)), y, s3);
        }

        (Vector256.LoadUnsafe(ref c) - s0).StoreUnsafe(ref c);
        (Vector256.LoadUnsafe(ref Unsafe.Add(ref c, ldc)) - s1).StoreUnsafe(ref Unsafe.Add(ref c, ldc));
        (Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc)) - s2).StoreUnsafe(ref Unsafe.Add(ref c, 2 * ldc));
        (Vector256.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc)) - s3).StoreUnsafe(ref Unsafe.Add(ref c, 3 * ldc));
    }
}
