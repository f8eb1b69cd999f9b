using System.Numerics;
using CommunityToolkit.HighPerformance;

namespace NgdKernel.Kernels.Internals;

/// <summary>Runs a validated GEMM (or the lower triangle of a SYRK) on one path.</summary>
internal static class GemmDriver
{
    public static void Run<T>(
        ReadOnlySpan2D<T> a, MatrixOp opA, ReadOnlySpan2D<T> b, MatrixOp opB, T alpha, T beta, Span2D<T> c,
        KernelPath path, KernelContext context, bool lowerTriangleOnly)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        _ = path;
        _ = context;
        int m = c.Height;
        int n = c.Width;
        int k = opA == MatrixOp.None ? a.Width : a.Height;
        for (int i = 0; i < m; i++)
        {
            int jEnd = lowerTriangleOnly ? i + 1 : n;
            for (int j = 0; j < jEnd; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T x = opA == MatrixOp.None ? a[i, p] : a[p, i];
                    T y = opB == MatrixOp.None ? b[p, j] : b[j, p];
                    sum += x * y;
                }

                ref T cij = ref c.DangerousGetReferenceAt(i, j);
                cij = T.IsZero(beta) ? alpha * sum : (alpha * sum) + (beta * cij);
            }
        }
    }
}
