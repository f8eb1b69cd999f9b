using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// The vector small-problem GEMM (see <see cref="GemmSmall"/>), one body for 512 and 256 bits: 8
/// (512 bits only) then 4 rows × 1, 2 or 3 vectors of C in registers, one broadcast of op(A) and one
/// row load of op(B) per multiply-add column.
/// </summary>
/// <remarks>
/// Columns of C are covered by whole vectors, the last one overlapping its neighbour when n is not
/// a multiple of the width w (TensorPrimitives' tail). Overlapped lanes are computed by the same
/// operations as in the neighbour, so with beta = 0 the tail simply stores them again; with
/// beta ≠ 0 they keep the value already stored, so that beta never scales an element twice.
/// n below w runs on the next narrower body (256 bits, then <see cref="GemmSmallScalar"/>). Every
/// tile computes each element as the FMA chain over k in order, so the tiling never changes a bit.
/// </remarks>
internal static unsafe class GemmSmallVector<TSimd, TVector, T>
    where TSimd : ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Whether this is the 512-bit body, which adds the 8-row tiles and the width-20 kernels.</summary>
    private static bool Wide => typeof(TVector) == typeof(Vector512<T>);

    /// <inheritdoc cref="GemmSmall.Run{T}"/>
    [SkipLocalsInit]
    public static void Run(
        T* a, nint lda, bool transposeA, T* b, nint ldb, bool transposeB, T alpha, T beta,
        T* c, nint ldc, int m, int n, int k)
    {
        if (n < (int)TSimd.Count)
        {
            if (Wide)
            {
                GemmSmallVector<Simd256<T>, Vector256<T>, T>.Run(a, lda, transposeA, b, ldb, transposeB, alpha, beta, c, ldc, m, n, k);
            }
            else
            {
                GemmSmallScalar.Run(a, lda, transposeA, b, ldb, transposeB, alpha, beta, c, ldc, m, n, k);
            }

            return;
        }

        nint aRow = transposeA ? 1 : lda, aStep = transposeA ? lda : 1;
        if (!transposeB)
        {
            int i = 0;
            if (Wide && n == GemmSmallVector512Width20.Columns)
            {
                // Width 20 straight from here: entering Rows (a large frame, the overlap mask) cost
                // about 5% of a 20³ product when every row goes to the width-20 tiles.
                i = GemmSmallVector512Width20.Rows(a, aRow, aStep, b, ldb, alpha, beta, c, ldc, m, k);
                if (i == m)
                {
                    return;
                }
            }

            Rows(a + (i * aRow), aRow, aStep, b, ldb, alpha, beta, c + (i * ldc), ldc, m - i, n, k);
            return;
        }

        byte* buffer = stackalloc byte[GemmSmall.BufferBytes];
        int kcStep = GemmSmall.BufferBytes / sizeof(T) / n;
        for (int pc = 0; pc < k; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            GemmSmall.TransposeB(b, ldb, pc, kc, n, (T*)buffer);
            Rows(a + (pc * aStep), aRow, aStep, (T*)buffer, n, alpha, pc == 0 ? beta : T.One, c, ldc, m, n, kc);
        }
    }

    /// <summary>C = alpha·op(A)·B + beta·C for B [k, n] with row stride ldb.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(
        T* a, nint aRow, nint aStep, T* b, nint ldb, T alpha, T beta, T* c, nint ldc, int m, int n, int k)
    {
        int w = (int)TSimd.Count;
        int vectors = (n + w - 1) / w;
        int tail = n - w;                   // start of the last vector
        int overlap = (vectors * w) - n;    // lanes of the last vector already stored by its neighbour
        var epilogue = new Epilogue(alpha, beta, overlap);
        int i = 0;
        if (Wide && n == GemmSmallVector512Width20.Columns && m >= 8)
        {
            // Width 20: the 4-column tails of several rows share a vector (float 1.14-1.3x on 20³ and
            // 1000×20×20, Zen 5); the rows it leaves take the general tiles below. (A transposed B
            // arrives here in chunks of k; an untransposed one has had its width-20 rows done by Run.)
            i = GemmSmallVector512Width20.Rows(a, aRow, aStep, b, ldb, alpha, beta, c, ldc, m, k);
        }

        // Float n = 68, 100, 132, ...: the 8-row tiles share vectors for the 4-column tails (Zen 5,
        // one thread, 100³ against OpenBLAS 0.88x -> 1.00x). n mod 16 = 4 with an odd number of
        // whole vectors (and n = 36, one pass of three vectors) keeps the overlapped vector.
        bool sharedTail = Wide && typeof(T) == typeof(float) && n % 32 == 4 && n > 32;
        for (; Wide && i + 8 <= m; i += 8)
        {
            // Eight rows: 16 (24 with three vectors) accumulators keep both FMA pipes busy through the
            // 4-cycle latency, and each row of B loaded is used eight times. Zen 5, float, one thread:
            // 32³ 161 -> 205 GFLOP/s, 50³ 126 -> 150, 100³ 158 -> 181 against four-row tiles.
            T* ai = a + (i * aRow);
            T* ci = c + (i * ldc);
            if (vectors == 3)
            {
                Tile8x3(ai, aRow, aStep, b, b + w, b + tail, ldb, k, ci, ci + w, ci + tail, ldc, epilogue);
                continue;
            }

            int v = 0;
            if (sharedTail)
            {
                // Whole vectors in pairs, the last pair carrying the 4-column tails (float n mod 32 = 4).
                for (; v + 2 < vectors - 1; v += 2)
                {
                    Tile8x2(ai, aRow, aStep, b + (v * w), b + ((v + 1) * w), ldb, k, ci + (v * w), ci + ((v + 1) * w), ldc, false, epilogue);
                }

                GemmSmallVector512Width20.Tile8x2Tail4(
                    (float*)(ai), aRow, aStep, (float*)(b + (v * w)), (float*)(b + n - 4), ldb, k, (float*)(ci + (v * w)),
                    (float*)(ci + n - 4), ldc, float.CreateTruncating(alpha), float.CreateTruncating(beta));
                continue;
            }

            for (; v + 2 <= vectors; v += 2)
            {
                int j0 = v * w;
                int j1 = v + 1 == vectors - 1 ? tail : j0 + w;
                Tile8x2(ai, aRow, aStep, b + j0, b + j1, ldb, k, ci + j0, ci + j1, ldc, v + 1 == vectors - 1, epilogue);
            }

            if (v < vectors)
            {
                int j0 = v == vectors - 1 ? tail : v * w;
                Tile8x1(ai, aRow, aStep, b + j0, ldb, k, ci + j0, ldc, v == vectors - 1, epilogue);
            }
        }

        // Four-row tiles: once after the 8-row tiles, or all the way on 256 bits (AVX2's 16 registers
        // hold 4×3 accumulators, not 8×2).
        for (; i + 4 <= m; i += 4)
        {
            FourRows(a + (i * aRow), aRow, aStep, b, ldb, c + (i * ldc), ldc, k, vectors, tail, epilogue);
        }

        if (i < m)
        {
            LastRows(a, aRow, aStep, b, ldb, c, ldc, i, m, k, vectors, tail, epilogue);
        }
    }

    /// <summary>
    /// Four rows of C (what the 8-row tiles leave when m mod 8 ≥ 4). Kept out of
    /// <see cref="Rows"/>, as <see cref="LastRows"/>: in one method the JIT stopped inlining
    /// the tiles (Tile4x1 ran as a call, 100³ float took 1.5x as long).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FourRows(
        T* ai, nint aRow, nint aStep, T* b, nint ldb, T* ci, nint ldc, int k, int vectors, int tail, Epilogue epilogue)
    {
        int w = (int)TSimd.Count;
        int v = 0;
        if (vectors == 3)
        {
            // One pass over k instead of two (n = 20 and 24 in double, 33..48 in float).
            Tile4x3(ai, aRow, aStep, b, b + w, b + tail, ldb, k, ci, ci + w, ci + tail, ldc, epilogue);
            return;
        }

        for (; v + 2 <= vectors; v += 2)
        {
            int j0 = v * w;
            int j1 = v + 1 == vectors - 1 ? tail : j0 + w;
            Tile4x2(ai, aRow, aStep, b + j0, b + j1, ldb, k, ci + j0, ci + j1, ldc, v + 1 == vectors - 1, epilogue);
        }

        if (v < vectors)
        {
            int j0 = v == vectors - 1 ? tail : v * w;
            Tile4x1(ai, aRow, aStep, b + j0, ldb, k, ci + j0, ldc, v == vectors - 1, epilogue);
        }
    }

    /// <summary>
    /// The last m mod 4 rows: pairs of rows over four, two or one vectors, then a single row over
    /// four or one. A lone row has one FMA chain per vector, bound by the 4-cycle FMA latency: the
    /// two last rows of 50³ in double (7 vectors) as single rows took a sixth of the product's
    /// time, as pairs (8, 4 and 2 chains) half of that. Kept out of <see cref="Rows"/> so that
    /// the JIT still inlines every tile there (it stopped inlining loads, stores and FMAs of the
    /// single-row tiles once the method grew).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void LastRows(
        T* a, nint aRow, nint aStep, T* b, nint ldb, T* c, nint ldc, int i, int m, int k, int vectors, int tail,
        Epilogue epilogue)
    {
        int w = (int)TSimd.Count;
        for (; i + 2 <= m; i += 2)
        {
            T* ai = a + (i * aRow);
            T* ci = c + (i * ldc);
            int v = 0;
            for (; v + 4 <= vectors; v += 4)
            {
                int j3 = v + 3 == vectors - 1 ? tail : (v + 3) * w;
                Tile2x4(ai, aRow, aStep, b + (v * w), b + ((v + 1) * w), b + ((v + 2) * w), b + j3, ldb, k, ci + (v * w),
                    j3 - (v * w), ldc, v + 3 == vectors - 1, epilogue);
            }

            for (; v + 2 <= vectors; v += 2)
            {
                int j1 = v + 1 == vectors - 1 ? tail : (v + 1) * w;
                Tile2x2(ai, aRow, aStep, b + (v * w), b + j1, ldb, k, ci + (v * w), ci + j1, ldc, v + 1 == vectors - 1, epilogue);
            }

            if (v < vectors)
            {
                int j0 = v == vectors - 1 ? tail : v * w;
                Tile2x2(ai, aRow, aStep, b + j0, b + j0, ldb, k, ci + j0, ci + j0, ldc, v == vectors - 1, epilogue);
            }
        }

        if (i < m)
        {
            T* ai = a + (i * aRow);
            T* ci = c + (i * ldc);
            int v = 0;

            // Four vectors of one row at a time: four independent FMA chains instead of one.
            for (; v + 4 <= vectors; v += 4)
            {
                int j3 = v + 3 == vectors - 1 ? tail : (v + 3) * w;
                Tile1x4(ai, aStep, b + (v * w), b + ((v + 1) * w), b + ((v + 2) * w), b + j3, ldb, k, ci + (v * w), j3 - (v * w),
                    v + 3 == vectors - 1, epilogue);
            }

            for (; v < vectors; v++)
            {
                int j0 = v == vectors - 1 ? tail : v * w;
                Tile1x1(ai, aStep, b + j0, ldb, k, ci + j0, v == vectors - 1, epilogue);
            }
        }
    }

    /// <summary>
    /// Two rows of C, four vectors: columns c0, c0 + w, c0 + 2w and c0 + lastOffset (the last may
    /// overlap the third when it is C's tail).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile2x4(
        T* a, nint aRow, nint aStep, T* b0, T* b1, T* b2, T* b3, nint ldb, int k, T* c0, nint lastOffset, nint ldc, bool last,
        Epilogue epilogue)
    {
        TVector x0 = default, x1 = default, x2 = default, x3 = default;
        TVector y0 = default, y1 = default, y2 = default, y3 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVector v0 = TSimd.Load(ref *(b0 + offset), 0);
            TVector v1 = TSimd.Load(ref *(b1 + offset), 0);
            TVector v2 = TSimd.Load(ref *(b2 + offset), 0);
            TVector v3 = TSimd.Load(ref *(b3 + offset), 0);
            TVector s = TSimd.Broadcast(a[0]);
            x0 = TSimd.Fma(s, v0, x0);
            x1 = TSimd.Fma(s, v1, x1);
            x2 = TSimd.Fma(s, v2, x2);
            x3 = TSimd.Fma(s, v3, x3);
            s = TSimd.Broadcast(a[aRow]);
            y0 = TSimd.Fma(s, v0, y0);
            y1 = TSimd.Fma(s, v1, y1);
            y2 = TSimd.Fma(s, v2, y2);
            y3 = TSimd.Fma(s, v3, y3);
            a += aStep;
            offset += ldb;
        }

        nint w = (int)TSimd.Count;
        epilogue.Store(x0, c0, false);
        epilogue.Store(x1, c0 + w, false);
        epilogue.Store(x2, c0 + (2 * w), false);
        epilogue.Store(x3, c0 + lastOffset, last);
        T* d0 = c0 + ldc;
        epilogue.Store(y0, d0, false);
        epilogue.Store(y1, d0 + w, false);
        epilogue.Store(y2, d0 + (2 * w), false);
        epilogue.Store(y3, d0 + lastOffset, last);
    }

    /// <summary>
    /// Two rows of C, two vectors at c0 and c1 (c1 may overlap c0 when it is C's tail; c1 = c0
    /// computes one vector twice, the second store writing the same values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile2x2(
        T* a, nint aRow, nint aStep, T* b0, T* b1, nint ldb, int k, T* c0, T* c1, nint ldc, bool last, Epilogue epilogue)
    {
        TVector x0 = default, x1 = default, y0 = default, y1 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVector v0 = TSimd.Load(ref *(b0 + offset), 0);
            TVector v1 = TSimd.Load(ref *(b1 + offset), 0);
            TVector s = TSimd.Broadcast(a[0]);
            x0 = TSimd.Fma(s, v0, x0);
            x1 = TSimd.Fma(s, v1, x1);
            s = TSimd.Broadcast(a[aRow]);
            y0 = TSimd.Fma(s, v0, y0);
            y1 = TSimd.Fma(s, v1, y1);
            a += aStep;
            offset += ldb;
        }

        if (c1 != c0)
        {
            epilogue.Store(x0, c0, false);
            epilogue.Store(y0, c0 + ldc, false);
        }

        epilogue.Store(x1, c1, last);
        epilogue.Store(y1, c1 + ldc, last);
    }

    /// <summary>
    /// One row of C, four vectors: columns c0, c0 + w, c0 + 2w and c0 + lastOffset (the last may
    /// overlap the third when it is C's tail).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x4(
        T* a, nint aStep, T* b0, T* b1, T* b2, T* b3, nint ldb, int k, T* c0, nint lastOffset, bool last, Epilogue epilogue)
    {
        TVector x0 = default, x1 = default, x2 = default, x3 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVector s = TSimd.Broadcast(*a);
            x0 = TSimd.Fma(s, TSimd.Load(ref *(b0 + offset), 0), x0);
            x1 = TSimd.Fma(s, TSimd.Load(ref *(b1 + offset), 0), x1);
            x2 = TSimd.Fma(s, TSimd.Load(ref *(b2 + offset), 0), x2);
            x3 = TSimd.Fma(s, TSimd.Load(ref *(b3 + offset), 0), x3);
            a += aStep;
            offset += ldb;
        }

        nint w = (int)TSimd.Count;
        epilogue.Store(x0, c0, false);
        epilogue.Store(x1, c0 + w, false);
        epilogue.Store(x2, c0 + (2 * w), false);
        epilogue.Store(x3, c0 + lastOffset, last);
    }


    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile8x2(
        T* a, nint aRow, nint aStep, T* b0, T* b1, nint ldb, int k, T* c0, T* c1, nint ldc, bool last, Epilogue epilogue)
    {
        TVector x00 = default; TVector x01 = default;
        TVector x10 = default; TVector x11 = default;
        TVector x20 = default; TVector x21 = default;
        TVector x30 = default; TVector x31 = default;
        TVector x40 = default; TVector x41 = default;
        TVector x50 = default; TVector x51 = default;
        TVector x60 = default; TVector x61 = default;
        TVector x70 = default; TVector x71 = default;
        T* a4 = a + (4 * aRow);
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVector v0 = TSimd.Load(ref *(b0 + offset), 0);
            TVector v1 = TSimd.Load(ref *(b1 + offset), 0);
            TVector s = TSimd.Broadcast(a[0]);
            x00 = TSimd.Fma(s, v0, x00);
            x01 = TSimd.Fma(s, v1, x01);
            s = TSimd.Broadcast(a[aRow]);
            x10 = TSimd.Fma(s, v0, x10);
            x11 = TSimd.Fma(s, v1, x11);
            s = TSimd.Broadcast(a[2 * aRow]);
            x20 = TSimd.Fma(s, v0, x20);
            x21 = TSimd.Fma(s, v1, x21);
            s = TSimd.Broadcast(a[3 * aRow]);
            x30 = TSimd.Fma(s, v0, x30);
            x31 = TSimd.Fma(s, v1, x31);
            s = TSimd.Broadcast(a4[0]);
            x40 = TSimd.Fma(s, v0, x40);
            x41 = TSimd.Fma(s, v1, x41);
            s = TSimd.Broadcast(a4[aRow]);
            x50 = TSimd.Fma(s, v0, x50);
            x51 = TSimd.Fma(s, v1, x51);
            s = TSimd.Broadcast(a4[2 * aRow]);
            x60 = TSimd.Fma(s, v0, x60);
            x61 = TSimd.Fma(s, v1, x61);
            s = TSimd.Broadcast(a4[3 * aRow]);
            x70 = TSimd.Fma(s, v0, x70);
            x71 = TSimd.Fma(s, v1, x71);
            a += aStep;
            a4 += aStep;
            offset += ldb;
        }

        // Left to right in each row: the last vector may overlap its left neighbour.
        epilogue.Store(x00, c0, false);
        epilogue.Store(x01, c1, last);
        epilogue.Store(x10, c0 + ldc, false);
        epilogue.Store(x11, c1 + ldc, last);
        epilogue.Store(x20, c0 + (2 * ldc), false);
        epilogue.Store(x21, c1 + (2 * ldc), last);
        epilogue.Store(x30, c0 + (3 * ldc), false);
        epilogue.Store(x31, c1 + (3 * ldc), last);
        epilogue.Store(x40, c0 + (4 * ldc), false);
        epilogue.Store(x41, c1 + (4 * ldc), last);
        epilogue.Store(x50, c0 + (5 * ldc), false);
        epilogue.Store(x51, c1 + (5 * ldc), last);
        epilogue.Store(x60, c0 + (6 * ldc), false);
        epilogue.Store(x61, c1 + (6 * ldc), last);
        epilogue.Store(x70, c0 + (7 * ldc), false);
        epilogue.Store(x71, c1 + (7 * ldc), last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile8x3(
        T* a, nint aRow, nint aStep, T* b0, T* b1, T* b2, nint ldb, int k, T* c0, T* c1, T* c2, nint ldc, Epilogue epilogue)
    {
        TVector x00 = default; TVector x01 = default; TVector x02 = default;
        TVector x10 = default; TVector x11 = default; TVector x12 = default;
        TVector x20 = default; TVector x21 = default; TVector x22 = default;
        TVector x30 = default; TVector x31 = default; TVector x32 = default;
        TVector x40 = default; TVector x41 = default; TVector x42 = default;
        TVector x50 = default; TVector x51 = default; TVector x52 = default;
        TVector x60 = default; TVector x61 = default; TVector x62 = default;
        TVector x70 = default; TVector x71 = default; TVector x72 = default;
        T* a4 = a + (4 * aRow);
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVector v0 = TSimd.Load(ref *(b0 + offset), 0);
            TVector v1 = TSimd.Load(ref *(b1 + offset), 0);
            TVector v2 = TSimd.Load(ref *(b2 + offset), 0);
            TVector s = TSimd.Broadcast(a[0]);
            x00 = TSimd.Fma(s, v0, x00);
            x01 = TSimd.Fma(s, v1, x01);
            x02 = TSimd.Fma(s, v2, x02);
            s = TSimd.Broadcast(a[aRow]);
            x10 = TSimd.Fma(s, v0, x10);
            x11 = TSimd.Fma(s, v1, x11);
            x12 = TSimd.Fma(s, v2, x12);
            s = TSimd.Broadcast(a[2 * aRow]);
            x20 = TSimd.Fma(s, v0, x20);
            x21 = TSimd.Fma(s, v1, x21);
            x22 = TSimd.Fma(s, v2, x22);
            s = TSimd.Broadcast(a[3 * aRow]);
            x30 = TSimd.Fma(s, v0, x30);
            x31 = TSimd.Fma(s, v1, x31);
            x32 = TSimd.Fma(s, v2, x32);
            s = TSimd.Broadcast(a4[0]);
            x40 = TSimd.Fma(s, v0, x40);
            x41 = TSimd.Fma(s, v1, x41);
            x42 = TSimd.Fma(s, v2, x42);
            s = TSimd.Broadcast(a4[aRow]);
            x50 = TSimd.Fma(s, v0, x50);
            x51 = TSimd.Fma(s, v1, x51);
            x52 = TSimd.Fma(s, v2, x52);
            s = TSimd.Broadcast(a4[2 * aRow]);
            x60 = TSimd.Fma(s, v0, x60);
            x61 = TSimd.Fma(s, v1, x61);
            x62 = TSimd.Fma(s, v2, x62);
            s = TSimd.Broadcast(a4[3 * aRow]);
            x70 = TSimd.Fma(s, v0, x70);
            x71 = TSimd.Fma(s, v1, x71);
            x72 = TSimd.Fma(s, v2, x72);
            a += aStep;
            a4 += aStep;
            offset += ldb;
        }

        // Left to right in each row: the last vector may overlap its left neighbour.
        epilogue.Store(x00, c0, false);
        epilogue.Store(x01, c1, false);
        epilogue.Store(x02, c2, true);
        epilogue.Store(x10, c0 + ldc, false);
        epilogue.Store(x11, c1 + ldc, false);
        epilogue.Store(x12, c2 + ldc, true);
        epilogue.Store(x20, c0 + (2 * ldc), false);
        epilogue.Store(x21, c1 + (2 * ldc), false);
        epilogue.Store(x22, c2 + (2 * ldc), true);
        epilogue.Store(x30, c0 + (3 * ldc), false);
        epilogue.Store(x31, c1 + (3 * ldc), false);
        epilogue.Store(x32, c2 + (3 * ldc), true);
        epilogue.Store(x40, c0 + (4 * ldc), false);
        epilogue.Store(x41, c1 + (4 * ldc), false);
        epilogue.Store(x42, c2 + (4 * ldc), true);
        epilogue.Store(x50, c0 + (5 * ldc), false);
        epilogue.Store(x51, c1 + (5 * ldc), false);
        epilogue.Store(x52, c2 + (5 * ldc), true);
        epilogue.Store(x60, c0 + (6 * ldc), false);
        epilogue.Store(x61, c1 + (6 * ldc), false);
        epilogue.Store(x62, c2 + (6 * ldc), true);
        epilogue.Store(x70, c0 + (7 * ldc), false);
        epilogue.Store(x71, c1 + (7 * ldc), false);
        epilogue.Store(x72, c2 + (7 * ldc), true);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile8x1(
        T* a, nint aRow, nint aStep, T* b0, nint ldb, int k, T* c0, nint ldc, bool last, Epilogue epilogue)
    {
        TVector x00 = default;
        TVector x10 = default;
        TVector x20 = default;
        TVector x30 = default;
        TVector x40 = default;
        TVector x50 = default;
        TVector x60 = default;
        TVector x70 = default;
        T* a4 = a + (4 * aRow);
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVector v0 = TSimd.Load(ref *(b0 + offset), 0);
            TVector s = TSimd.Broadcast(a[0]);
            x00 = TSimd.Fma(s, v0, x00);
            s = TSimd.Broadcast(a[aRow]);
            x10 = TSimd.Fma(s, v0, x10);
            s = TSimd.Broadcast(a[2 * aRow]);
            x20 = TSimd.Fma(s, v0, x20);
            s = TSimd.Broadcast(a[3 * aRow]);
            x30 = TSimd.Fma(s, v0, x30);
            s = TSimd.Broadcast(a4[0]);
            x40 = TSimd.Fma(s, v0, x40);
            s = TSimd.Broadcast(a4[aRow]);
            x50 = TSimd.Fma(s, v0, x50);
            s = TSimd.Broadcast(a4[2 * aRow]);
            x60 = TSimd.Fma(s, v0, x60);
            s = TSimd.Broadcast(a4[3 * aRow]);
            x70 = TSimd.Fma(s, v0, x70);
            a += aStep;
            a4 += aStep;
            offset += ldb;
        }

        // Left to right in each row: the last vector may overlap its left neighbour.
        epilogue.Store(x00, c0, last);
        epilogue.Store(x10, c0 + ldc, last);
        epilogue.Store(x20, c0 + (2 * ldc), last);
        epilogue.Store(x30, c0 + (3 * ldc), last);
        epilogue.Store(x40, c0 + (4 * ldc), last);
        epilogue.Store(x50, c0 + (5 * ldc), last);
        epilogue.Store(x60, c0 + (6 * ldc), last);
        epilogue.Store(x70, c0 + (7 * ldc), last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x2(
        T* a, nint aRow, nint aStep, T* b0, T* b1, nint ldb, int k, T* c0, T* c1, nint ldc, bool last, Epilogue epilogue)
    {
        TVector x00 = default, x01 = default, x10 = default, x11 = default;
        TVector x20 = default, x21 = default, x30 = default, x31 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVector v0 = TSimd.Load(ref *(b0 + offset), 0);
            TVector v1 = TSimd.Load(ref *(b1 + offset), 0);
            TVector s = TSimd.Broadcast(a[0]);
            x00 = TSimd.Fma(s, v0, x00);
            x01 = TSimd.Fma(s, v1, x01);
            s = TSimd.Broadcast(a[aRow]);
            x10 = TSimd.Fma(s, v0, x10);
            x11 = TSimd.Fma(s, v1, x11);
            s = TSimd.Broadcast(a[2 * aRow]);
            x20 = TSimd.Fma(s, v0, x20);
            x21 = TSimd.Fma(s, v1, x21);
            s = TSimd.Broadcast(a[3 * aRow]);
            x30 = TSimd.Fma(s, v0, x30);
            x31 = TSimd.Fma(s, v1, x31);
            a += aStep;
            offset += ldb;
        }

        // Left vector first: a tail on the right may overlap it and must see its final values.
        epilogue.Store(x00, c0, false);
        epilogue.Store(x01, c1, last);
        epilogue.Store(x10, c0 + ldc, false);
        epilogue.Store(x11, c1 + ldc, last);
        epilogue.Store(x20, c0 + (2 * ldc), false);
        epilogue.Store(x21, c1 + (2 * ldc), last);
        epilogue.Store(x30, c0 + (3 * ldc), false);
        epilogue.Store(x31, c1 + (3 * ldc), last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x3(
        T* a, nint aRow, nint aStep, T* b0, T* b1, T* b2, nint ldb, int k, T* c0, T* c1, T* c2, nint ldc,
        Epilogue epilogue)
    {
        TVector x00 = default, x01 = default, x02 = default, x10 = default, x11 = default, x12 = default;
        TVector x20 = default, x21 = default, x22 = default, x30 = default, x31 = default, x32 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVector v0 = TSimd.Load(ref *(b0 + offset), 0);
            TVector v1 = TSimd.Load(ref *(b1 + offset), 0);
            TVector v2 = TSimd.Load(ref *(b2 + offset), 0);
            TVector s = TSimd.Broadcast(a[0]);
            x00 = TSimd.Fma(s, v0, x00);
            x01 = TSimd.Fma(s, v1, x01);
            x02 = TSimd.Fma(s, v2, x02);
            s = TSimd.Broadcast(a[aRow]);
            x10 = TSimd.Fma(s, v0, x10);
            x11 = TSimd.Fma(s, v1, x11);
            x12 = TSimd.Fma(s, v2, x12);
            s = TSimd.Broadcast(a[2 * aRow]);
            x20 = TSimd.Fma(s, v0, x20);
            x21 = TSimd.Fma(s, v1, x21);
            x22 = TSimd.Fma(s, v2, x22);
            s = TSimd.Broadcast(a[3 * aRow]);
            x30 = TSimd.Fma(s, v0, x30);
            x31 = TSimd.Fma(s, v1, x31);
            x32 = TSimd.Fma(s, v2, x32);
            a += aStep;
            offset += ldb;
        }

        // Left to right in each row: the last vector may overlap the middle one.
        epilogue.Store(x00, c0, false);
        epilogue.Store(x01, c1, false);
        epilogue.Store(x02, c2, true);
        epilogue.Store(x10, c0 + ldc, false);
        epilogue.Store(x11, c1 + ldc, false);
        epilogue.Store(x12, c2 + ldc, true);
        epilogue.Store(x20, c0 + (2 * ldc), false);
        epilogue.Store(x21, c1 + (2 * ldc), false);
        epilogue.Store(x22, c2 + (2 * ldc), true);
        epilogue.Store(x30, c0 + (3 * ldc), false);
        epilogue.Store(x31, c1 + (3 * ldc), false);
        epilogue.Store(x32, c2 + (3 * ldc), true);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x1(
        T* a, nint aRow, nint aStep, T* b0, nint ldb, int k, T* c0, nint ldc, bool last, Epilogue epilogue)
    {
        TVector x0 = default, x1 = default, x2 = default, x3 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            TVector v0 = TSimd.Load(ref *(b0 + offset), 0);
            x0 = TSimd.Fma(TSimd.Broadcast(a[0]), v0, x0);
            x1 = TSimd.Fma(TSimd.Broadcast(a[aRow]), v0, x1);
            x2 = TSimd.Fma(TSimd.Broadcast(a[2 * aRow]), v0, x2);
            x3 = TSimd.Fma(TSimd.Broadcast(a[3 * aRow]), v0, x3);
            a += aStep;
            offset += ldb;
        }

        epilogue.Store(x0, c0, last);
        epilogue.Store(x1, c0 + ldc, last);
        epilogue.Store(x2, c0 + (2 * ldc), last);
        epilogue.Store(x3, c0 + (3 * ldc), last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x1(T* a, nint aStep, T* b0, nint ldb, int k, T* c0, bool last, Epilogue epilogue)
    {
        TVector x0 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            x0 = TSimd.Fma(TSimd.Broadcast(*a), TSimd.Load(ref *(b0 + offset), 0), x0);
            a += aStep;
            offset += ldb;
        }

        epilogue.Store(x0, c0, last);
    }

    /// <summary>C = alpha·x + beta·C for one vector; the last vector keeps its overlapped lanes.</summary>
    private readonly struct Epilogue
    {
        private readonly TVector _alpha;
        private readonly TVector _beta;
        private readonly TVector _fresh;   // lanes of the last vector not stored before
        private readonly bool _betaZero;

        public Epilogue(T alpha, T beta, int overlap)
        {
            _alpha = TSimd.Broadcast(alpha);
            _beta = TSimd.Broadcast(beta);
            _fresh = TSimd.LanesFrom(overlap);
            _betaZero = T.IsZero(beta);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(TVector x, T* c, bool last)
        {
            TVector product = TSimd.Multiply(_alpha, x);
            if (_betaZero)
            {
                TSimd.Store(product, ref *c, 0);
                return;
            }

            TVector old = TSimd.Load(ref *c, 0);
            TVector result = TSimd.Fma(_beta, old, product);
            if (last)
            {
                result = TSimd.Select(_fresh, result, old);
            }

            TSimd.Store(result, ref *c, 0);
        }
    }
}
