using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Vector256 small-problem GEMM (see <see cref="GemmSmall"/>): 4 rows × 2 (or 3) vectors of C in registers,
/// one broadcast of op(A) and one row load of op(B) per multiply-add column.
/// </summary>
/// <remarks>
/// Columns of C are covered by whole vectors, the last one overlapping its neighbour when n is not
/// a multiple of the width w (TensorPrimitives' tail). Overlapped lanes are computed by the same
/// operations as in the neighbour, so with beta = 0 the tail simply stores them again; with
/// beta ≠ 0 they keep the value already stored, so that beta never scales an element twice.
/// n below w runs on <see cref="GemmSmallScalar"/>.
/// </remarks>
internal static unsafe class GemmSmallVector256
{
    /// <inheritdoc cref="GemmSmall.Run{T}"/>
    [SkipLocalsInit]
    public static void Run<T>(
        T* a, nint lda, bool transposeA, T* b, nint ldb, bool transposeB, T alpha, T beta,
        T* c, nint ldc, int m, int n, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (n < Vector256<T>.Count)
        {
            GemmSmallScalar.Run(a, lda, transposeA, b, ldb, transposeB, alpha, beta, c, ldc, m, n, k);
            return;
        }

        nint aRow = transposeA ? 1 : lda, aStep = transposeA ? lda : 1;
        if (!transposeB)
        {
            Rows(a, aRow, aStep, b, ldb, alpha, beta, c, ldc, m, n, k);
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
    private static void Rows<T>(
        T* a, nint aRow, nint aStep, T* b, nint ldb, T alpha, T beta, T* c, nint ldc, int m, int n, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        int vectors = (n + w - 1) / w;
        int tail = n - w;                   // start of the last vector
        int overlap = (vectors * w) - n;    // lanes of the last vector already stored by its neighbour
        var epilogue = new Epilogue<T>(alpha, beta, overlap);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            T* ai = a + (i * aRow);
            T* ci = c + (i * ldc);
            int v = 0;
            if (vectors == 3)
            {
                // One pass over k instead of two (n = 9..12 in double, 17..24 in float).
                Tile4x3(ai, aRow, aStep, b, b + w, b + tail, ldb, k, ci, ci + w, ci + tail, ldc, epilogue);
                continue;
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

        for (; i < m; i++)
        {
            T* ai = a + (i * aRow);
            T* ci = c + (i * ldc);
            for (int v = 0; v < vectors; v++)
            {
                int j0 = v == vectors - 1 ? tail : v * w;
                Tile1x1(ai, aStep, b + j0, ldb, k, ci + j0, v == vectors - 1, epilogue);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x2<T>(
        T* a, nint aRow, nint aStep, T* b0, T* b1, nint ldb, int k, T* c0, T* c1, nint ldc, bool last, Epilogue<T> epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> x00 = default, x01 = default, x10 = default, x11 = default;
        Vector256<T> x20 = default, x21 = default, x30 = default, x31 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            Vector256<T> v0 = Vector256.Load(b0 + offset);
            Vector256<T> v1 = Vector256.Load(b1 + offset);
            Vector256<T> s = Vector256.Create(a[0]);
            x00 = Fma.MultiplyAdd(s, v0, x00);
            x01 = Fma.MultiplyAdd(s, v1, x01);
            s = Vector256.Create(a[aRow]);
            x10 = Fma.MultiplyAdd(s, v0, x10);
            x11 = Fma.MultiplyAdd(s, v1, x11);
            s = Vector256.Create(a[2 * aRow]);
            x20 = Fma.MultiplyAdd(s, v0, x20);
            x21 = Fma.MultiplyAdd(s, v1, x21);
            s = Vector256.Create(a[3 * aRow]);
            x30 = Fma.MultiplyAdd(s, v0, x30);
            x31 = Fma.MultiplyAdd(s, v1, x31);
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
    private static void Tile4x3<T>(
        T* a, nint aRow, nint aStep, T* b0, T* b1, T* b2, nint ldb, int k, T* c0, T* c1, T* c2, nint ldc,
        Epilogue<T> epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> x00 = default, x01 = default, x02 = default, x10 = default, x11 = default, x12 = default;
        Vector256<T> x20 = default, x21 = default, x22 = default, x30 = default, x31 = default, x32 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            Vector256<T> v0 = Vector256.Load(b0 + offset);
            Vector256<T> v1 = Vector256.Load(b1 + offset);
            Vector256<T> v2 = Vector256.Load(b2 + offset);
            Vector256<T> s = Vector256.Create(a[0]);
            x00 = Fma.MultiplyAdd(s, v0, x00);
            x01 = Fma.MultiplyAdd(s, v1, x01);
            x02 = Fma.MultiplyAdd(s, v2, x02);
            s = Vector256.Create(a[aRow]);
            x10 = Fma.MultiplyAdd(s, v0, x10);
            x11 = Fma.MultiplyAdd(s, v1, x11);
            x12 = Fma.MultiplyAdd(s, v2, x12);
            s = Vector256.Create(a[2 * aRow]);
            x20 = Fma.MultiplyAdd(s, v0, x20);
            x21 = Fma.MultiplyAdd(s, v1, x21);
            x22 = Fma.MultiplyAdd(s, v2, x22);
            s = Vector256.Create(a[3 * aRow]);
            x30 = Fma.MultiplyAdd(s, v0, x30);
            x31 = Fma.MultiplyAdd(s, v1, x31);
            x32 = Fma.MultiplyAdd(s, v2, x32);
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
    private static void Tile4x1<T>(
        T* a, nint aRow, nint aStep, T* b0, nint ldb, int k, T* c0, nint ldc, bool last, Epilogue<T> epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> x0 = default, x1 = default, x2 = default, x3 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            Vector256<T> v0 = Vector256.Load(b0 + offset);
            x0 = Fma.MultiplyAdd(Vector256.Create(a[0]), v0, x0);
            x1 = Fma.MultiplyAdd(Vector256.Create(a[aRow]), v0, x1);
            x2 = Fma.MultiplyAdd(Vector256.Create(a[2 * aRow]), v0, x2);
            x3 = Fma.MultiplyAdd(Vector256.Create(a[3 * aRow]), v0, x3);
            a += aStep;
            offset += ldb;
        }

        epilogue.Store(x0, c0, last);
        epilogue.Store(x1, c0 + ldc, last);
        epilogue.Store(x2, c0 + (2 * ldc), last);
        epilogue.Store(x3, c0 + (3 * ldc), last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x1<T>(T* a, nint aStep, T* b0, nint ldb, int k, T* c0, bool last, Epilogue<T> epilogue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> x0 = default;
        nint offset = 0;
        for (int p = 0; p < k; p++)
        {
            x0 = Fma.MultiplyAdd(Vector256.Create(*a), Vector256.Load(b0 + offset), x0);
            a += aStep;
            offset += ldb;
        }

        epilogue.Store(x0, c0, last);
    }

    /// <summary>C = alpha·x + beta·C for one vector; the last vector keeps its overlapped lanes.</summary>
    private readonly struct Epilogue<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly Vector256<T> _alpha;
        private readonly Vector256<T> _beta;
        private readonly Vector256<T> _fresh;   // lanes of the last vector not stored before
        private readonly bool _betaZero;

        public Epilogue(T alpha, T beta, int overlap)
        {
            _alpha = Vector256.Create(alpha);
            _beta = Vector256.Create(beta);
            _fresh = Vector256.GreaterThanOrEqual(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(overlap)));
            _betaZero = T.IsZero(beta);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector256<T> x, T* c, bool last)
        {
            Vector256<T> product = _alpha * x;
            if (_betaZero)
            {
                product.Store(c);
                return;
            }

            Vector256<T> old = Vector256.Load(c);
            Vector256<T> result = Fma.MultiplyAdd(_beta, old, product);
            if (last)
            {
                result = Vector256.ConditionalSelect(_fresh, result, old);
            }

            result.Store(c);
        }
    }
}
