using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// The GEMM-shaped updates inside blocked Cholesky and the blocked triangular solves, on views
/// of one matrix that interleave in memory (a panel and its trailing block), which the public
/// <see cref="Gemm"/> rightly refuses. Two register-blocked shapes, neither needs packing:
/// <list type="bullet">
/// <item><c>SubtractNT</c>: <c>C -= A·Bᵀ</c> with rows of A and B contiguous in k: a 4×4 tile of
/// dot products, 16 vector accumulators fed by 8 loads per k step, reduced once per tile.</item>
/// <item><c>SubtractNN</c>: <c>C -= A·B</c> with rows of B and C contiguous in j and A read by
/// (row, k) strides (so Aᵀ works too): a 4-row × 2-vector tile, one broadcast per row and two
/// loads of B per k step for 8 FMAs.</item>
/// </list>
/// In BLIS terms MR = NR = 4 (dot form) and MR = 4, NR = 2w (broadcast form); there is no KC
/// blocking because k is at most one block (Cholesky) or the solve's prefix (Trsm). Callers
/// validate; nothing is checked here.
/// </summary>
internal static class FactorGemm
{
    /// <summary><c>C[m,n] -= A[m,k]·B[n,k]ᵀ</c>; with <paramref name="lowerOnly"/> only tiles touching <c>j &lt;= i</c> are computed (a diagonal tile may also write above the diagonal).</summary>
    public static void SubtractNT<T>(ref T a, nint lda, ref T b, nint ldb, ref T c, nint ldc, int m, int n, int k, bool lowerOnly, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m <= 0 || n <= 0 || k <= 0)
        {
            return;
        }

        switch (path)
        {
            case KernelPath.Vector512: SubtractNTVector512(ref a, lda, ref b, ldb, ref c, ldc, m, n, k, lowerOnly); break;
            case KernelPath.Vector256: SubtractNTVector256(ref a, lda, ref b, ldb, ref c, ldc, m, n, k, lowerOnly); break;
            default: SubtractNTScalar(ref a, lda, ref b, ldb, ref c, ldc, m, n, k, lowerOnly); break;
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

    /// <summary><c>c -= sum + Σ_{p in [tail, k)} a[p]·b[p]</c>: finishes one dot of a tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<T>(ref T c, T sum, ref T a, ref T b, int tail, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int p = tail; p < k; p++)
        {
            sum = T.FusedMultiplyAdd(Unsafe.Add(ref a, p), Unsafe.Add(ref b, p), sum);
        }

        c -= sum;
    }

    // ---------------------------------------------------------------- Vector512 path

    private static void SubtractNTVector512<T>(ref T a, nint lda, ref T b, nint ldb, ref T c, nint ldc, int m, int n, int k, bool lowerOnly)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref T a0 = ref Unsafe.Add(ref a, i * lda);
            ref T c0 = ref Unsafe.Add(ref c, i * ldc);
            int jEnd = lowerOnly ? Math.Min(n, i + 4) : n;
            int j = 0;
            for (; j + 4 <= jEnd; j += 4)
            {
                DotTile4x4Vector512(ref a0, lda, ref Unsafe.Add(ref b, j * ldb), ldb, ref Unsafe.Add(ref c0, j), ldc, k);
            }

            for (; j < jEnd; j++)
            {
                ref T bj = ref Unsafe.Add(ref b, j * ldb);
                for (int r = 0; r < 4; r++)
                {
                    if (!lowerOnly || j <= i + r)
                    {
                        Unsafe.Add(ref c0, (r * ldc) + j) -= Level1.DotVector512(ref Unsafe.Add(ref a0, r * lda), ref bj, k);
                    }
                }
            }
        }

        for (; i < m; i++)
        {
            ref T ai = ref Unsafe.Add(ref a, i * lda);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            int jEnd = lowerOnly ? Math.Min(n, i + 1) : n;
            for (int j = 0; j < jEnd; j++)
            {
                Unsafe.Add(ref ci, j) -= Level1.DotVector512(ref ai, ref Unsafe.Add(ref b, j * ldb), k);
            }
        }
    }

    /// <summary>
    /// <c>C[0:4, 0:4] -= A[0:4, 0:k] · B[0:4, 0:k]ᵀ</c>: 16 vector accumulators over k (8 loads
    /// feed 16 FMAs), reduced once at the end; the k tail is scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DotTile4x4Vector512<T>(ref T a, nint lda, ref T b, nint ldb, ref T c, nint ldc, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T a1 = ref Unsafe.Add(ref a, lda);
        ref T a2 = ref Unsafe.Add(ref a, 2 * lda);
        ref T a3 = ref Unsafe.Add(ref a, 3 * lda);
        ref T b1 = ref Unsafe.Add(ref b, ldb);
        ref T b2 = ref Unsafe.Add(ref b, 2 * ldb);
        ref T b3 = ref Unsafe.Add(ref b, 3 * ldb);
        Vector512<T> s00 = Vector512<T>.Zero, s01 = Vector512<T>.Zero, s02 = Vector512<T>.Zero, s03 = Vector512<T>.Zero;
        Vector512<T> s10 = Vector512<T>.Zero, s11 = Vector512<T>.Zero, s12 = Vector512<T>.Zero, s13 = Vector512<T>.Zero;
        Vector512<T> s20 = Vector512<T>.Zero, s21 = Vector512<T>.Zero, s22 = Vector512<T>.Zero, s23 = Vector512<T>.Zero;
        Vector512<T> s30 = Vector512<T>.Zero, s31 = Vector512<T>.Zero, s32 = Vector512<T>.Zero, s33 = Vector512<T>.Zero;
        nuint w = (nuint)Vector512<T>.Count;
        nuint p = 0;
        for (; p + w <= (nuint)k; p += w)
        {
            Vector512<T> x0 = Vector512.LoadUnsafe(ref a, p), x1 = Vector512.LoadUnsafe(ref a1, p);
            Vector512<T> x2 = Vector512.LoadUnsafe(ref a2, p), x3 = Vector512.LoadUnsafe(ref a3, p);
            Vector512<T> y = Vector512.LoadUnsafe(ref b, p);
            s00 = Level1.Fma(x0, y, s00); s10 = Level1.Fma(x1, y, s10); s20 = Level1.Fma(x2, y, s20); s30 = Level1.Fma(x3, y, s30);
            y = Vector512.LoadUnsafe(ref b1, p);
            s01 = Level1.Fma(x0, y, s01); s11 = Level1.Fma(x1, y, s11); s21 = Level1.Fma(x2, y, s21); s31 = Level1.Fma(x3, y, s31);
            y = Vector512.LoadUnsafe(ref b2, p);
            s02 = Level1.Fma(x0, y, s02); s12 = Level1.Fma(x1, y, s12); s22 = Level1.Fma(x2, y, s22); s32 = Level1.Fma(x3, y, s32);
            y = Vector512.LoadUnsafe(ref b3, p);
            s03 = Level1.Fma(x0, y, s03); s13 = Level1.Fma(x1, y, s13); s23 = Level1.Fma(x2, y, s23); s33 = Level1.Fma(x3, y, s33);
        }

        int tail = (int)p;
        Finish(ref c, Vector512.Sum(s00), ref a, ref b, tail, k);
        Finish(ref Unsafe.Add(ref c, 1), Vector512.Sum(s01), ref a, ref b1, tail, k);
        Finish(ref Unsafe.Add(ref c, 2), Vector512.Sum(s02), ref a, ref b2, tail, k);
        Finish(ref Unsafe.Add(ref c, 3), Vector512.Sum(s03), ref a, ref b3, tail, k);
        ref T c1 = ref Unsafe.Add(ref c, ldc);
        Finish(ref c1, Vector512.Sum(s10), ref a1, ref b, tail, k);
        Finish(ref Unsafe.Add(ref c1, 1), Vector512.Sum(s11), ref a1, ref b1, tail, k);
        Finish(ref Unsafe.Add(ref c1, 2), Vector512.Sum(s12), ref a1, ref b2, tail, k);
        Finish(ref Unsafe.Add(ref c1, 3), Vector512.Sum(s13), ref a1, ref b3, tail, k);
        ref T c2 = ref Unsafe.Add(ref c, 2 * ldc);
        Finish(ref c2, Vector512.Sum(s20), ref a2, ref b, tail, k);
        Finish(ref Unsafe.Add(ref c2, 1), Vector512.Sum(s21), ref a2, ref b1, tail, k);
        Finish(ref Unsafe.Add(ref c2, 2), Vector512.Sum(s22), ref a2, ref b2, tail, k);
        Finish(ref Unsafe.Add(ref c2, 3), Vector512.Sum(s23), ref a2, ref b3, tail, k);
        ref T c3 = ref Unsafe.Add(ref c, 3 * ldc);
        Finish(ref c3, Vector512.Sum(s30), ref a3, ref b, tail, k);
        Finish(ref Unsafe.Add(ref c3, 1), Vector512.Sum(s31), ref a3, ref b1, tail, k);
        Finish(ref Unsafe.Add(ref c3, 2), Vector512.Sum(s32), ref a3, ref b2, tail, k);
        Finish(ref Unsafe.Add(ref c3, 3), Vector512.Sum(s33), ref a3, ref b3, tail, k);
    }

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
                SubtractNNScalar(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, 4, n - (int)j, k);
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

    private static void SubtractNTVector256<T>(ref T a, nint lda, ref T b, nint ldb, ref T c, nint ldc, int m, int n, int k, bool lowerOnly)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref T a0 = ref Unsafe.Add(ref a, i * lda);
            ref T c0 = ref Unsafe.Add(ref c, i * ldc);
            int jEnd = lowerOnly ? Math.Min(n, i + 4) : n;
            int j = 0;
            for (; j + 4 <= jEnd; j += 4)
            {
                DotTile4x4Vector256(ref a0, lda, ref Unsafe.Add(ref b, j * ldb), ldb, ref Unsafe.Add(ref c0, j), ldc, k);
            }

            for (; j < jEnd; j++)
            {
                ref T bj = ref Unsafe.Add(ref b, j * ldb);
                for (int r = 0; r < 4; r++)
                {
                    if (!lowerOnly || j <= i + r)
                    {
                        Unsafe.Add(ref c0, (r * ldc) + j) -= Level1.DotVector256(ref Unsafe.Add(ref a0, r * lda), ref bj, k);
                    }
                }
            }
        }

        for (; i < m; i++)
        {
            ref T ai = ref Unsafe.Add(ref a, i * lda);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            int jEnd = lowerOnly ? Math.Min(n, i + 1) : n;
            for (int j = 0; j < jEnd; j++)
            {
                Unsafe.Add(ref ci, j) -= Level1.DotVector256(ref ai, ref Unsafe.Add(ref b, j * ldb), k);
            }
        }
    }

    /// <summary>
    /// <c>C[0:4, 0:4] -= A[0:4, 0:k] · B[0:4, 0:k]ᵀ</c>: 16 vector accumulators over k (8 loads
    /// feed 16 FMAs), reduced once at the end; the k tail is scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DotTile4x4Vector256<T>(ref T a, nint lda, ref T b, nint ldb, ref T c, nint ldc, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T a1 = ref Unsafe.Add(ref a, lda);
        ref T a2 = ref Unsafe.Add(ref a, 2 * lda);
        ref T a3 = ref Unsafe.Add(ref a, 3 * lda);
        ref T b1 = ref Unsafe.Add(ref b, ldb);
        ref T b2 = ref Unsafe.Add(ref b, 2 * ldb);
        ref T b3 = ref Unsafe.Add(ref b, 3 * ldb);
        Vector256<T> s00 = Vector256<T>.Zero, s01 = Vector256<T>.Zero, s02 = Vector256<T>.Zero, s03 = Vector256<T>.Zero;
        Vector256<T> s10 = Vector256<T>.Zero, s11 = Vector256<T>.Zero, s12 = Vector256<T>.Zero, s13 = Vector256<T>.Zero;
        Vector256<T> s20 = Vector256<T>.Zero, s21 = Vector256<T>.Zero, s22 = Vector256<T>.Zero, s23 = Vector256<T>.Zero;
        Vector256<T> s30 = Vector256<T>.Zero, s31 = Vector256<T>.Zero, s32 = Vector256<T>.Zero, s33 = Vector256<T>.Zero;
        nuint w = (nuint)Vector256<T>.Count;
        nuint p = 0;
        for (; p + w <= (nuint)k; p += w)
        {
            Vector256<T> x0 = Vector256.LoadUnsafe(ref a, p), x1 = Vector256.LoadUnsafe(ref a1, p);
            Vector256<T> x2 = Vector256.LoadUnsafe(ref a2, p), x3 = Vector256.LoadUnsafe(ref a3, p);
            Vector256<T> y = Vector256.LoadUnsafe(ref b, p);
            s00 = Level1.Fma(x0, y, s00); s10 = Level1.Fma(x1, y, s10); s20 = Level1.Fma(x2, y, s20); s30 = Level1.Fma(x3, y, s30);
            y = Vector256.LoadUnsafe(ref b1, p);
            s01 = Level1.Fma(x0, y, s01); s11 = Level1.Fma(x1, y, s11); s21 = Level1.Fma(x2, y, s21); s31 = Level1.Fma(x3, y, s31);
            y = Vector256.LoadUnsafe(ref b2, p);
            s02 = Level1.Fma(x0, y, s02); s12 = Level1.Fma(x1, y, s12); s22 = Level1.Fma(x2, y, s22); s32 = Level1.Fma(x3, y, s32);
            y = Vector256.LoadUnsafe(ref b3, p);
            s03 = Level1.Fma(x0, y, s03); s13 = Level1.Fma(x1, y, s13); s23 = Level1.Fma(x2, y, s23); s33 = Level1.Fma(x3, y, s33);
        }

        int tail = (int)p;
        Finish(ref c, Vector256.Sum(s00), ref a, ref b, tail, k);
        Finish(ref Unsafe.Add(ref c, 1), Vector256.Sum(s01), ref a, ref b1, tail, k);
        Finish(ref Unsafe.Add(ref c, 2), Vector256.Sum(s02), ref a, ref b2, tail, k);
        Finish(ref Unsafe.Add(ref c, 3), Vector256.Sum(s03), ref a, ref b3, tail, k);
        ref T c1 = ref Unsafe.Add(ref c, ldc);
        Finish(ref c1, Vector256.Sum(s10), ref a1, ref b, tail, k);
        Finish(ref Unsafe.Add(ref c1, 1), Vector256.Sum(s11), ref a1, ref b1, tail, k);
        Finish(ref Unsafe.Add(ref c1, 2), Vector256.Sum(s12), ref a1, ref b2, tail, k);
        Finish(ref Unsafe.Add(ref c1, 3), Vector256.Sum(s13), ref a1, ref b3, tail, k);
        ref T c2 = ref Unsafe.Add(ref c, 2 * ldc);
        Finish(ref c2, Vector256.Sum(s20), ref a2, ref b, tail, k);
        Finish(ref Unsafe.Add(ref c2, 1), Vector256.Sum(s21), ref a2, ref b1, tail, k);
        Finish(ref Unsafe.Add(ref c2, 2), Vector256.Sum(s22), ref a2, ref b2, tail, k);
        Finish(ref Unsafe.Add(ref c2, 3), Vector256.Sum(s23), ref a2, ref b3, tail, k);
        ref T c3 = ref Unsafe.Add(ref c, 3 * ldc);
        Finish(ref c3, Vector256.Sum(s30), ref a3, ref b, tail, k);
        Finish(ref Unsafe.Add(ref c3, 1), Vector256.Sum(s31), ref a3, ref b1, tail, k);
        Finish(ref Unsafe.Add(ref c3, 2), Vector256.Sum(s32), ref a3, ref b2, tail, k);
        Finish(ref Unsafe.Add(ref c3, 3), Vector256.Sum(s33), ref a3, ref b3, tail, k);
    }

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
                SubtractNNScalar(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, 4, n - (int)j, k);
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
