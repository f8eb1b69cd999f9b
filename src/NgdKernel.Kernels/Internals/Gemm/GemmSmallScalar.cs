using System.Numerics;
using System.Runtime.CompilerServices;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Scalar small-problem GEMM (see <see cref="GemmSmall"/>): one row of C at a time, four columns per
/// pass over k, reading every operand in place through its strides (no buffer for transposes).
/// </summary>
internal static unsafe class GemmSmallScalar
{
    /// <inheritdoc cref="GemmSmall.Run{T}"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(
        T* a, nint lda, bool transposeA, T* b, nint ldb, bool transposeB, T alpha, T beta,
        T* c, nint ldc, int m, int n, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Steps between consecutive rows of C (i) and consecutive k (p) of op(A), and between
        // consecutive k and columns (j) of op(B).
        nint aRow = transposeA ? 1 : lda, aStep = transposeA ? lda : 1;
        nint bStep = transposeB ? 1 : ldb, bColumn = transposeB ? ldb : 1;
        bool betaZero = T.IsZero(beta);
        for (int i = 0; i < m; i++)
        {
            T* ai = a + (i * aRow);
            T* ci = c + (i * ldc);
            int j = 0;
            for (; j + 4 <= n; j += 4)
            {
                T x0 = T.Zero, x1 = T.Zero, x2 = T.Zero, x3 = T.Zero;
                T* ap = ai;
                T* bp = b + (j * bColumn);
                for (int p = 0; p < k; p++)
                {
                    T av = *ap;
                    x0 += av * bp[0];
                    x1 += av * bp[bColumn];
                    x2 += av * bp[2 * bColumn];
                    x3 += av * bp[3 * bColumn];
                    ap += aStep;
                    bp += bStep;
                }

                Store(ci + j, alpha * x0, beta, betaZero);
                Store(ci + j + 1, alpha * x1, beta, betaZero);
                Store(ci + j + 2, alpha * x2, beta, betaZero);
                Store(ci + j + 3, alpha * x3, beta, betaZero);
            }

            for (; j < n; j++)
            {
                T x = T.Zero;
                T* ap = ai;
                T* bp = b + (j * bColumn);
                for (int p = 0; p < k; p++)
                {
                    x += *ap * *bp;
                    ap += aStep;
                    bp += bStep;
                }

                Store(ci + j, alpha * x, beta, betaZero);
            }
        }
    }

    /// <summary>c = product + beta·c, or c = product without reading c when beta = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* c, T product, T beta, bool betaZero)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        *c = betaZero ? product : product + (beta * *c);
}
