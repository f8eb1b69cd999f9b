using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Vector512 small-problem GEMM for rows of 20 columns (the paper's linear networks, width 20): each
/// row of C is whole vectors plus a 4-column tail, and the tails of several rows share one vector
/// (four rows in float, 16 + 4; two rows in double, 8 + 8 + 4).
/// </summary>
/// <remarks>
/// <code>
///   float, main vector, row i:  C[i, 0..16)  += a(i,p) * B[p, 0..16)     (broadcast a, one FMA per row)
///   float, tail vector, rows i..i+3:
///     [ C[i,16..20) | C[i+1,16..20) | C[i+2,16..20) | C[i+3,16..20) ]
///                        += [ a(i,p) x4 | a(i+1,p) x4 | a(i+2,p) x4 | a(i+3,p) x4 ] * [ B[p,16..20) x4 ]
///   double, tail vector, rows i, i+1:
///     [ C[i,16..20) | C[i+1,16..20) ] += [ a(i,p) x4 | a(i+1,p) x4 ] * [ B[p,16..20) x2 ]
/// </code>
/// A 20³ product is FMA-bound: per row and k step this costs 1.25 FMAs in float (2 with an
/// overlapping second vector) and 2.5 in double (3). The spread of the broadcasts is one blend
/// per pair of rows, which runs beside the FMAs. Every element is still the FMA chain over p in
/// order, as on the general tiles.
/// </remarks>
internal static unsafe class GemmSmallVector512Width20
{
    /// <summary>Columns of C this path handles.</summary>
    public const int Columns = 20;

    /// <summary>
    /// C = alpha·op(A)·B + beta·C on the first rows of C; returns the rows done. B is [k, 20] with
    /// row stride ldb. Float takes 8-row tiles and one 12-row tile where m mod 8 ≥ 4 (m = 20 is
    /// 12 + 8: 25 FMAs per k step for the 20 rows, where 8 + 8 + a general 4×2 tile took 28);
    /// double takes 8-row tiles and one 4-row tile (10 accumulators keep the FMA latency covered).
    /// A float 4-row tile has only 5 accumulators and ran 3x slower than the general 4×2 tile, so
    /// the last m mod 4 rows (float: m mod 8 below 4) take the general tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Rows<T>(T* a, nint aRow, nint aStep, T* b, nint ldb, T alpha, T beta, T* c, nint ldc, int m, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // One call per tile shape (its k loop runs once per block of rows): each call to a tile
        // costs its frame and argument moves, about 2% of a 20³ product.
        var epilogue = new Epilogue<T>(alpha, beta);
        int i = 0;
        if (typeof(T) == typeof(float))
        {
            if (m % 8 >= 4 && m >= 12)
            {
                Tile<T, Twelve, One>(a, aRow, aStep, b, b + 16, ldb, k, c, c + 16, ldc, epilogue);
                i = 12;
            }

            Tile<T, Eight, One>(a + (i * aRow), aRow, aStep, b, b + 16, ldb, k, c + (i * ldc), c + (i * ldc) + 16, ldc, epilogue, (m - i) / 8);
            return i + ((m - i) / 8 * 8);
        }

        Tile<T, Eight, Two>(a, aRow, aStep, b, b + 16, ldb, k, c, c + 16, ldc, epilogue, m / 8);
        i = m / 8 * 8;
        if (i + 4 <= m)
        {
            Tile<T, Four, Two>(a + (i * aRow), aRow, aStep, b, b + 16, ldb, k, c + (i * ldc), c + (i * ldc) + 16, ldc, epilogue);
            i += 4;
        }

        return i;
    }

    /// <summary>
    /// Eight float rows of a C with n mod 16 = 4 (n = 36, 68, 100, ...): two whole vectors at
    /// <paramref name="b"/> / <paramref name="c"/> and the rows' 4-column tails at
    /// <paramref name="bTail"/> / <paramref name="cTail"/> in two shared vectors, on the broadcasts
    /// the whole vectors load anyway. The overlapped last vector it replaces cost 8 FMAs per k step
    /// (4 useful columns) in a pass of its own; this costs 2 FMAs and 6 blends.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8x2Tail4(
        float* a, nint aRow, nint aStep, float* b, float* bTail, nint ldb, int k, float* c, float* cTail, nint ldc,
        float alpha, float beta) =>
        Tile<float, Eight, Two>(a, aRow, aStep, b, bTail, ldb, k, c, cTail, ldc, new Epilogue<float>(alpha, beta));

    /// <summary>
    /// <paramref name="blocks"/> blocks of <typeparamref name="TRows"/> (4, 8 or 12) rows ×
    /// <typeparamref name="TMain"/> (1 or 2) whole vectors at <paramref name="b"/> / <paramref name="c0"/>,
    /// and the rows' 4-column tails at <paramref name="bTail"/> / <paramref name="cTail0"/> packed
    /// into shared vectors: one per
    /// <see cref="Group"/> of rows (four in float, two in double). Float 12×1: 15 accumulators, 14
    /// loads and broadcasts per 15 FMAs; double 8×2: 16 main and 4 tail accumulators, 11 loads and
    /// broadcasts per 20 FMAs; double 4×2: 10 accumulators, enough to cover the FMA latency. Its own
    /// method: it has too many locals for the JIT to inline it into <see cref="Rows"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile<T, TRows, TMain>(
        T* a0, nint aRow, nint aStep, T* b, T* bTail, nint ldb, int k, T* c0, T* cTail0, nint ldc, in Epilogue<T> epilogue, int blocks = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TRows : IConstant
        where TMain : IConstant
    {
        for (int block = 0; block < blocks; block++)
        {
            T* a = a0 + (block * TRows.Value * aRow);
            T* c = c0 + (block * TRows.Value * ldc);
            T* cTail = cTail0 + (block * TRows.Value * ldc);
            int groups = TRows.Value / GroupRows<T>();
            nint g = GroupRows<T>() * aRow;
            Vector512<T> x00 = default, x01 = default, x10 = default, x11 = default, x20 = default, x21 = default, x30 = default, x31 = default, t0 = default;
            Vector512<T> y00 = default, y01 = default, y10 = default, y11 = default, y20 = default, y21 = default, y30 = default, y31 = default, t1 = default;
            Vector512<T> z00 = default, z01 = default, z10 = default, z11 = default, z20 = default, z21 = default, z30 = default, z31 = default, t2 = default;
            Vector512<T> u00 = default, u01 = default, u10 = default, u11 = default, u20 = default, u21 = default, u30 = default, u31 = default, t3 = default;
            var masks = new Masks<T>();
            nint offset = 0;
            for (int p = 0; p < k; p++)
            {
                Vector512<T> v0 = Vector512.Load(b + offset);
                Vector512<T> v1 = TMain.Value > 1 ? Vector512.Load(b + offset + Vector512<T>.Count) : default;
                Vector512<T> vt = TailRow(bTail + offset);
                Group<T, TMain>(a, aRow, v0, v1, vt, masks, ref x00, ref x01, ref x10, ref x11, ref x20, ref x21, ref x30, ref x31, ref t0);
                if (groups > 1)
                {
                    Group<T, TMain>(a + g, aRow, v0, v1, vt, masks, ref y00, ref y01, ref y10, ref y11, ref y20, ref y21, ref y30, ref y31, ref t1);
                }

                if (groups > 2)
                {
                    Group<T, TMain>(a + (2 * g), aRow, v0, v1, vt, masks, ref z00, ref z01, ref z10, ref z11, ref z20, ref z21, ref z30, ref z31, ref t2);
                }

                if (groups > 3)
                {
                    Group<T, TMain>(a + (3 * g), aRow, v0, v1, vt, masks, ref u00, ref u01, ref u10, ref u11, ref u20, ref u21, ref u30, ref u31, ref t3);
                }

                a += aStep;
                offset += ldb;
            }

            nint gc = GroupRows<T>() * ldc;
            StoreGroup<T, TMain>(epilogue, x00, x01, x10, x11, x20, x21, x30, x31, t0, c, cTail, ldc);
            if (groups > 1)
            {
                StoreGroup<T, TMain>(epilogue, y00, y01, y10, y11, y20, y21, y30, y31, t1, c + gc, cTail + gc, ldc);
            }

            if (groups > 2)
            {
                StoreGroup<T, TMain>(epilogue, z00, z01, z10, z11, z20, z21, z30, z31, t2, c + (2 * gc), cTail + (2 * gc), ldc);
            }

            if (groups > 3)
            {
                StoreGroup<T, TMain>(epilogue, u00, u01, u10, u11, u20, u21, u30, u31, t3, c + (3 * gc), cTail + (3 * gc), ldc);
            }
        }
    }

    /// <summary>Rows whose 4-column tails share one vector: four in float, two in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int GroupRows<T>() => typeof(T) == typeof(float) ? 4 : 2;

    /// <summary>
    /// One k step of a group of rows (x·0 / x·1: a row's whole vectors): a broadcast of op(A) per row
    /// times each whole vector, and the broadcasts spread over the shared tail vector, float
    /// [s0 x4 | s1 x4 | s2 x4 | s3 x4], double [s0 x4 | s1 x4] (one blend per pair of rows, beside
    /// the FMAs). Fifteen arguments: the JIT stops inlining at sixteen.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Group<T, TMain>(
        T* a, nint aRow, Vector512<T> v0, Vector512<T> v1, Vector512<T> vt, in Masks<T> masks,
        ref Vector512<T> x00, ref Vector512<T> x01, ref Vector512<T> x10, ref Vector512<T> x11,
        ref Vector512<T> x20, ref Vector512<T> x21, ref Vector512<T> x30, ref Vector512<T> x31, ref Vector512<T> t)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMain : IConstant
    {
        Vector512<T> s0 = Row<T, TMain>(a[0], v0, v1, ref x00, ref x01);
        Vector512<T> s1 = Row<T, TMain>(a[aRow], v0, v1, ref x10, ref x11);
        Vector512<T> spread = Vector512.ConditionalSelect(masks.Below4, s0, s1);
        if (typeof(T) == typeof(float))
        {
            Vector512<T> s2 = Row<T, TMain>(a[2 * aRow], v0, v1, ref x20, ref x21);
            Vector512<T> s3 = Row<T, TMain>(a[3 * aRow], v0, v1, ref x30, ref x31);
            spread = Vector512.ConditionalSelect(masks.Below8, spread, Vector512.ConditionalSelect(masks.Below12, s2, s3));
        }

        t = Fma.MultiplyAdd(spread, vt, t);
    }

    /// <summary>One row's multiply-adds for one k; returns the row's broadcast for the tails.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Row<T, TMain>(T a, Vector512<T> v0, Vector512<T> v1, ref Vector512<T> x0, ref Vector512<T> x1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMain : IConstant
    {
        Vector512<T> s = Vector512.Create(a);
        x0 = Fma.MultiplyAdd(s, v0, x0);
        if (TMain.Value > 1)
        {
            x1 = Fma.MultiplyAdd(s, v1, x1);
        }

        return s;
    }

    /// <summary>Stores a group's whole vectors row by row, then its shared tail vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreGroup<T, TMain>(
        in Epilogue<T> epilogue, Vector512<T> x00, Vector512<T> x01, Vector512<T> x10, Vector512<T> x11,
        Vector512<T> x20, Vector512<T> x21, Vector512<T> x30, Vector512<T> x31, Vector512<T> t, T* c, T* cTail, nint ldc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMain : IConstant
    {
        StoreRow<T, TMain>(epilogue, x00, x01, c);
        StoreRow<T, TMain>(epilogue, x10, x11, c + ldc);
        if (typeof(T) == typeof(float))
        {
            StoreRow<T, TMain>(epilogue, x20, x21, c + (2 * ldc));
            StoreRow<T, TMain>(epilogue, x30, x31, c + (3 * ldc));
        }

        epilogue.StoreTails(t, cTail, ldc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<T, TMain>(in Epilogue<T> epilogue, Vector512<T> x0, Vector512<T> x1, T* c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMain : IConstant
    {
        epilogue.Store(x0, c);
        if (TMain.Value > 1)
        {
            epilogue.Store(x1, c + Vector512<T>.Count);
        }
    }

    /// <summary>Lane masks of the tail spreads (lanes below 4, 8 and 12), made once per tile: made in the k loop, they were reloaded there.</summary>
    private readonly struct Masks<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public readonly Vector512<T> Below4;
        public readonly Vector512<T> Below8;
        public readonly Vector512<T> Below12;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Masks()
        {
            Below4 = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(4)));
            Below8 = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(8)));
            Below12 = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(12)));
        }
    }

    /// <summary>
    /// B[p, tail .. tail + 4) repeated four times (float) or twice (double). Float: one broadcast
    /// load, where <c>Vector512.Create(Vector256.Create(v128))</c> compiled to four shuffles on the
    /// FP pipes beside the 10 FMAs of an 8-row k step. Double: two inserts beside 20 FMAs; not
    /// Avx512F.BroadcastVector256ToVector512, which on .NET 10 produced wrong tails here (20³
    /// double, every path test failed at C[0,16]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> TailRow<T>(T* b)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return (Avx512F.IsSupported ? Avx512F.BroadcastVector128ToVector512((float*)b)
                : Vector512.Create(Vector256.Create(Vector128.Load((float*)b)))).As<float, T>();
        }

        return Vector512.Create(Vector256.Load(b));
    }

    /// <summary>
    /// C = alpha·x + beta·C (beta = 0: C not read; alpha = 1: no multiply, 25 of them on a 20³
    /// float product, on the FMA pipes) for main vectors and packed tails.
    /// </summary>
    private readonly struct Epilogue<T>
        where T : unmanaged
    {
        private readonly Vector512<T> _alpha;
        private readonly Vector512<T> _beta;
        private readonly bool _alphaOne;
        private readonly bool _betaZero;

        public Epilogue(T alpha, T beta)
        {
            _alpha = Vector512.Create(alpha);
            _beta = Vector512.Create(beta);
            _alphaOne = Vector512.EqualsAll(_alpha, Vector512<T>.One);
            _betaZero = Vector512.EqualsAll(_beta, Vector512<T>.Zero);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector512<T> Scale(Vector512<T> x) => _alphaOne ? x : _alpha * x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector512<T> x, T* c)
        {
            Vector512<T> product = Scale(x);
            if (!_betaZero)
            {
                product = Fma.MultiplyAdd(_beta, Vector512.Load(c), product);
            }

            product.Store(c);
        }

        /// <summary>
        /// Stores the 4-column tails of <paramref name="x"/> to rows c, c + ldc, ... (four in float,
        /// two in double).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void StoreTails(Vector512<T> x, T* c, nint ldc)
        {
            Vector512<T> product = Scale(x);
            if (typeof(T) == typeof(double))
            {
                if (!_betaZero)
                {
                    product = Fma.MultiplyAdd(_beta, Vector512.Create(Vector256.Load(c), Vector256.Load(c + ldc)), product);
                }

                product.GetLower().Store(c);
                product.GetUpper().Store(c + ldc);
                return;
            }

            if (!_betaZero)
            {
                Vector512<T> old = Vector512.Create(
                    Vector256.Create(Vector128.Load(c), Vector128.Load(c + ldc)),
                    Vector256.Create(Vector128.Load(c + (2 * ldc)), Vector128.Load(c + (3 * ldc))));
                product = Fma.MultiplyAdd(_beta, old, product);
            }

            Vector256<T> lower = product.GetLower(), upper = product.GetUpper();
            lower.GetLower().Store(c);
            lower.GetUpper().Store(c + ldc);
            upper.GetLower().Store(c + (2 * ldc));
            upper.GetUpper().Store(c + (3 * ldc));
        }
    }
}
