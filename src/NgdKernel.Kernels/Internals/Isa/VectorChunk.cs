using System.Numerics;
using System.Runtime.CompilerServices;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// A chunk of one row held in registers: <typeparamref name="TCount"/> (1 to 4) vectors at column
/// offsets 0, o1, o2, o3. The load, multiply-add, scale and store steps that the register-blocked
/// triangular solves, the diagonal-block Cholesky and the small GEMM tiles share. Vectors past
/// <typeparamref name="TCount"/> are never read or written (the JIT folds the tests away).
/// </summary>
internal static class VectorChunk<TOps, TVector, TCount, T>
    where TOps : ISimd<TVector, T>
    where TVector : struct
    where TCount : IConstant
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(ref T row, nuint o1, nuint o2, nuint o3, out TVector v0, out TVector v1, out TVector v2, out TVector v3)
    {
        v0 = TOps.Load(ref row, 0);
        v1 = TCount.Value > 1 ? TOps.Load(ref row, o1) : default;
        v2 = TCount.Value > 2 ? TOps.Load(ref row, o2) : default;
        v3 = TCount.Value > 3 ? TOps.Load(ref row, o3) : default;
    }

    /// <summary><c>a += s·x</c> on each vector, one FMA each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd(TVector s, TVector x0, TVector x1, TVector x2, TVector x3, ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3)
    {
        a0 = TOps.Fma(s, x0, a0);
        if (TCount.Value > 1)
        {
            a1 = TOps.Fma(s, x1, a1);
        }

        if (TCount.Value > 2)
        {
            a2 = TOps.Fma(s, x2, a2);
        }

        if (TCount.Value > 3)
        {
            a3 = TOps.Fma(s, x3, a3);
        }
    }

    /// <summary><c>a -= coefficient·x</c> on each vector (one FMA with the negated coefficient).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Subtract(T coefficient, TVector x0, TVector x1, TVector x2, TVector x3, ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3) =>
        MultiplyAdd(TOps.Broadcast(-coefficient), x0, x1, x2, x3, ref a0, ref a1, ref a2, ref a3);

    /// <summary><c>a *= s</c> on each vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scale(TVector s, ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3)
    {
        a0 = TOps.Multiply(a0, s);
        a1 = TCount.Value > 1 ? TOps.Multiply(a1, s) : a1;
        a2 = TCount.Value > 2 ? TOps.Multiply(a2, s) : a2;
        a3 = TCount.Value > 3 ? TOps.Multiply(a3, s) : a3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref T row, nuint o1, nuint o2, nuint o3, TVector v0, TVector v1, TVector v2, TVector v3)
    {
        TOps.Store(v0, ref row, 0);
        if (TCount.Value > 1)
        {
            TOps.Store(v1, ref row, o1);
        }

        if (TCount.Value > 2)
        {
            TOps.Store(v2, ref row, o2);
        }

        if (TCount.Value > 3)
        {
            TOps.Store(v3, ref row, o3);
        }
    }
}
