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
/// One generic body serves both vector widths (<see cref="ISimd{TVector, T}"/>).
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
            case KernelPath.Vector512: SubtractNNVector<Simd512<T>, Vector512<T>, T>(ref a, sai, sak, ref b, ldb, ref c, ldc, m, n, k); break;
            case KernelPath.Vector256: SubtractNNVector<Simd256<T>, Vector256<T>, T>(ref a, sai, sak, ref b, ldb, ref c, ldc, m, n, k); break;
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

    // ---------------------------------------------------------------- vector paths (one body, ISimd)

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SubtractNNVector<TOps, TVector, T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int m, int n, int k)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = TOps.Count;
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref T ai = ref Unsafe.Add(ref a, i * sai);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            nuint j = 0;
            for (; j + (2 * w) <= (nuint)n; j += 2 * w)
            {
                BroadcastTile4x2<TOps, TVector, T>(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, k);
            }

            for (; j + w <= (nuint)n; j += w)
            {
                BroadcastTile4x1<TOps, TVector, T>(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, k);
            }

            // Narrower vectors before scalar code for the last columns (8 floats of n = 200 are
            // a 256-bit tile, not 8 scalar dot products); same per-element sequence throughout.
            if (TOps.Count > (nuint)Vector256<T>.Count)
            {
                for (; j + (nuint)Vector256<T>.Count <= (nuint)n; j += (nuint)Vector256<T>.Count)
                {
                    BroadcastTile4x1<Simd256<T>, Vector256<T>, T>(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, k);
                }
            }

            for (; j + (nuint)Vector128<T>.Count <= (nuint)n; j += (nuint)Vector128<T>.Count)
            {
                BroadcastTile4x1<Simd128<T>, Vector128<T>, T>(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, k);
            }

            if (j < (nuint)n)
            {
                SubtractNNColumnTail(ref ai, sai, sak, ref Unsafe.Add(ref b, (nint)j), ldb, ref Unsafe.Add(ref ci, (nint)j), ldc, n - (int)j, k);
            }
        }

        // Last m % 4 rows: one axpy per k, c = fma(-a, b, c) element by element.
        for (; i < m; i++)
        {
            ref T ai = ref Unsafe.Add(ref a, i * sai);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            for (int p = 0; p < k; p++)
            {
                T alpha = -Unsafe.Add(ref ai, p * sak);
                ref T bp = ref Unsafe.Add(ref b, p * ldb);
                TVector va = TOps.Broadcast(alpha);
                nuint j = 0;
                for (; j + w <= (nuint)n; j += w)
                {
                    TOps.Store(TOps.Fma(va, TOps.Load(ref bp, j), TOps.Load(ref ci, j)), ref ci, j);
                }

                for (; j < (nuint)n; j++)
                {
                    Unsafe.Add(ref ci, j) = T.FusedMultiplyAdd(alpha, Unsafe.Add(ref bp, j), Unsafe.Add(ref ci, j));
                }
            }
        }
    }

    /// <summary><c>C[0:4, 0:2w] -= A[0:4, 0:k] · B[0:k, 0:2w]</c>: broadcast a[r,p], two vector loads of row p of B, 8 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BroadcastTile4x2<TOps, TVector, T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int k)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = TOps.Count;
        TVector s00 = default, s01 = default, s10 = default, s11 = default;
        TVector s20 = default, s21 = default, s30 = default, s31 = default;
        ref T a1 = ref Unsafe.Add(ref a, sai);
        ref T a2 = ref Unsafe.Add(ref a, 2 * sai);
        ref T a3 = ref Unsafe.Add(ref a, 3 * sai);
        for (int p = 0; p < k; p++)
        {
            ref T bp = ref Unsafe.Add(ref b, p * ldb);
            TVector y0 = TOps.Load(ref bp, 0), y1 = TOps.Load(ref bp, w);
            nint q = p * sak;
            TVector x = TOps.Broadcast(Unsafe.Add(ref a, q));
            s00 = TOps.Fma(x, y0, s00); s01 = TOps.Fma(x, y1, s01);
            x = TOps.Broadcast(Unsafe.Add(ref a1, q));
            s10 = TOps.Fma(x, y0, s10); s11 = TOps.Fma(x, y1, s11);
            x = TOps.Broadcast(Unsafe.Add(ref a2, q));
            s20 = TOps.Fma(x, y0, s20); s21 = TOps.Fma(x, y1, s21);
            x = TOps.Broadcast(Unsafe.Add(ref a3, q));
            s30 = TOps.Fma(x, y0, s30); s31 = TOps.Fma(x, y1, s31);
        }

        SubtractFrom(ref c, s00, 0);
        SubtractFrom(ref c, s01, w);
        SubtractFrom(ref Unsafe.Add(ref c, ldc), s10, 0);
        SubtractFrom(ref Unsafe.Add(ref c, ldc), s11, w);
        SubtractFrom(ref Unsafe.Add(ref c, 2 * ldc), s20, 0);
        SubtractFrom(ref Unsafe.Add(ref c, 2 * ldc), s21, w);
        SubtractFrom(ref Unsafe.Add(ref c, 3 * ldc), s30, 0);
        SubtractFrom(ref Unsafe.Add(ref c, 3 * ldc), s31, w);

        static void SubtractFrom(ref T row, TVector sum, nuint offset) =>
            TOps.Store(TOps.Subtract(TOps.Load(ref row, offset), sum), ref row, offset);
    }

    /// <summary><c>C[0:4, 0:w] -= A[0:4, 0:k] · B[0:k, 0:w]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BroadcastTile4x1<TOps, TVector, T>(ref T a, nint sai, nint sak, ref T b, nint ldb, ref T c, nint ldc, int k)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVector s0 = default, s1 = default, s2 = default, s3 = default;
        for (int p = 0; p < k; p++)
        {
            TVector y = TOps.Load(ref Unsafe.Add(ref b, p * ldb), 0);
            nint q = p * sak;
            s0 = TOps.Fma(TOps.Broadcast(Unsafe.Add(ref a, q)), y, s0);
            s1 = TOps.Fma(TOps.Broadcast(Unsafe.Add(ref a, sai + q)), y, s1);
            s2 = TOps.Fma(TOps.Broadcast(Unsafe.Add(ref a, (2 * sai) + q)), y, s2);
            s3 = TOps.Fma(TOps.Broadcast(Unsafe.Add(ref a, (3 * sai) + q)), y, s3);
        }

        TOps.Store(TOps.Subtract(TOps.Load(ref c, 0), s0), ref c, 0);
        ref T c1 = ref Unsafe.Add(ref c, ldc);
        TOps.Store(TOps.Subtract(TOps.Load(ref c1, 0), s1), ref c1, 0);
        ref T c2 = ref Unsafe.Add(ref c, 2 * ldc);
        TOps.Store(TOps.Subtract(TOps.Load(ref c2, 0), s2), ref c2, 0);
        ref T c3 = ref Unsafe.Add(ref c, 3 * ldc);
        TOps.Store(TOps.Subtract(TOps.Load(ref c3, 0), s3), ref c3, 0);
    }
}
