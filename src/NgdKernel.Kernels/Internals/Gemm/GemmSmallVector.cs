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
/// n below w runs on the next narrower body (256 bits, then width 1: the scalar path). Every
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
                GemmSmallVector<SimdScalar<T, Zero>, T, T>.Run(a, lda, transposeA, b, ldb, transposeB, alpha, beta, c, ldc, m, n, k);
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

        // 64-byte aligned (stackalloc gives 16): a row of op(B) whose width is a multiple of a
        // vector then never has a load straddle two cache lines.
        byte* raw = stackalloc byte[GemmSmall.BufferBytes + 64];
        byte* buffer = (byte*)(((nint)raw + 63) & ~(nint)63);
        int kcStep = GemmSmall.BufferBytes / sizeof(T) / n;
        for (int pc = 0; pc < k; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            // op(B)[pc .. pc+kc, 0 .. n) as kc rows of n, by the 4×4 register transposes of B's packing
            // (an element-by-element copy took about a third of a 20³ NT product).
            GemmPack.PackStrided(b + pc, ldb, kc, n, n, (T*)buffer);
            Rows(a + (pc * aStep), aRow, aStep, (T*)buffer, n, alpha, pc == 0 ? beta : T.One, c, ldc, m, n, kc);
        }
    }

    /// <summary>C = alpha·op(A)·B + beta·C for B [k, n] with row stride ldb, n at least the vector width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Rows(
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
        if (Wide && m - i >= 8)
        {
            // Eight rows: 16 (24 with three vectors) accumulators keep both FMA pipes busy through the
            // 4-cycle latency, and each row of B loaded is used eight times. Zen 5, float, one thread:
            // 32³ 161 -> 205 GFLOP/s, 50³ 126 -> 150, 100³ 158 -> 181 against four-row tiles.
            RowBlocks<Eight>(a + (i * aRow), aRow, aStep, b, ldb, c + (i * ldc), ldc, k, (m - i) / 8, n, vectors, tail, sharedTail, alpha, beta, epilogue);
            i += (m - i) / 8 * 8;
        }

        // Four-row tiles: once after the 8-row tiles, or all the way on 256 bits (AVX2's 16 registers
        // hold 4×3 accumulators, not 8×2).
        if (m - i >= 4)
        {
            RowBlocks<Four>(a + (i * aRow), aRow, aStep, b, ldb, c + (i * ldc), ldc, k, (m - i) / 4, n, vectors, tail, false, alpha, beta, epilogue);
            i += (m - i) / 4 * 4;
        }

        if (i < m)
        {
            LastRows(a, aRow, aStep, b, ldb, c, ldc, i, m, k, vectors, tail, epilogue);
        }
    }

    /// <summary>
    /// <paramref name="blocks"/> blocks of <typeparamref name="TRows"/> (8 or 4) rows of C across all
    /// its columns: three vectors in one pass over k, else pairs of vectors and a last single one;
    /// with <paramref name="sharedTail"/> (float, 8 rows, n mod 32 = 4) the last pair carries the
    /// 4-column tails. Each <see cref="Tile"/> call runs down all the blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RowBlocks<TRows>(
        T* ai, nint aRow, nint aStep, T* b, nint ldb, T* ci, nint ldc, int k, int blocks, int n, int vectors, int tail,
        bool sharedTail, T alpha, T beta, in Epilogue epilogue)
        where TRows : IConstant
    {
        int w = (int)TSimd.Count;
        int v = 0;
        if (vectors == 3)
        {
            // One pass over k instead of two (n = 20 and 24 in double, 33..48 in float).
            Tile<TRows, Three>(ai, aRow, aStep, b, b + w, b + tail, null, ldb, k, blocks, ci, ci + w, ci + tail, null, ldc, true, epilogue);
            return;
        }

        if (sharedTail)
        {
            for (; v + 2 < vectors - 1; v += 2)
            {
                Tile<TRows, Two>(ai, aRow, aStep, b + (v * w), b + ((v + 1) * w), null, null, ldb, k, blocks, ci + (v * w), ci + ((v + 1) * w), null, null, ldc, false, epilogue);
            }

            for (; blocks > 0; blocks--, ai += 8 * aRow, ci += 8 * ldc)
            {
                GemmSmallVector512Width20.Tile8x2Tail4(
                    (float*)ai, aRow, aStep, (float*)(b + (v * w)), (float*)(b + n - 4), ldb, k, (float*)(ci + (v * w)),
                    (float*)(ci + n - 4), ldc, float.CreateTruncating(alpha), float.CreateTruncating(beta));
            }

            return;
        }

        for (; v + 2 <= vectors; v += 2)
        {
            int j0 = v * w;
            int j1 = v + 1 == vectors - 1 ? tail : j0 + w;
            Tile<TRows, Two>(ai, aRow, aStep, b + j0, b + j1, null, null, ldb, k, blocks, ci + j0, ci + j1, null, null, ldc, v + 1 == vectors - 1, epilogue);
        }

        if (v < vectors)
        {
            int j0 = v == vectors - 1 ? tail : v * w;
            Tile<TRows, One>(ai, aRow, aStep, b + j0, null, null, null, ldb, k, blocks, ci + j0, null, null, null, ldc, v == vectors - 1, epilogue);
        }
    }

    /// <summary>
    /// The last m mod 4 rows: pairs of rows over four, two or one vectors, then a single row over
    /// four, then its last one to three vectors in one tile. A lone row has one FMA chain per vector, bound by the 4-cycle FMA latency: the
    /// two last rows of 50³ in double (7 vectors) as single rows took a sixth of the product's
    /// time, as pairs (8, 4 and 2 chains) half of that. Kept out of <see cref="Rows"/> so that
    /// the JIT still inlines every tile there (it stopped inlining loads, stores and FMAs of the
    /// single-row tiles once the method grew).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void LastRows(
        T* a, nint aRow, nint aStep, T* b, nint ldb, T* c, nint ldc, int i, int m, int k, int vectors, int tail,
        in Epilogue epilogue)
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
                Tile<Two, Four>(ai, aRow, aStep, b + (v * w), b + ((v + 1) * w), b + ((v + 2) * w), b + j3, ldb, k, 1,
                    ci + (v * w), ci + ((v + 1) * w), ci + ((v + 2) * w), ci + j3, ldc, v + 3 == vectors - 1, epilogue);
            }

            for (; v + 2 <= vectors; v += 2)
            {
                int j1 = v + 1 == vectors - 1 ? tail : (v + 1) * w;
                Tile<Two, Two>(ai, aRow, aStep, b + (v * w), b + j1, null, null, ldb, k, 1, ci + (v * w), ci + j1, null, null, ldc, v + 1 == vectors - 1, epilogue);
            }

            if (v < vectors)
            {
                int j0 = v == vectors - 1 ? tail : v * w;
                Tile<Two, One>(ai, aRow, aStep, b + j0, null, null, null, ldb, k, 1, ci + j0, null, null, null, ldc, v == vectors - 1, epilogue);
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
                Tile<One, Four>(ai, 0, aStep, b + (v * w), b + ((v + 1) * w), b + ((v + 2) * w), b + j3, ldb, k, 1,
                    ci + (v * w), ci + ((v + 1) * w), ci + ((v + 2) * w), ci + j3, 0, v + 3 == vectors - 1, epilogue);
            }

            // The last one to three vectors in one tile too: their chains in flight together, where one
            // tile per vector ran each alone (the SYRK's lone last row of n = 33 in float, 3 vectors).
            T* b0 = b + (v * w), c0 = ci + (v * w);
            switch (vectors - v)
            {
                case 3: Tile<One, Three>(ai, 0, aStep, b0, b0 + w, b + tail, null, ldb, k, 1, c0, c0 + w, ci + tail, null, 0, true, epilogue); break;
                case 2: Tile<One, Two>(ai, 0, aStep, b0, b + tail, null, null, ldb, k, 1, c0, ci + tail, null, null, 0, true, epilogue); break;
                case 1: Tile<One, One>(ai, 0, aStep, b + tail, null, null, null, ldb, k, 1, ci + tail, null, null, null, 0, true, epilogue); break;
            }
        }
    }

    /// <summary>
    /// <typeparamref name="TRows"/> (1, 2, 4 or 8) rows × <typeparamref name="TColumns"/> (1 to 4)
    /// vectors of C at c0 .. c3, from the vectors of B's rows at b0 .. b3 (unused pointers are
    /// null). Row i of op(A) is at <c>a + i·aRow</c>, its k-th element <c>aStep</c> further per k.
    /// The last vector may overlap its left neighbour when it is C's tail (<paramref name="last"/>),
    /// so each row is stored left to right. Then the same for the next <paramref name="blocks"/> - 1
    /// blocks of rows below: a call per block (and one for its caller) cost 3-5% of a 32×32×33
    /// product. A call of its own per shape, tiered like any method: two tiles inlined into one
    /// method ran out of the JIT's locals and kept the loads, FMAs and stores of the second as calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Tile<TRows, TColumns>(
        T* aBlock, nint aRow, nint aStep, T* b0, T* b1, T* b2, T* b3, nint ldb, int k, int blocks,
        T* c0, T* c1, T* c2, T* c3, nint ldc, bool last, in Epilogue epilogue)
        where TRows : IConstant
        where TColumns : IConstant
    {
        int rows = TRows.Value, columns = TColumns.Value;
        for (; blocks > 0; blocks--, aBlock += rows * aRow, c0 += rows * ldc, c1 += rows * ldc, c2 += rows * ldc, c3 += rows * ldc)
        {
            T* a = aBlock;
            TVector x00 = default, x01 = default, x02 = default, x03 = default, x10 = default, x11 = default, x12 = default, x13 = default;
            TVector x20 = default, x21 = default, x22 = default, x23 = default, x30 = default, x31 = default, x32 = default, x33 = default;
            TVector x40 = default, x41 = default, x42 = default, x43 = default, x50 = default, x51 = default, x52 = default, x53 = default;
            TVector x60 = default, x61 = default, x62 = default, x63 = default, x70 = default, x71 = default, x72 = default, x73 = default;
            T* a4 = rows > 4 ? a + (4 * aRow) : a;
            nint offset = 0;
            for (int p = 0; p < k; p++)
            {
                TVector v0 = TSimd.Load(ref *(b0 + offset), 0);
                TVector v1 = columns > 1 ? TSimd.Load(ref *(b1 + offset), 0) : default;
                TVector v2 = columns > 2 ? TSimd.Load(ref *(b2 + offset), 0) : default;
                TVector v3 = columns > 3 ? TSimd.Load(ref *(b3 + offset), 0) : default;
                Row<TColumns>(a[0], v0, v1, v2, v3, ref x00, ref x01, ref x02, ref x03);
                if (rows > 1)
                {
                    Row<TColumns>(a[aRow], v0, v1, v2, v3, ref x10, ref x11, ref x12, ref x13);
                }

                if (rows > 2)
                {
                    Row<TColumns>(a[2 * aRow], v0, v1, v2, v3, ref x20, ref x21, ref x22, ref x23);
                    Row<TColumns>(a[3 * aRow], v0, v1, v2, v3, ref x30, ref x31, ref x32, ref x33);
                }

                if (rows > 4)
                {
                    Row<TColumns>(a4[0], v0, v1, v2, v3, ref x40, ref x41, ref x42, ref x43);
                    Row<TColumns>(a4[aRow], v0, v1, v2, v3, ref x50, ref x51, ref x52, ref x53);
                    Row<TColumns>(a4[2 * aRow], v0, v1, v2, v3, ref x60, ref x61, ref x62, ref x63);
                    Row<TColumns>(a4[3 * aRow], v0, v1, v2, v3, ref x70, ref x71, ref x72, ref x73);
                    a4 += aStep;
                }

                a += aStep;
                offset += ldb;
            }

            StoreRow<TColumns>(in epilogue, x00, x01, x02, x03, c0, c1, c2, c3, last);
            if (rows > 1)
            {
                StoreRow<TColumns>(in epilogue, x10, x11, x12, x13, c0 + ldc, c1 + ldc, c2 + ldc, c3 + ldc, last);
            }

            if (rows > 2)
            {
                StoreRow<TColumns>(in epilogue, x20, x21, x22, x23, c0 + (2 * ldc), c1 + (2 * ldc), c2 + (2 * ldc), c3 + (2 * ldc), last);
                StoreRow<TColumns>(in epilogue, x30, x31, x32, x33, c0 + (3 * ldc), c1 + (3 * ldc), c2 + (3 * ldc), c3 + (3 * ldc), last);
            }

            if (rows > 4)
            {
                StoreRow<TColumns>(in epilogue, x40, x41, x42, x43, c0 + (4 * ldc), c1 + (4 * ldc), c2 + (4 * ldc), c3 + (4 * ldc), last);
                StoreRow<TColumns>(in epilogue, x50, x51, x52, x53, c0 + (5 * ldc), c1 + (5 * ldc), c2 + (5 * ldc), c3 + (5 * ldc), last);
                StoreRow<TColumns>(in epilogue, x60, x61, x62, x63, c0 + (6 * ldc), c1 + (6 * ldc), c2 + (6 * ldc), c3 + (6 * ldc), last);
                StoreRow<TColumns>(in epilogue, x70, x71, x72, x73, c0 + (7 * ldc), c1 + (7 * ldc), c2 + (7 * ldc), c3 + (7 * ldc), last);
            }
        }
    }

    /// <summary>One row's multiply-adds for one k: a broadcast element of op(A) times each vector of B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TColumns>(
        T a, TVector v0, TVector v1, TVector v2, TVector v3, ref TVector x0, ref TVector x1, ref TVector x2, ref TVector x3)
        where TColumns : IConstant
    {
        TVector s = TSimd.Broadcast(a);
        x0 = TSimd.Fma(s, v0, x0);
        if (TColumns.Value > 1)
        {
            x1 = TSimd.Fma(s, v1, x1);
        }

        if (TColumns.Value > 2)
        {
            x2 = TSimd.Fma(s, v2, x2);
        }

        if (TColumns.Value > 3)
        {
            x3 = TSimd.Fma(s, v3, x3);
        }
    }

    /// <summary>Stores one row of a tile left to right; only its last vector may be C's overlapping tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TColumns>(
        in Epilogue epilogue, TVector x0, TVector x1, TVector x2, TVector x3, T* c0, T* c1, T* c2, T* c3, bool last)
        where TColumns : IConstant
    {
        int columns = TColumns.Value;
        epilogue.Store(x0, c0, last && columns == 1);
        if (columns > 1)
        {
            epilogue.Store(x1, c1, last && columns == 2);
        }

        if (columns > 2)
        {
            epilogue.Store(x2, c2, last && columns == 3);
        }

        if (columns > 3)
        {
            epilogue.Store(x3, c3, last);
        }
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
