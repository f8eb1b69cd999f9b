namespace NgdKernel.Kernels.Internals;

/// <summary>
/// The GEMM-shaped updates inside blocked Cholesky and the blocked triangular solves, on views
/// of one matrix that interleave in memory (a panel and its trailing block), which the public
/// <see cref="Gemm"/> rightly refuses. Both shapes run on the small GEMM's tiles
/// (<see cref="GemmSmallVector{TSimd, TVector, T}"/>), which read A and B in place and write only
/// C's own columns:
/// <list type="bullet">
/// <item><c>SubtractNT</c>: <c>C -= A·Bᵀ</c> with rows of A and B contiguous in k: Bᵀ is packed
/// in 64×64 panels on the stack, then <c>SubtractNN</c> runs on the panel.</item>
/// <item><c>SubtractNN</c>: <c>C -= A·B</c> with rows of B and C contiguous in j and A read by
/// (row, k) strides (so Aᵀ works too).</item>
/// </list>
/// The tiles sum each element's k products from zero and subtract once (alpha = -1, beta = 1:
/// <c>fma(1, c, -s)</c> rounds as <c>c - s</c>), on rows in groups of four; the last m mod 4 rows
/// (every row on the scalar path) take one axpy per k instead. Callers split rows at multiples of
/// four (threads) and columns anywhere (strips, transposed chunks) and get the same bits.
/// Callers validate; nothing is checked here.
/// </summary>
internal static unsafe class FactorGemm
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

        T* pack = stackalloc T[PackColumns * PackDepth];
        fixed (T* pb = &b)
        {
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
                    GemmPack.PackStrided(pb + (j0 * ldb) + k0, ldb, kc, nc, nc, pack);
                    SubtractNN(
                        ref Unsafe.Add(ref a, (iStart * lda) + k0), lda, 1, ref *pack, nc,
                        ref Unsafe.Add(ref c, (iStart * ldc) + j0), ldc, m - iStart, nc, kc, path);
                }
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

        int tiled = path == KernelPath.Scalar ? 0 : m & ~3;
        if (tiled > 0)
        {
            fixed (T* pa = &a, pb = &b, pc = &c)
            {
                SubtractTiles(pa, sai, sak, pb, ldb, pc, ldc, tiled, n, k, path);
            }
        }

        for (int i = tiled; i < m; i++)
        {
            ref T ai = ref Unsafe.Add(ref a, i * sai);
            ref T ci = ref Unsafe.Add(ref c, i * ldc);
            for (int p = 0; p < k; p++)
            {
                Level1.Axpy(-Unsafe.Add(ref ai, p * sak), ref Unsafe.Add(ref b, p * ldb), ref ci, n, path);
            }
        }
    }

    /// <summary>
    /// The small GEMM's tiles at the widest vector not wider than a row of C: n below the path's
    /// width takes 256 bits, then 128, then single fused multiply-adds (the small GEMM's own scalar
    /// body multiplies and adds separately, which would change the bits).
    /// </summary>
    private static void SubtractTiles<T>(T* a, nint aRow, nint aStep, T* b, nint ldb, T* c, nint ldc, int m, int n, int k, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T alpha = T.NegativeOne, beta = T.One;
        if (path == KernelPath.Vector512 && n >= Vector512<T>.Count)
        {
            GemmSmallVector<Simd512<T>, Vector512<T>, T>.Rows(a, aRow, aStep, b, ldb, alpha, beta, c, ldc, m, n, k);
        }
        else if (n >= Vector256<T>.Count)
        {
            GemmSmallVector<Simd256<T>, Vector256<T>, T>.Rows(a, aRow, aStep, b, ldb, alpha, beta, c, ldc, m, n, k);
        }
        else if (n >= Vector128<T>.Count)
        {
            GemmSmallVector<Simd128<T>, Vector128<T>, T>.Rows(a, aRow, aStep, b, ldb, alpha, beta, c, ldc, m, n, k);
        }
        else
        {
            GemmSmallVector<SimdScalar<T, One>, T, T>.Rows(a, aRow, aStep, b, ldb, alpha, beta, c, ldc, m, n, k);
        }
    }

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
}
