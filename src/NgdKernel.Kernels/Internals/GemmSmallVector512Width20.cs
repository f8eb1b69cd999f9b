using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Vector512 small-problem GEMM for float rows of 20 columns (the paper's linear networks, width 20):
/// each row of C is one vector of 16 plus a 4-column tail, and the tails of 4 rows share one vector.
/// </summary>
/// <remarks>
/// <code>
///   main vector, row i:  C[i, 0..16)  += a(i,p) * B[p, 0..16)            (broadcast a, one FMA per row)
///   tail vector, rows i..i+3:
///     [ C[i,16..20) | C[i+1,16..20) | C[i+2,16..20) | C[i+3,16..20) ]
///                        += [ a(i,p) x4 | a(i+1,p) x4 | a(i+2,p) x4 | a(i+3,p) x4 ] * [ B[p,16..20) x4 ]
/// </code>
/// Five FMAs per 4 rows and k step instead of eight with an overlapping second vector (a 20³ product
/// is FMA-bound: 500 FMAs against 800). The spread of the four broadcasts is three blends, which
/// run beside the FMAs. Every element is still the FMA chain over p in order, as on the general tiles.
/// </remarks>
internal static unsafe class GemmSmallVector512Width20
{
    /// <summary>Columns of C this path handles.</summary>
    public const int Columns = 20;

    /// <summary>
    /// C = alpha·op(A)·B + beta·C on the first rows of C, in blocks of 8; returns the rows done (m
    /// rounded down to a multiple of 8). B is [k, 20] with row stride ldb. A 4-row version (5
    /// accumulators, latency-bound) ran 3x slower than the general 4×2 tile, so the rest of the
    /// rows take the general tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Rows(float* a, nint aRow, nint aStep, float* b, nint ldb, float alpha, float beta, float* c, nint ldc, int m, int k)
    {
        var epilogue = new Epilogue(alpha, beta);
        int i = 0;
        for (; i + 8 <= m; i += 8)
        {
            Tile8(a + (i * aRow), aRow, aStep, b, ldb, k, c + (i * ldc), ldc, epilogue);
        }

        return i;
    }

    /// <summary>[s0 x4 | s1 x4 | s2 x4 | s3 x4] from four broadcasts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Spread(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, in Masks masks)
    {
        Vector512<float> low = Vector512.ConditionalSelect(masks.Below4, s0, s1);
        Vector512<float> high = Vector512.ConditionalSelect(masks.Below12, s2, s3);
        return Vector512.ConditionalSelect(masks.Below8, low, high);
    }

    /// <summary>Lane masks of <see cref="Spread"/>, made once per tile (lanes below 4, 8 and 12).</summary>
    private readonly struct Masks
    {
        public readonly Vector512<float> Below4;
        public readonly Vector512<float> Below8;
        public readonly Vector512<float> Below12;

        public Masks()
        {
            Below4 = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(4)).AsSingle();
            Below8 = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(8)).AsSingle();
            Below12 = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(12)).AsSingle();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile8(float* a, nint aRow, nint aStep, float* b, nint ldb, int k, float* c, nint ldc, Epilogue epilogue)
    {
        Vector512<float> x0 = default;
        Vector512<float> x1 = default;
        Vector512<float> x2 = default;
        Vector512<float> x3 = default;
        Vector512<float> x4 = default;
        Vector512<float> x5 = default;
        Vector512<float> x6 = default;
        Vector512<float> x7 = default;
        Vector512<float> t0 = default;
        Vector512<float> t1 = default;
        float* a4 = a + (4 * aRow);
        var masks = new Masks();
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            Vector512<float> v = Vector512.Load(b + offset);
            Vector512<float> vt = Vector512.Create(Vector256.Create(Vector128.Load(b + offset + 16)));
            Vector512<float> s0 = Vector512.Create(a[0]);
            x0 = Fma.MultiplyAdd(s0, v, x0);
            Vector512<float> s1 = Vector512.Create(a[aRow]);
            x1 = Fma.MultiplyAdd(s1, v, x1);
            Vector512<float> s2 = Vector512.Create(a[2 * aRow]);
            x2 = Fma.MultiplyAdd(s2, v, x2);
            Vector512<float> s3 = Vector512.Create(a[3 * aRow]);
            x3 = Fma.MultiplyAdd(s3, v, x3);
            t0 = Fma.MultiplyAdd(Spread(s0, s1, s2, s3, masks), vt, t0);
            s0 = Vector512.Create(a4[0]);
            x4 = Fma.MultiplyAdd(s0, v, x4);
            s1 = Vector512.Create(a4[aRow]);
            x5 = Fma.MultiplyAdd(s1, v, x5);
            s2 = Vector512.Create(a4[2 * aRow]);
            x6 = Fma.MultiplyAdd(s2, v, x6);
            s3 = Vector512.Create(a4[3 * aRow]);
            x7 = Fma.MultiplyAdd(s3, v, x7);
            t1 = Fma.MultiplyAdd(Spread(s0, s1, s2, s3, masks), vt, t1);
            a += aStep;
            a4 += aStep;
            offset += ldb;
        }

        epilogue.Store(x0, c);
        epilogue.Store(x1, c + ldc);
        epilogue.Store(x2, c + (2 * ldc));
        epilogue.Store(x3, c + (3 * ldc));
        epilogue.Store(x4, c + (4 * ldc));
        epilogue.Store(x5, c + (5 * ldc));
        epilogue.Store(x6, c + (6 * ldc));
        epilogue.Store(x7, c + (7 * ldc));
        epilogue.StoreTails(t0, c + 16, ldc);
        epilogue.StoreTails(t1, c + (4 * ldc) + 16, ldc);
    }

    /// <summary>C = alpha·x + beta·C (beta = 0: C not read) for main vectors and packed tails.</summary>
    private readonly struct Epilogue
    {
        private readonly Vector512<float> _alpha;
        private readonly Vector512<float> _beta;
        private readonly bool _betaZero;

        public Epilogue(float alpha, float beta)
        {
            _alpha = Vector512.Create(alpha);
            _beta = Vector512.Create(beta);
            _betaZero = beta == 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector512<float> x, float* c)
        {
            Vector512<float> product = _alpha * x;
            if (!_betaZero)
            {
                product = Fma.MultiplyAdd(_beta, Vector512.Load(c), product);
            }

            product.Store(c);
        }

        /// <summary>Stores the four 4-column tails of <paramref name="x"/> to rows c, c + ldc, ...</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void StoreTails(Vector512<float> x, float* c, nint ldc)
        {
            Vector512<float> product = _alpha * x;
            if (!_betaZero)
            {
                Vector512<float> old = Vector512.Create(
                    Vector256.Create(Vector128.Load(c), Vector128.Load(c + ldc)),
                    Vector256.Create(Vector128.Load(c + (2 * ldc)), Vector128.Load(c + (3 * ldc))));
                product = Fma.MultiplyAdd(_beta, old, product);
            }

            Vector256<float> lower = product.GetLower(), upper = product.GetUpper();
            lower.GetLower().Store(c);
            lower.GetUpper().Store(c + ldc);
            upper.GetLower().Store(c + (2 * ldc));
            upper.GetUpper().Store(c + (3 * ldc));
        }
    }
}
