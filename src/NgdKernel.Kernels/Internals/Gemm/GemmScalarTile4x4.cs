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
    public static unsafe void Run(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc) =>
        Tile<Four>(kc, a, b, alpha, beta, c, ldc);

    /// <inheritdoc cref="IGemmMicroKernel{T}.RunNarrow"/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunNarrow(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc) =>
        Tile<Two>(kc, a, b, alpha, beta, c, ldc);

    /// <summary>4 rows × <typeparamref name="TColumns"/> (4 or 2) columns of B's panel (row stride 4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Tile<TColumns>(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc)
        where TColumns : IConstant
    {
        bool wide = TColumns.Value == 4;
        T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero;
        T c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero;
        T c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
        for (int p = 0; p < kc; p++)
        {
            T b0 = b[0], b1 = b[1], b2 = wide ? b[2] : T.Zero, b3 = wide ? b[3] : T.Zero;
            Row(wide, a[0], b0, b1, b2, b3, ref c00, ref c01, ref c02, ref c03);
            Row(wide, a[1], b0, b1, b2, b3, ref c10, ref c11, ref c12, ref c13);
            Row(wide, a[2], b0, b1, b2, b3, ref c20, ref c21, ref c22, ref c23);
            Row(wide, a[3], b0, b1, b2, b3, ref c30, ref c31, ref c32, ref c33);
            a += 4;
            b += 4;
        }

        Store(wide, c, alpha, beta, c00, c01, c02, c03);
        Store(wide, c + ldc, alpha, beta, c10, c11, c12, c13);
        Store(wide, c + (2 * ldc), alpha, beta, c20, c21, c22, c23);
        Store(wide, c + (3 * ldc), alpha, beta, c30, c31, c32, c33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(bool wide, T a, T b0, T b1, T b2, T b3, ref T x0, ref T x1, ref T x2, ref T x3)
    {
        x0 += a * b0;
        x1 += a * b1;
        if (wide)
        {
            x2 += a * b2;
            x3 += a * b3;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(bool wide, T* row, T alpha, T beta, T x0, T x1, T x2, T x3)
    {
        bool betaZero = T.IsZero(beta);
        row[0] = betaZero ? alpha * x0 : Update(alpha * x0, beta, row[0]);
        row[1] = betaZero ? alpha * x1 : Update(alpha * x1, beta, row[1]);
        if (wide)
        {
            row[2] = betaZero ? alpha * x2 : Update(alpha * x2, beta, row[2]);
            row[3] = betaZero ? alpha * x3 : Update(alpha * x3, beta, row[3]);
        }
    }
}
