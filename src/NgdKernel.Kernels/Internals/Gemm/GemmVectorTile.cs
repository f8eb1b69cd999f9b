namespace NgdKernel.Kernels.Internals;

/// <summary>
/// The vector GEMM micro-kernel, one body for every instruction set: a tile of
/// <typeparamref name="TRows"/> (6 or 12) rows × 2 vectors of C, held in register accumulators.
/// </summary>
/// <remarks>
/// BLIS micro-kernel contract: no m or n loop; A's packed panel is Mr×kc (k-major, Mr contiguous per
/// k) and B's is kc×Nr (Nr contiguous per k). Per k step: 2 vector loads of B, Mr broadcasts of A,
/// 2·Mr FMAs. Vector512 uses 12×2W (12×32 float, 12×16 double): 24 accumulators + 2 B vectors + 1
/// broadcast = 27 of the 32 zmm registers, no spills (DOTNET_JitDisasm: the k loop is loads,
/// vbroadcastss/sd and vfmadd231 only). Measured alone on packed panels in L1 (Zen 5, kc = 256):
/// 212 GFLOP/s float and 105 double, the chip's FMA peak (2 × 512-bit FMA per cycle). Every shape
/// tried reached it in L1 (14×2W 214, 6×4W 214, 8×3W 216, 9×3W 214 float); 12×2W wastes least at
/// the trainer's widths (n = 400 = 12·32 + 16, the last 16 by <see cref="RunNarrow"/>) and leaves
/// registers spare. Vector256 uses 6×2W: 12 accumulators + 2 + 1 fit AVX2's 16 ymm registers. The
/// scalar path is this body at width 1 with a separate multiply and add (6×2 elements).
/// <para>
/// Each accumulator is one FMA chain over k in order, so every element of C gets the same bits from
/// either instruction set and from <see cref="Run"/> or <see cref="RunNarrow"/>.
/// </para>
/// </remarks>
internal readonly struct GemmVectorTile<TSimd, TVector, T, TRows> : IGemmMicroKernel<T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TRows : IConstant
{
    public static int Mr => TRows.Value;

    public static int Nr => 2 * (int)TSimd.Count;

    public static bool FusedUpdate => TSimd.Fused;

    /// <inheritdoc cref="IGemmMicroKernel{T}.Update"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Update(T product, T beta, T old) => TSimd.Fused ? T.FusedMultiplyAdd(beta, old, product) : product + (beta * old);

    /// <inheritdoc cref="IGemmMicroKernel{T}.Run"/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc) =>
        Tile<Two>(kc, a, b, alpha, beta, c, ldc);

    /// <inheritdoc cref="IGemmMicroKernel{T}.RunNarrow"/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunNarrow(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc) =>
        Tile<One>(kc, a, b, alpha, beta, c, ldc);

    /// <summary>The tile over <typeparamref name="TVectors"/> (1 or 2) vectors of B's panel (row stride Nr).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Tile<TVectors>(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc)
        where TVectors : IConstant
    {
        nuint w = TSimd.Count;
        TVector x0 = default, x1 = default, x2 = default, x3 = default, x4 = default, x5 = default;
        TVector x6 = default, x7 = default, x8 = default, x9 = default, x10 = default, x11 = default;
        TVector y0 = default, y1 = default, y2 = default, y3 = default, y4 = default, y5 = default;
        TVector y6 = default, y7 = default, y8 = default, y9 = default, y10 = default, y11 = default;

        // Each k step is a rank-1 update: one row of B's panel times each of the Mr broadcast
        // elements of the matching column of A's panel.
        for (int p = 0; p < kc; p++)
        {
            TVector b0 = TSimd.Load(ref *b, 0);
            TVector b1 = TVectors.Value == 2 ? TSimd.Load(ref *b, w) : default;
            Row<TVectors>(a[0], b0, b1, ref x0, ref y0);
            Row<TVectors>(a[1], b0, b1, ref x1, ref y1);
            Row<TVectors>(a[2], b0, b1, ref x2, ref y2);
            Row<TVectors>(a[3], b0, b1, ref x3, ref y3);
            Row<TVectors>(a[4], b0, b1, ref x4, ref y4);
            Row<TVectors>(a[5], b0, b1, ref x5, ref y5);
            if (TRows.Value == 12)
            {
                Row<TVectors>(a[6], b0, b1, ref x6, ref y6);
                Row<TVectors>(a[7], b0, b1, ref x7, ref y7);
                Row<TVectors>(a[8], b0, b1, ref x8, ref y8);
                Row<TVectors>(a[9], b0, b1, ref x9, ref y9);
                Row<TVectors>(a[10], b0, b1, ref x10, ref y10);
                Row<TVectors>(a[11], b0, b1, ref x11, ref y11);
            }

            a += TRows.Value;
            b += 2 * w;
        }

        TVector va = TSimd.Broadcast(alpha), vb = TSimd.Broadcast(beta);
        bool betaZero = T.IsZero(beta);
        Store<TVectors>(x0, y0, c, w, va, vb, betaZero);
        Store<TVectors>(x1, y1, c + ldc, w, va, vb, betaZero);
        Store<TVectors>(x2, y2, c + (2 * ldc), w, va, vb, betaZero);
        Store<TVectors>(x3, y3, c + (3 * ldc), w, va, vb, betaZero);
        Store<TVectors>(x4, y4, c + (4 * ldc), w, va, vb, betaZero);
        Store<TVectors>(x5, y5, c + (5 * ldc), w, va, vb, betaZero);
        if (TRows.Value == 12)
        {
            Store<TVectors>(x6, y6, c + (6 * ldc), w, va, vb, betaZero);
            Store<TVectors>(x7, y7, c + (7 * ldc), w, va, vb, betaZero);
            Store<TVectors>(x8, y8, c + (8 * ldc), w, va, vb, betaZero);
            Store<TVectors>(x9, y9, c + (9 * ldc), w, va, vb, betaZero);
            Store<TVectors>(x10, y10, c + (10 * ldc), w, va, vb, betaZero);
            Store<TVectors>(x11, y11, c + (11 * ldc), w, va, vb, betaZero);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TVectors>(T a, TVector b0, TVector b1, ref TVector x, ref TVector y)
        where TVectors : IConstant
    {
        TVector s = TSimd.Broadcast(a);
        x = TSimd.Fma(s, b0, x);
        if (TVectors.Value == 2)
        {
            y = TSimd.Fma(s, b1, y);
        }
    }

    /// <summary>One row of the tile: <c>C = alpha·x</c>, or <c>beta·C + alpha·x</c> with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store<TVectors>(TVector x, TVector y, T* c, nuint w, TVector alpha, TVector beta, bool betaZero)
        where TVectors : IConstant
    {
        if (betaZero)
        {
            TSimd.Store(TSimd.Multiply(alpha, x), ref *c, 0);
            if (TVectors.Value == 2)
            {
                TSimd.Store(TSimd.Multiply(alpha, y), ref *c, w);
            }

            return;
        }

        TSimd.Store(TSimd.Fma(beta, TSimd.Load(ref *c, 0), TSimd.Multiply(alpha, x)), ref *c, 0);
        if (TVectors.Value == 2)
        {
            TSimd.Store(TSimd.Fma(beta, TSimd.Load(ref *c, w), TSimd.Multiply(alpha, y)), ref *c, w);
        }
    }
}
