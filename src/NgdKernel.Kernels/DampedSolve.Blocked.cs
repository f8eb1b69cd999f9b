using System.Numerics;
using System.Runtime.CompilerServices;

namespace NgdKernel.Kernels;

// The triangular solves of DampedSolve, four rows of the tile at a time over a panel of two vectors:
// eight accumulators stay in registers while each earlier row is loaded once, where a row-by-row
// update would load and store every row n times. Each element still takes its updates in the order
// of the plain right-looking loops (ascending j forward, descending j backward, then the scaling),
// so the result does not depend on the blocking or the vector width.
public static partial class DampedSolve
{
    /// <summary><c>Uᵀ·Y = B</c> then <c>U·X = Y</c> on the tile, panel by panel of two vectors.</summary>
    private static void SolveBlocked<T, TVector, TOps>(ref T u, ref T inv, int n, int pitch, ref T tile, int tileWidth)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVector : struct
        where TOps : struct, ISolveVector<TVector, T>
    {
        int panel = 2 * TOps.Count;
        for (int c = 0; c < tileWidth; c += panel)
        {
            ref T p = ref Unsafe.Add(ref tile, c);
            int i = 0;
            for (; i + 4 <= n; i += 4)
            {
                Forward4<T, TVector, TOps>(ref u, ref inv, pitch, ref p, tileWidth, i);
            }

            for (; i < n; i++)
            {
                Forward1<T, TVector, TOps>(ref u, ref inv, pitch, ref p, tileWidth, i);
            }

            i = n;
            for (; i - 4 >= 0; i -= 4)
            {
                Backward4<T, TVector, TOps>(ref u, ref inv, n, pitch, ref p, tileWidth, i - 4);
            }

            for (i--; i >= 0; i--)
            {
                Backward1<T, TVector, TOps>(ref u, ref inv, n, pitch, ref p, tileWidth, i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward4<T, TVector, TOps>(ref T u, ref T inv, int pitch, ref T p, int tileWidth, int i)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVector : struct
        where TOps : struct, ISolveVector<TVector, T>
    {
        int w = TOps.Count;
        ref T r0 = ref Unsafe.Add(ref p, i * tileWidth);
        ref T r1 = ref Unsafe.Add(ref r0, tileWidth);
        ref T r2 = ref Unsafe.Add(ref r1, tileWidth);
        ref T r3 = ref Unsafe.Add(ref r2, tileWidth);
        TVector a0 = TOps.Load(ref r0, 0), b0 = TOps.Load(ref r0, w);
        TVector a1 = TOps.Load(ref r1, 0), b1 = TOps.Load(ref r1, w);
        TVector a2 = TOps.Load(ref r2, 0), b2 = TOps.Load(ref r2, w);
        TVector a3 = TOps.Load(ref r3, 0), b3 = TOps.Load(ref r3, w);
        ref T y = ref p;
        ref T column = ref Unsafe.Add(ref u, i); // U[j, i..i+3] walks down column i
        for (int j = 0; j < i; j++)
        {
            TVector ya = TOps.Load(ref y, 0), yb = TOps.Load(ref y, w);
            T l0 = column, l1 = Unsafe.Add(ref column, 1), l2 = Unsafe.Add(ref column, 2), l3 = Unsafe.Add(ref column, 3);
            a0 = TOps.MultiplySubtract(a0, l0, ya);
            b0 = TOps.MultiplySubtract(b0, l0, yb);
            a1 = TOps.MultiplySubtract(a1, l1, ya);
            b1 = TOps.MultiplySubtract(b1, l1, yb);
            a2 = TOps.MultiplySubtract(a2, l2, ya);
            b2 = TOps.MultiplySubtract(b2, l2, yb);
            a3 = TOps.MultiplySubtract(a3, l3, ya);
            b3 = TOps.MultiplySubtract(b3, l3, yb);
            y = ref Unsafe.Add(ref y, tileWidth);
            column = ref Unsafe.Add(ref column, pitch);
        }

        // The 4x4 diagonal block: rows i..i+3 of U, upper triangle.
        ref T d0 = ref Unsafe.Add(ref u, (i * pitch) + i);
        ref T d1 = ref Unsafe.Add(ref d0, pitch + 1);
        ref T d2 = ref Unsafe.Add(ref d1, pitch + 1);
        T s0 = Unsafe.Add(ref inv, i), s1 = Unsafe.Add(ref inv, i + 1), s2 = Unsafe.Add(ref inv, i + 2), s3 = Unsafe.Add(ref inv, i + 3);
        a0 = TOps.Scale(a0, s0);
        b0 = TOps.Scale(b0, s0);
        T l = Unsafe.Add(ref d0, 1);
        a1 = TOps.Scale(TOps.MultiplySubtract(a1, l, a0), s1);
        b1 = TOps.Scale(TOps.MultiplySubtract(b1, l, b0), s1);
        l = Unsafe.Add(ref d0, 2);
        T m = Unsafe.Add(ref d1, 1);
        a2 = TOps.Scale(TOps.MultiplySubtract(TOps.MultiplySubtract(a2, l, a0), m, a1), s2);
        b2 = TOps.Scale(TOps.MultiplySubtract(TOps.MultiplySubtract(b2, l, b0), m, b1), s2);
        l = Unsafe.Add(ref d0, 3);
        m = Unsafe.Add(ref d1, 2);
        T o = Unsafe.Add(ref d2, 1);
        a3 = TOps.Scale(TOps.MultiplySubtract(TOps.MultiplySubtract(TOps.MultiplySubtract(a3, l, a0), m, a1), o, a2), s3);
        b3 = TOps.Scale(TOps.MultiplySubtract(TOps.MultiplySubtract(TOps.MultiplySubtract(b3, l, b0), m, b1), o, b2), s3);
        TOps.Store(a0, ref r0, 0);
        TOps.Store(b0, ref r0, w);
        TOps.Store(a1, ref r1, 0);
        TOps.Store(b1, ref r1, w);
        TOps.Store(a2, ref r2, 0);
        TOps.Store(b2, ref r2, w);
        TOps.Store(a3, ref r3, 0);
        TOps.Store(b3, ref r3, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward1<T, TVector, TOps>(ref T u, ref T inv, int pitch, ref T p, int tileWidth, int i)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVector : struct
        where TOps : struct, ISolveVector<TVector, T>
    {
        int w = TOps.Count;
        ref T r0 = ref Unsafe.Add(ref p, i * tileWidth);
        TVector a0 = TOps.Load(ref r0, 0), b0 = TOps.Load(ref r0, w);
        ref T y = ref p;
        ref T column = ref Unsafe.Add(ref u, i);
        for (int j = 0; j < i; j++)
        {
            T l0 = column;
            a0 = TOps.MultiplySubtract(a0, l0, TOps.Load(ref y, 0));
            b0 = TOps.MultiplySubtract(b0, l0, TOps.Load(ref y, w));
            y = ref Unsafe.Add(ref y, tileWidth);
            column = ref Unsafe.Add(ref column, pitch);
        }

        T s0 = Unsafe.Add(ref inv, i);
        TOps.Store(TOps.Scale(a0, s0), ref r0, 0);
        TOps.Store(TOps.Scale(b0, s0), ref r0, w);
    }

    /// <summary>Rows i..i+3 of <c>U·X = Y</c>, rows below i + 3 already solved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward4<T, TVector, TOps>(ref T u, ref T inv, int n, int pitch, ref T p, int tileWidth, int i)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVector : struct
        where TOps : struct, ISolveVector<TVector, T>
    {
        int w = TOps.Count;
        ref T r0 = ref Unsafe.Add(ref p, i * tileWidth);
        ref T r1 = ref Unsafe.Add(ref r0, tileWidth);
        ref T r2 = ref Unsafe.Add(ref r1, tileWidth);
        ref T r3 = ref Unsafe.Add(ref r2, tileWidth);
        TVector a0 = TOps.Load(ref r0, 0), b0 = TOps.Load(ref r0, w);
        TVector a1 = TOps.Load(ref r1, 0), b1 = TOps.Load(ref r1, w);
        TVector a2 = TOps.Load(ref r2, 0), b2 = TOps.Load(ref r2, w);
        TVector a3 = TOps.Load(ref r3, 0), b3 = TOps.Load(ref r3, w);
        ref T u0 = ref Unsafe.Add(ref u, i * pitch);
        ref T u1 = ref Unsafe.Add(ref u0, pitch);
        ref T u2 = ref Unsafe.Add(ref u1, pitch);
        ref T u3 = ref Unsafe.Add(ref u2, pitch);
        for (int j = n - 1; j > i + 3; j--)
        {
            ref T x = ref Unsafe.Add(ref p, j * tileWidth);
            TVector xa = TOps.Load(ref x, 0), xb = TOps.Load(ref x, w);
            T l0 = Unsafe.Add(ref u0, j), l1 = Unsafe.Add(ref u1, j), l2 = Unsafe.Add(ref u2, j), l3 = Unsafe.Add(ref u3, j);
            a0 = TOps.MultiplySubtract(a0, l0, xa);
            b0 = TOps.MultiplySubtract(b0, l0, xb);
            a1 = TOps.MultiplySubtract(a1, l1, xa);
            b1 = TOps.MultiplySubtract(b1, l1, xb);
            a2 = TOps.MultiplySubtract(a2, l2, xa);
            b2 = TOps.MultiplySubtract(b2, l2, xb);
            a3 = TOps.MultiplySubtract(a3, l3, xa);
            b3 = TOps.MultiplySubtract(b3, l3, xb);
        }

        T s0 = Unsafe.Add(ref inv, i), s1 = Unsafe.Add(ref inv, i + 1), s2 = Unsafe.Add(ref inv, i + 2), s3 = Unsafe.Add(ref inv, i + 3);
        a3 = TOps.Scale(a3, s3);
        b3 = TOps.Scale(b3, s3);
        T l = Unsafe.Add(ref u2, i + 3);
        a2 = TOps.Scale(TOps.MultiplySubtract(a2, l, a3), s2);
        b2 = TOps.Scale(TOps.MultiplySubtract(b2, l, b3), s2);
        l = Unsafe.Add(ref u1, i + 3);
        T m = Unsafe.Add(ref u1, i + 2);
        a1 = TOps.Scale(TOps.MultiplySubtract(TOps.MultiplySubtract(a1, l, a3), m, a2), s1);
        b1 = TOps.Scale(TOps.MultiplySubtract(TOps.MultiplySubtract(b1, l, b3), m, b2), s1);
        l = Unsafe.Add(ref u0, i + 3);
        m = Unsafe.Add(ref u0, i + 2);
        T o = Unsafe.Add(ref u0, i + 1);
        a0 = TOps.Scale(TOps.MultiplySubtract(TOps.MultiplySubtract(TOps.MultiplySubtract(a0, l, a3), m, a2), o, a1), s0);
        b0 = TOps.Scale(TOps.MultiplySubtract(TOps.MultiplySubtract(TOps.MultiplySubtract(b0, l, b3), m, b2), o, b1), s0);
        TOps.Store(a0, ref r0, 0);
        TOps.Store(b0, ref r0, w);
        TOps.Store(a1, ref r1, 0);
        TOps.Store(b1, ref r1, w);
        TOps.Store(a2, ref r2, 0);
        TOps.Store(b2, ref r2, w);
        TOps.Store(a3, ref r3, 0);
        TOps.Store(b3, ref r3, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward1<T, TVector, TOps>(ref T u, ref T inv, int n, int pitch, ref T p, int tileWidth, int i)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVector : struct
        where TOps : struct, ISolveVector<TVector, T>
    {
        int w = TOps.Count;
        ref T r0 = ref Unsafe.Add(ref p, i * tileWidth);
        TVector a0 = TOps.Load(ref r0, 0), b0 = TOps.Load(ref r0, w);
        ref T u0 = ref Unsafe.Add(ref u, i * pitch);
        for (int j = n - 1; j > i; j--)
        {
            ref T x = ref Unsafe.Add(ref p, j * tileWidth);
            T l0 = Unsafe.Add(ref u0, j);
            a0 = TOps.MultiplySubtract(a0, l0, TOps.Load(ref x, 0));
            b0 = TOps.MultiplySubtract(b0, l0, TOps.Load(ref x, w));
        }

        T s0 = Unsafe.Add(ref inv, i);
        TOps.Store(TOps.Scale(a0, s0), ref r0, 0);
        TOps.Store(TOps.Scale(b0, s0), ref r0, w);
    }
}

// The factorization of DampedSolve, left-looking by blocks of four rows: the updates from all rows
// above the block run in registers panel by panel (as the solves), then the block's own 4x4
// triangle is finished row by row. Element (i, c) still takes its updates in ascending j and then
// its scaling, as in the plain right-looking loop.
public static partial class DampedSolve
{
    private static bool FactorBlocked<T, TOps, TVector, TSolve>(ref T u, ref T inv, int n, int pitch, out CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : struct, IRowOps<T>
        where TVector : struct
        where TSolve : struct, ISolveVector<TVector, T>
    {
        int panel = 2 * TSolve.Count;
        for (int i = 0; i < n;)
        {
            int rows = n - i >= 4 ? 4 : 1;
            if (i > 0)
            {
                for (int c = i; c < n; c += panel)
                {
                    if (rows == 4)
                    {
                        Update4<T, TVector, TSolve>(ref u, pitch, i, c);
                    }
                    else
                    {
                        Update1<T, TVector, TSolve>(ref u, pitch, i, c);
                    }
                }
            }

            for (int r = i; r < i + rows; r++)
            {
                ref T row = ref Unsafe.Add(ref u, r * pitch);
                for (int q = i; q < r; q++)
                {
                    ref T above = ref Unsafe.Add(ref u, q * pitch);
                    TOps.MultiplySubtract(ref Unsafe.Add(ref row, r), ref Unsafe.Add(ref above, r), Unsafe.Add(ref above, r), n - r);
                }

                T d = Unsafe.Add(ref row, r);
                if (!(d > T.Zero && d < T.PositiveInfinity))
                {
                    failure = new CholeskyFailure(r, double.CreateTruncating(d));
                    return false;
                }

                T root = T.Sqrt(d);
                T scale = T.One / root;
                Unsafe.Add(ref row, r) = root;
                Unsafe.Add(ref inv, r) = scale;
                TOps.Scale(ref Unsafe.Add(ref row, r + 1), scale, n - r - 1);
            }

            i += rows;
        }

        failure = default;
        return true;
    }

    /// <summary>Rows i..i+3, columns c..c+2W: subtract <c>U[j, i+r]·U[j, c..]</c> for every j &lt; i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update4<T, TVector, TOps>(ref T u, int pitch, int i, int c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVector : struct
        where TOps : struct, ISolveVector<TVector, T>
    {
        int w = TOps.Count;
        ref T r0 = ref Unsafe.Add(ref u, (i * pitch) + c);
        ref T r1 = ref Unsafe.Add(ref r0, pitch);
        ref T r2 = ref Unsafe.Add(ref r1, pitch);
        ref T r3 = ref Unsafe.Add(ref r2, pitch);
        TVector a0 = TOps.Load(ref r0, 0), b0 = TOps.Load(ref r0, w);
        TVector a1 = TOps.Load(ref r1, 0), b1 = TOps.Load(ref r1, w);
        TVector a2 = TOps.Load(ref r2, 0), b2 = TOps.Load(ref r2, w);
        TVector a3 = TOps.Load(ref r3, 0), b3 = TOps.Load(ref r3, w);
        ref T y = ref Unsafe.Add(ref u, c);
        ref T column = ref Unsafe.Add(ref u, i);
        for (int j = 0; j < i; j++)
        {
            TVector ya = TOps.Load(ref y, 0), yb = TOps.Load(ref y, w);
            T l0 = column, l1 = Unsafe.Add(ref column, 1), l2 = Unsafe.Add(ref column, 2), l3 = Unsafe.Add(ref column, 3);
            a0 = TOps.MultiplySubtract(a0, l0, ya);
            b0 = TOps.MultiplySubtract(b0, l0, yb);
            a1 = TOps.MultiplySubtract(a1, l1, ya);
            b1 = TOps.MultiplySubtract(b1, l1, yb);
            a2 = TOps.MultiplySubtract(a2, l2, ya);
            b2 = TOps.MultiplySubtract(b2, l2, yb);
            a3 = TOps.MultiplySubtract(a3, l3, ya);
            b3 = TOps.MultiplySubtract(b3, l3, yb);
            y = ref Unsafe.Add(ref y, pitch);
            column = ref Unsafe.Add(ref column, pitch);
        }

        TOps.Store(a0, ref r0, 0);
        TOps.Store(b0, ref r0, w);
        TOps.Store(a1, ref r1, 0);
        TOps.Store(b1, ref r1, w);
        TOps.Store(a2, ref r2, 0);
        TOps.Store(b2, ref r2, w);
        TOps.Store(a3, ref r3, 0);
        TOps.Store(b3, ref r3, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update1<T, TVector, TOps>(ref T u, int pitch, int i, int c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVector : struct
        where TOps : struct, ISolveVector<TVector, T>
    {
        int w = TOps.Count;
        ref T r0 = ref Unsafe.Add(ref u, (i * pitch) + c);
        TVector a0 = TOps.Load(ref r0, 0), b0 = TOps.Load(ref r0, w);
        ref T y = ref Unsafe.Add(ref u, c);
        ref T column = ref Unsafe.Add(ref u, i);
        for (int j = 0; j < i; j++)
        {
            T l0 = column;
            a0 = TOps.MultiplySubtract(a0, l0, TOps.Load(ref y, 0));
            b0 = TOps.MultiplySubtract(b0, l0, TOps.Load(ref y, w));
            y = ref Unsafe.Add(ref y, pitch);
            column = ref Unsafe.Add(ref column, pitch);
        }

        TOps.Store(a0, ref r0, 0);
        TOps.Store(b0, ref r0, w);
    }
}
