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
        var epilogue = new Epilogue<T>(alpha, beta);
        int i = 0;
        if (typeof(T) == typeof(float))
        {
            var fa = (float*)a;
            var fb = (float*)b;
            var fc = (float*)c;
            while (m - i >= 8)
            {
                if ((m - i) % 8 >= 4 && m - i >= 12)
                {
                    Tile<Three, One>(fa + (i * aRow), aRow, aStep, fb, fb + 16, ldb, k, fc + (i * ldc), fc + (i * ldc) + 16, ldc, epilogue.As<float>());
                    i += 12;
                }
                else
                {
                    Tile<Two, One>(fa + (i * aRow), aRow, aStep, fb, fb + 16, ldb, k, fc + (i * ldc), fc + (i * ldc) + 16, ldc, epilogue.As<float>());
                    i += 8;
                }
            }

            return i;
        }

        var da = (double*)a;
        var db = (double*)b;
        var dc = (double*)c;
        for (; i + 8 <= m; i += 8)
        {
            Tile<Four>(da + (i * aRow), aRow, aStep, db, ldb, k, dc + (i * ldc), ldc, epilogue.As<double>());
        }

        if (i + 4 <= m)
        {
            Tile<Two>(da + (i * aRow), aRow, aStep, db, ldb, k, dc + (i * ldc), ldc, epilogue.As<double>());
            i += 4;
        }

        return i;
    }

    /// <summary>[s0 x4 | s1 x4 | s2 x4 | s3 x4] from four float broadcasts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Spread(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, in Masks masks)
    {
        Vector512<float> low = Vector512.ConditionalSelect(masks.Below4, s0, s1);
        Vector512<float> high = Vector512.ConditionalSelect(masks.Below12, s2, s3);
        return Vector512.ConditionalSelect(masks.Below8, low, high);
    }

    /// <summary>Lane masks of <see cref="Spread"/>, made once per tile (float lanes below 4, 8 and 12).</summary>
    private readonly struct Masks
    {
        public readonly Vector512<float> Below4;
        public readonly Vector512<float> Below8;
        public readonly Vector512<float> Below12;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Masks()
        {
            Below4 = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(4)).AsSingle();
            Below8 = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(8)).AsSingle();
            Below12 = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(12)).AsSingle();
        }
    }

    /// <summary>
    /// B[p, 16..20) repeated four times (float) or twice (double): one broadcast load, where
    /// <c>Vector512.Create(Vector256.Create(v128))</c> compiled to four shuffles on the FP pipes
    /// beside the 10 FMAs of an 8-row k step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TailRow(float* tail) =>
        Avx512F.IsSupported ? Avx512F.BroadcastVector128ToVector512(tail)
            : Vector512.Create(Vector256.Create(Vector128.Load(tail)));

    /// <summary>
    /// B[p, 16..20) twice (two inserts beside 20 FMAs). Not Avx512F.BroadcastVector256ToVector512:
    /// on .NET 10 it produced wrong tails here (20³ double, every path test failed at C[0,16]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> TailRow(double* tail) => Vector512.Create(Vector256.Load(tail));

    /// <summary>
    /// Float rows in groups of four, <typeparamref name="TQuads"/> groups (2: 8 rows, 3: 12 rows),
    /// each row <typeparamref name="TVectors"/> whole vectors at <paramref name="b"/> /
    /// <paramref name="c"/> (1, or 2 for 8 rows) and its 4-column tail at <paramref name="bTail"/> /
    /// <paramref name="cTail"/>, the four tails of a group in one shared vector. Per k step and
    /// group: 4·TVectors + 1 FMAs on the broadcasts the whole vectors load anyway (12 rows × 1
    /// vector: 15 accumulators, 14 loads and broadcasts per 15 FMAs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TQuads, TVectors>(
        float* a, nint aRow, nint aStep, float* b, float* bTail, nint ldb, int k, float* c, float* cTail, nint ldc, Epilogue<float> epilogue)
        where TQuads : IConstant
        where TVectors : IConstant
    {
        Vector512<float> x0 = default, x1 = default, x2 = default, x3 = default, y0 = default, y1 = default, y2 = default, y3 = default;
        Vector512<float> x4 = default, x5 = default, x6 = default, x7 = default, y4 = default, y5 = default, y6 = default, y7 = default;
        Vector512<float> x8 = default, x9 = default, x10 = default, x11 = default;
        Vector512<float> t0 = default, t1 = default, t2 = default;
        float* a4 = a + (4 * aRow);
        var masks = new Masks();
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            Vector512<float> v0 = Vector512.Load(b + offset);
            Vector512<float> v1 = TVectors.Value > 1 ? Vector512.Load(b + offset + 16) : default;
            Vector512<float> vt = TailRow(bTail + offset);
            Quad<TVectors>(a, aRow, v0, v1, vt, masks, ref x0, ref x1, ref x2, ref x3, ref y0, ref y1, ref y2, ref y3, ref t0);
            Quad<TVectors>(a4, aRow, v0, v1, vt, masks, ref x4, ref x5, ref x6, ref x7, ref y4, ref y5, ref y6, ref y7, ref t1);
            if (TQuads.Value > 2)
            {
                // 12 rows take one vector each (15 accumulators; two would need 27): the y are not touched.
                Quad<One>(a4 + (4 * aRow), aRow, v0, v1, vt, masks, ref x8, ref x9, ref x10, ref x11, ref y0, ref y1, ref y2, ref y3, ref t2);
            }

            a += aStep;
            a4 += aStep;
            offset += ldb;
        }

        epilogue.StoreQuad<TVectors>(c, cTail, ldc, x0, x1, x2, x3, y0, y1, y2, y3, t0);
        epilogue.StoreQuad<TVectors>(c + (4 * ldc), cTail + (4 * ldc), ldc, x4, x5, x6, x7, y4, y5, y6, y7, t1);
        if (TQuads.Value > 2)
        {
            epilogue.StoreQuad<One>(c + (8 * ldc), cTail + (8 * ldc), ldc, x8, x9, x10, x11, y0, y1, y2, y3, t2);
        }
    }

    /// <summary>One k step of four float rows at a, a + aRow, ...: TVectors FMAs per row into x (and y), one into the shared tail t.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quad<TVectors>(
        float* a, nint aRow, Vector512<float> v0, Vector512<float> v1, Vector512<float> vt, in Masks masks,
        ref Vector512<float> x0, ref Vector512<float> x1, ref Vector512<float> x2, ref Vector512<float> x3,
        ref Vector512<float> y0, ref Vector512<float> y1, ref Vector512<float> y2, ref Vector512<float> y3, ref Vector512<float> t)
        where TVectors : IConstant
    {
        Vector512<float> s0 = Vector512.Create(a[0]);
        x0 = Fma.MultiplyAdd(s0, v0, x0);
        y0 = TVectors.Value > 1 ? Fma.MultiplyAdd(s0, v1, y0) : y0;
        Vector512<float> s1 = Vector512.Create(a[aRow]);
        x1 = Fma.MultiplyAdd(s1, v0, x1);
        y1 = TVectors.Value > 1 ? Fma.MultiplyAdd(s1, v1, y1) : y1;
        Vector512<float> s2 = Vector512.Create(a[2 * aRow]);
        x2 = Fma.MultiplyAdd(s2, v0, x2);
        y2 = TVectors.Value > 1 ? Fma.MultiplyAdd(s2, v1, y2) : y2;
        Vector512<float> s3 = Vector512.Create(a[3 * aRow]);
        x3 = Fma.MultiplyAdd(s3, v0, x3);
        y3 = TVectors.Value > 1 ? Fma.MultiplyAdd(s3, v1, y3) : y3;
        t = Fma.MultiplyAdd(Spread(s0, s1, s2, s3, masks), vt, t);
    }

    /// <summary>
    /// Eight float rows of a C with n mod 16 = 4 (n = 36, 68, 100, ...): two whole vectors and the
    /// 4-column tails in two shared vectors. The overlapped last vector it replaces cost 8 FMAs per
    /// k step (4 useful columns) in a pass of its own; this costs 2 FMAs and 6 blends.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8x2Tail4(
        float* a, nint aRow, nint aStep, float* b, float* bTail, nint ldb, int k, float* c, float* cTail, nint ldc,
        float alpha, float beta) =>
        Tile<Two, Two>(a, aRow, aStep, b, bTail, ldb, k, c, cTail, ldc, new Epilogue<float>(alpha, beta));

    /// <summary>
    /// Double rows in pairs, <typeparamref name="TPairs"/> pairs (4: 8 rows, 16 main and 4 tail
    /// accumulators, 11 loads and broadcasts per 20 FMAs; 2: 4 rows, 10 accumulators, enough to
    /// cover the FMA latency).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TPairs>(double* a, nint aRow, nint aStep, double* b, nint ldb, int k, double* c, nint ldc, Epilogue<double> epilogue)
        where TPairs : IConstant
    {
        Vector512<double> x00 = default, x01 = default, x10 = default, x11 = default;
        Vector512<double> x20 = default, x21 = default, x30 = default, x31 = default;
        Vector512<double> x40 = default, x41 = default, x50 = default, x51 = default;
        Vector512<double> x60 = default, x61 = default, x70 = default, x71 = default;
        Vector512<double> t0 = default, t1 = default, t2 = default, t3 = default;
        double* a4 = a + (4 * aRow);
        Vector512<double> below4 = Vector512.LessThan(Vector512<long>.Indices, Vector512.Create(4L)).AsDouble();
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            Vector512<double> v0 = Vector512.Load(b + offset);
            Vector512<double> v1 = Vector512.Load(b + offset + 8);
            Vector512<double> vt = TailRow(b + offset + 16);
            Pair(a, aRow, v0, v1, vt, below4, ref x00, ref x01, ref x10, ref x11, ref t0);
            Pair(a + (2 * aRow), aRow, v0, v1, vt, below4, ref x20, ref x21, ref x30, ref x31, ref t1);
            if (TPairs.Value > 2)
            {
                Pair(a4, aRow, v0, v1, vt, below4, ref x40, ref x41, ref x50, ref x51, ref t2);
                Pair(a4 + (2 * aRow), aRow, v0, v1, vt, below4, ref x60, ref x61, ref x70, ref x71, ref t3);
                a4 += aStep;
            }

            a += aStep;
            offset += ldb;
        }

        epilogue.StorePair(c, ldc, x00, x01, x10, x11, t0);
        epilogue.StorePair(c + (2 * ldc), ldc, x20, x21, x30, x31, t1);
        if (TPairs.Value > 2)
        {
            epilogue.StorePair(c + (4 * ldc), ldc, x40, x41, x50, x51, t2);
            epilogue.StorePair(c + (6 * ldc), ldc, x60, x61, x70, x71, t3);
        }
    }

    /// <summary>One k step of two double rows at a and a + aRow: two FMAs per row into x, one into the shared tail t.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pair(
        double* a, nint aRow, Vector512<double> v0, Vector512<double> v1, Vector512<double> vt, Vector512<double> below4,
        ref Vector512<double> x00, ref Vector512<double> x01, ref Vector512<double> x10, ref Vector512<double> x11, ref Vector512<double> t)
    {
        Vector512<double> s0 = Vector512.Create(a[0]);
        x00 = Fma.MultiplyAdd(s0, v0, x00);
        x01 = Fma.MultiplyAdd(s0, v1, x01);
        Vector512<double> s1 = Vector512.Create(a[aRow]);
        x10 = Fma.MultiplyAdd(s1, v0, x10);
        x11 = Fma.MultiplyAdd(s1, v1, x11);
        t = Fma.MultiplyAdd(Vector512.ConditionalSelect(below4, s0, s1), vt, t);
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

        private Epilogue(Vector512<T> alpha, Vector512<T> beta, bool alphaOne, bool betaZero)
        {
            _alpha = alpha;
            _beta = beta;
            _alphaOne = alphaOne;
            _betaZero = betaZero;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Epilogue<TTo> As<TTo>()
            where TTo : unmanaged =>
            new(_alpha.As<T, TTo>(), _beta.As<T, TTo>(), _alphaOne, _betaZero);

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

        /// <summary>Stores four float rows at c, c + ldc, ... from their main vectors (x, then y when TVectors is 2) and shared tail (at cTail).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void StoreQuad<TVectors>(
            T* c, T* cTail, nint ldc, Vector512<T> x0, Vector512<T> x1, Vector512<T> x2, Vector512<T> x3,
            Vector512<T> y0, Vector512<T> y1, Vector512<T> y2, Vector512<T> y3, Vector512<T> t)
            where TVectors : IConstant
        {
            Store(x0, c);
            Store(x1, c + ldc);
            Store(x2, c + (2 * ldc));
            Store(x3, c + (3 * ldc));
            if (TVectors.Value > 1)
            {
                Store(y0, c + 16);
                Store(y1, c + ldc + 16);
                Store(y2, c + (2 * ldc) + 16);
                Store(y3, c + (3 * ldc) + 16);
            }

            StoreTails4(t, cTail, ldc);
        }

        /// <summary>Stores two double rows at c and c + ldc from their two main vectors each and shared tail.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void StorePair(T* c, nint ldc, Vector512<T> x00, Vector512<T> x01, Vector512<T> x10, Vector512<T> x11, Vector512<T> t)
        {
            Store(x00, c);
            Store(x01, c + 8);
            Store(x10, c + ldc);
            Store(x11, c + ldc + 8);
            StoreTails2(t, c + 16, ldc);
        }

        /// <summary>Stores the four 4-column float tails of <paramref name="x"/> to rows c, c + ldc, ...</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void StoreTails4(Vector512<T> x, T* c, nint ldc)
        {
            Vector512<T> product = Scale(x);
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

        /// <summary>Stores the two 4-column double tails of <paramref name="x"/> to rows c and c + ldc.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void StoreTails2(Vector512<T> x, T* c, nint ldc)
        {
            Vector512<T> product = Scale(x);
            if (!_betaZero)
            {
                product = Fma.MultiplyAdd(_beta, Vector512.Create(Vector256.Load(c), Vector256.Load(c + ldc)), product);
            }

            product.GetLower().Store(c);
            product.GetUpper().Store(c + ldc);
        }
    }
}
