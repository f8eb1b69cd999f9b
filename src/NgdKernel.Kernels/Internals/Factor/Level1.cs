namespace NgdKernel.Kernels.Internals;

/// <summary>
/// The level-1 loops inside Cholesky, Trsm, Sherman-Morrison and Jacobi (dot, axpy, scale,
/// plane rotation) on raw references, one method per <see cref="KernelPath"/> so tests can
/// force each path. TensorPrimitives picks its own width from the hardware, so it cannot be
/// forced onto a path; these loops can. Callers validate; nothing here checks bounds.
/// </summary>
internal static class Level1
{
    // ---------------------------------------------------------------- dot

    /// <summary><c>sum_i x[i] y[i]</c> over <paramref name="length"/> contiguous elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Dot<T>(ref T x, ref T y, int length, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => path switch
        {
            KernelPath.Vector512 => Dot<Simd512<T>, Vector512<T>, T>(ref x, ref y, length),
            KernelPath.Vector256 => Dot<Simd256<T>, Vector256<T>, T>(ref x, ref y, length),
            _ => DotScalar(ref x, ref y, length),
        };

    public static T DotScalar<T>(ref T x, ref T y, int length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Two accumulators hide the add latency without reordering more than the vector paths do.
        T s0 = T.Zero, s1 = T.Zero;
        int i = 0;
        for (; i + 1 < length; i += 2)
        {
            s0 = T.FusedMultiplyAdd(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i), s0);
            s1 = T.FusedMultiplyAdd(Unsafe.Add(ref x, i + 1), Unsafe.Add(ref y, i + 1), s1);
        }

        if (i < length)
        {
            s0 = T.FusedMultiplyAdd(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i), s0);
        }

        return s0 + s1;
    }

    /// <summary>The vector dot: four accumulators, then one, then a scalar tail; a short x goes to the next narrower path.</summary>
    public static T Dot<TSimd, TVector, T>(ref T x, ref T y, int length)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = TSimd.Count;
        if ((nuint)length < w)
        {
            return typeof(TVector) == typeof(Vector512<T>)
                ? Dot<Simd256<T>, Vector256<T>, T>(ref x, ref y, length)
                : DotScalar(ref x, ref y, length);
        }

        TVector a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0;
        nuint n = (nuint)length;
        for (; i + (4 * w) <= n; i += 4 * w)
        {
            a0 = TSimd.Fma(TSimd.Load(ref x, i), TSimd.Load(ref y, i), a0);
            a1 = TSimd.Fma(TSimd.Load(ref x, i + w), TSimd.Load(ref y, i + w), a1);
            a2 = TSimd.Fma(TSimd.Load(ref x, i + (2 * w)), TSimd.Load(ref y, i + (2 * w)), a2);
            a3 = TSimd.Fma(TSimd.Load(ref x, i + (3 * w)), TSimd.Load(ref y, i + (3 * w)), a3);
        }

        for (; i + w <= n; i += w)
        {
            a0 = TSimd.Fma(TSimd.Load(ref x, i), TSimd.Load(ref y, i), a0);
        }

        T tail = T.Zero;
        for (; i < n; i++)
        {
            tail = T.FusedMultiplyAdd(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i), tail);
        }

        return TSimd.Sum(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3))) + tail;
    }

    // ---------------------------------------------------------------- axpy: y += alpha x, and scale: x *= alpha

    /// <summary>One FMA per element, so every path (and the narrower ones taking the tail) gives the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy<T>(T alpha, ref T x, ref T y, int length, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint n = (nuint)length;
        nuint i = path == KernelPath.Vector512 ? Axpy<Simd512<T>, Vector512<T>, T>(alpha, ref x, ref y, 0, n) : 0;
        i = path != KernelPath.Scalar ? Axpy<Simd256<T>, Vector256<T>, T>(alpha, ref x, ref y, i, n) : i;
        Axpy<SimdScalar<T, One>, T, T>(alpha, ref x, ref y, i, n);
    }

    /// <summary>Whole vectors from <paramref name="i"/>, two at a time, then one; returns where the next narrower path goes on.</summary>
    private static nuint Axpy<TSimd, TVector, T>(T alpha, ref T x, ref T y, nuint i, nuint n)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = TSimd.Count;
        TVector a = TSimd.Broadcast(alpha);
        for (; i + (2 * w) <= n; i += 2 * w)
        {
            TSimd.Store(TSimd.Fma(a, TSimd.Load(ref x, i), TSimd.Load(ref y, i)), ref y, i);
            TSimd.Store(TSimd.Fma(a, TSimd.Load(ref x, i + w), TSimd.Load(ref y, i + w)), ref y, i + w);
        }

        for (; i + w <= n; i += w)
        {
            TSimd.Store(TSimd.Fma(a, TSimd.Load(ref x, i), TSimd.Load(ref y, i)), ref y, i);
        }

        return i;
    }

    public static void Scale<T>(T alpha, ref T x, int length, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint n = (nuint)length;
        nuint i = path == KernelPath.Vector512 ? Scale<Simd512<T>, Vector512<T>, T>(alpha, ref x, 0, n) : 0;
        i = path != KernelPath.Scalar ? Scale<Simd256<T>, Vector256<T>, T>(alpha, ref x, i, n) : i;
        Scale<SimdScalar<T, One>, T, T>(alpha, ref x, i, n);
    }

    /// <summary>Scales whole vectors from <paramref name="i"/>; returns where the next narrower path goes on.</summary>
    private static nuint Scale<TSimd, TVector, T>(T alpha, ref T x, nuint i, nuint n)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVector a = TSimd.Broadcast(alpha);
        for (; i + TSimd.Count <= n; i += TSimd.Count)
        {
            TSimd.Store(TSimd.Multiply(TSimd.Load(ref x, i), a), ref x, i);
        }

        return i;
    }

    // ---------------------------------------------------------------- plane rotation

    /// <summary>
    /// <c>(x, y) &lt;- (c x - s y, s x + c y)</c> elementwise (BLAS drot with the sign of
    /// <c>s</c> flipped), the row update of a Jacobi rotation.
    /// </summary>
    public static void Rotate<T>(ref T x, ref T y, int length, T c, T s, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint n = (nuint)length;
        nuint i = path == KernelPath.Vector512 ? Rotate<Simd512<T>, Vector512<T>, T>(ref x, ref y, 0, n, c, s) : 0;
        i = path != KernelPath.Scalar ? Rotate<Simd256<T>, Vector256<T>, T>(ref x, ref y, i, n, c, s) : i;
        Rotate<SimdScalar<T, One>, T, T>(ref x, ref y, i, n, c, s);
    }

    /// <summary>Rotates whole vectors from <paramref name="i"/>; returns where the next narrower path goes on.</summary>
    private static nuint Rotate<TSimd, TVector, T>(ref T x, ref T y, nuint i, nuint n, T c, T s)
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVector vc = TSimd.Broadcast(c), vs = TSimd.Broadcast(s);
        for (; i + TSimd.Count <= n; i += TSimd.Count)
        {
            TVector xv = TSimd.Load(ref x, i);
            TVector yv = TSimd.Load(ref y, i);
            TSimd.Store(TSimd.Subtract(TSimd.Multiply(vc, xv), TSimd.Multiply(vs, yv)), ref x, i);
            TSimd.Store(TSimd.Add(TSimd.Multiply(vs, xv), TSimd.Multiply(vc, yv)), ref y, i);
        }

        return i;
    }
}
