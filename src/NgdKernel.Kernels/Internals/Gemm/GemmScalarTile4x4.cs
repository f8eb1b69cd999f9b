using System.Numerics;
using System.Runtime.CompilerServices;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Portable scalar GEMM micro-kernel: a 4×4 tile of C in 16 scalar accumulators (multiply then add,
/// no FMA, so it doubles as a check that the vector paths' fused rounding stays within tolerance).
/// </summary>
internal readonly struct GemmScalarTile4x4<T> : IGemmMicroKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Mr => 4;

    public static int Nr => 4;

    public static bool FusedUpdate => false;

    /// <inheritdoc cref="IGemmMicroKernel{T}.Update"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Update(T product, T beta, T old) => product + (beta * old);

    /// <inheritdoc cref="IGemmMicroKernel{T}.Run"/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc)
    {
        T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero;
        T c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero;
        T c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
        for (int p = 0; p < kc; p++)
        {
            T b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            T a0 = a[0];
            c00 += a0 * b0;
            c01 += a0 * b1;
            c02 += a0 * b2;
            c03 += a0 * b3;
            T a1 = a[1];
            c10 += a1 * b0;
            c11 += a1 * b1;
            c12 += a1 * b2;
            c13 += a1 * b3;
            T a2 = a[2];
            c20 += a2 * b0;
            c21 += a2 * b1;
            c22 += a2 * b2;
            c23 += a2 * b3;
            T a3 = a[3];
            c30 += a3 * b0;
            c31 += a3 * b1;
            c32 += a3 * b2;
            c33 += a3 * b3;
            a += 4;
            b += 4;
        }

        Store(c, alpha, beta, c00, c01, c02, c03);
        Store(c + ldc, alpha, beta, c10, c11, c12, c13);
        Store(c + (2 * ldc), alpha, beta, c20, c21, c22, c23);
        Store(c + (3 * ldc), alpha, beta, c30, c31, c32, c33);
    }

    /// <inheritdoc cref="IGemmMicroKernel{T}.RunNarrow"/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunNarrow(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc)
    {
        T c00 = T.Zero, c01 = T.Zero, c10 = T.Zero, c11 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c30 = T.Zero, c31 = T.Zero;
        for (int p = 0; p < kc; p++)
        {
            T b0 = b[0], b1 = b[1];
            c00 += a[0] * b0;
            c01 += a[0] * b1;
            c10 += a[1] * b0;
            c11 += a[1] * b1;
            c20 += a[2] * b0;
            c21 += a[2] * b1;
            c30 += a[3] * b0;
            c31 += a[3] * b1;
            a += 4;
            b += 4;
        }

        Store(c, alpha, beta, c00, c01);
        Store(c + ldc, alpha, beta, c10, c11);
        Store(c + (2 * ldc), alpha, beta, c20, c21);
        Store(c + (3 * ldc), alpha, beta, c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(T* row, T alpha, T beta, T x0, T x1)
    {
        if (T.IsZero(beta))
        {
            row[0] = alpha * x0;
            row[1] = alpha * x1;
        }
        else
        {
            row[0] = Update(alpha * x0, beta, row[0]);
            row[1] = Update(alpha * x1, beta, row[1]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(T* row, T alpha, T beta, T x0, T x1, T x2, T x3)
    {
        if (T.IsZero(beta))
        {
            row[0] = alpha * x0;
            row[1] = alpha * x1;
            row[2] = alpha * x2;
            row[3] = alpha * x3;
        }
        else
        {
            row[0] = Update(alpha * x0, beta, row[0]);
            row[1] = Update(alpha * x1, beta, row[1]);
            row[2] = Update(alpha * x2, beta, row[2]);
            row[3] = Update(alpha * x3, beta, row[3]);
        }
    }
}
