namespace NgdKernel.Kernels.Internals;

/// <summary>
/// The small-problem GEMM: no packing, no workspace, no blocking. The kernels read A and B in place
/// through their row strides, so a call costs its arithmetic plus a few tens of nanoseconds.
/// </summary>
/// <remarks>
/// Names inside: m, n, k as in <c>C[m,n] = op(A)[m,k] op(B)[k,n]</c>; ldX is the row stride of X in
/// elements.
/// <para>
/// For op(B) = B the vector kernels broadcast elements of op(A) (a transposed A only changes the
/// steps between them) and multiply-add whole rows of B into register accumulators covering an
/// 8-row (Vector512) or 4-row (Vector256: AVX2 has 16 registers) block of C. A transposed B is
/// first copied, <see cref="BufferBytes"/> at a time along k, into a stack buffer as op(B) rows
/// (a tiny transpose, not a panel packing): the dot-product form would need a horizontal sum per
/// element of C, which costs more than the copy at these sizes.
/// </para>
/// </remarks>
internal static unsafe class GemmSmall
{
    /// <summary>
    /// Largest m·n·k that takes this path. Measured on Zen 5 (one thread, medians of alternated
    /// calls, op(B) = B): 100³ ran 1.11x (float) and 0.98x (double) the packed path's speed, 128³ 0.69-0.73x.
    /// </summary>
    public const long MaxWork = 100L * 100 * 100;

    /// <summary>
    /// Largest m·n·k that takes this path when B is transposed and op(B) holds more than
    /// <see cref="MaxTransposedElements"/> elements: the copy into the stack buffer then costs more
    /// than packing saves (64³ NT ran at 0.88x of the packed path, 20³ at 1.43x).
    /// </summary>
    public const long MaxTransposedWork = 32L * 32 * 32;

    /// <summary>
    /// Largest k·n of a transposed B that takes this path up to <see cref="MaxWork"/>: 1000×20→20 NT
    /// (k·n = 400) ran 1.04-1.35x faster than the packed path (Zen 5). A layer's forward product
    /// has k = width + 1 (the bias column), so a bound of 1024 sent 32×33→32 to the packed path; on an
    /// Intel Xeon (Sapphire Rapids class, one thread, alternated calls) unpacked ran 1.43x (float) and
    /// 1.42x (double) faster there, 1.84x / 1.59x at 32×32→33 and 1.44x / 1.13x at 48³. Below 64³'s
    /// 4096, where Zen 5 ran unpacked at 0.88x.
    /// </summary>
    public const int MaxTransposedElements = 48 * 48;

    /// <summary>Largest n that takes this path: the transposed-B buffer must hold at least 4 rows of op(B).</summary>
    public const int MaxColumns = 256;

    /// <summary>Size of the stack buffer holding rows of a transposed B (16 KiB: a third of L1D).</summary>
    public const int BufferBytes = 16384;

    /// <summary>
    /// Largest k·n of an op(B) = B that takes this path above <see cref="MaxWork"/> (up to the
    /// parallel threshold, so the choice never depends on the thread count): B then stays in L1/L2
    /// and is read in place, while the packed path would pay for packing all of A. Zen 5, float,
    /// one thread, unpacked against packed: 1000×100×50 1.22-1.26x, 1000×50×100 1.10x, 1000×100×20
    /// 1.54x, TN 1000×100×50 1.21x, 1000×64×128 1.08x; 1000×32×256 0.91-1.00x, hence
    /// <see cref="MaxTallColumns"/>.
    /// </summary>
    public const int MaxTallElements = 8192;

    /// <summary>Largest n for <see cref="MaxTallElements"/>: wider rows gain nothing from skipping the packing.</summary>
    public const int MaxTallColumns = 128;

    /// <summary>
    /// Smallest n for <see cref="MaxTallElements"/>: narrower rows than a Vector256 of float would
    /// run on the scalar small kernel, slower than the packed vector path.
    /// </summary>
    public const int MinTallColumns = 16;

    /// <summary>
    /// Largest m that takes this path with any k (n and the work bounded as for
    /// <see cref="MaxTallElements"/>): a short C gains little from packing B, and the packed path
    /// wastes a partial panel of A rows. TN 50×1000×100 (the gradient of the 100 -> 50 layer), Zen 5,
    /// one thread, against OpenBLAS: float 0.77x packed, 0.97-1.00x unpacked; double 1.09x packed,
    /// 0.92x unpacked, so float only.
    /// </summary>
    public const int MaxShortRows = 64;

    /// <summary>
    /// Largest n·n·k of a SYRK <c>C[n,n] = AᵀA</c> (A [k, n], one example per row) computed whole by this
    /// path rather than by the packed lower-triangle tiles: the unpacked kernels do twice the
    /// multiply-adds and still win while packing dominates. Intel Xeon (Sapphire Rapids class), one
    /// thread, alternated calls, packed lower triangle against unpacked whole product: n = 32, k = 32
    /// float 1.64x, double 1.28x; 33×32 1.87x / 1.21x; 20×20 2.73x / 2.00x; 50×50 1.34x / 1.31x;
    /// 64×64 1.20x / 1.18x; 100×100 1.04x / 0.75x; 101×1000 0.71x / 0.66x.
    /// </summary>
    public const long MaxSyrkWork = 64L * 64 * 64;

    /// <summary>
    /// As <see cref="MaxSyrkWork"/> for <c>C = AAᵀ</c> (A [n, k], the sample-space Gram matrix), whose
    /// B is transposed and copied: 32×32 float 1.28x, double 1.09x; 32×33 1.30x / 1.06x; 64×64 1.01x / 0.92x.
    /// </summary>
    public const long MaxSyrkTransposedWork = 40L * 40 * 40;

    /// <summary>Whether a SYRK of this shape is computed whole, unpacked (the caller mirrors the lower triangle).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSmallSyrk(int n, int k, bool transposeB) =>
        n <= MaxColumns && (long)n * n * k <= (transposeB ? MaxSyrkTransposedWork : MaxSyrkWork);

    /// <summary>Whether a GEMM of this shape runs unpacked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSmall(int m, int n, int k, bool transposeB, bool single)
    {
        long work = (long)m * n * k;
        if (!transposeB && n is >= MinTallColumns and <= MaxTallColumns
            && ((long)n * k <= MaxTallElements || (single && m <= MaxShortRows)) && work < GemmDriver.ParallelThreshold)
        {
            return true;
        }

        return n <= MaxColumns && work <= MaxWork
            && (!transposeB || work <= MaxTransposedWork || (long)n * k <= MaxTransposedElements);
    }

    /// <summary>
    /// Runs a validated GEMM with m, n, k &gt; 0 and alpha ≠ 0 on <paramref name="path"/>. A (B) is
    /// [m, k] ([k, n]) as stored, or [k, m] ([n, k]) when transposed; C is [m, n].
    /// </summary>
    public static void Run<T>(
        T* a, nint lda, bool transposeA, T* b, nint ldb, bool transposeB, T alpha, T beta,
        T* c, nint ldc, int m, int n, int k, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (path)
        {
            case KernelPath.Vector512:
                GemmSmallVector<Simd512<T>, Vector512<T>, T>.Run(a, lda, transposeA, b, ldb, transposeB, alpha, beta, c, ldc, m, n, k);
                break;
            case KernelPath.Vector256:
                GemmSmallVector<Simd256<T>, Vector256<T>, T>.Run(a, lda, transposeA, b, ldb, transposeB, alpha, beta, c, ldc, m, n, k);
                break;
            default:
                GemmSmallVector<SimdScalar<T, Zero>, T, T>.Run(a, lda, transposeA, b, ldb, transposeB, alpha, beta, c, ldc, m, n, k);
                break;
        }
    }
}
