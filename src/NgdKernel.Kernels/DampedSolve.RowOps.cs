using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NgdKernel.Kernels.Internals;

namespace NgdKernel.Kernels;

// The two row operations of DampedSolve, one struct per path. Each works on whole vectors from
// the given element: a count is rounded up to the vector width, and the caller's padding makes
// the extra lanes zeros. The update is one fused y - a·x per element on every path, so the paths
// agree bit for bit.
public static partial class DampedSolve
{
    internal interface IRowOps<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        /// <summary>Elements per vector (1 for scalar code).</summary>
        static abstract int Width { get; }

        /// <summary><c>y[e] = fma(-alpha, x[e], y[e])</c> for e &lt; count rounded up to <see cref="Width"/>.</summary>
        static abstract void MultiplySubtract(ref T y, ref T x, T alpha, int count);

        /// <summary><c>y[e] *= alpha</c> for e &lt; count rounded up to <see cref="Width"/>.</summary>
        static abstract void Scale(ref T y, T alpha, int count);
    }

    internal readonly struct RowOpsScalar<T> : IRowOps<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Width => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void MultiplySubtract(ref T y, ref T x, T alpha, int count)
        {
            T negated = -alpha;
            for (int e = 0; e < count; e++)
            {
                Unsafe.Add(ref y, e) = T.FusedMultiplyAdd(negated, Unsafe.Add(ref x, e), Unsafe.Add(ref y, e));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Scale(ref T y, T alpha, int count)
        {
            for (int e = 0; e < count; e++)
            {
                Unsafe.Add(ref y, e) *= alpha;
            }
        }
    }

    internal readonly struct RowOpsVector256<T> : IRowOps<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Width => Vector256<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void MultiplySubtract(ref T y, ref T x, T alpha, int count)
        {
            Vector256<T> negated = Vector256.Create(-alpha);
            for (int e = 0; e < count; e += Vector256<T>.Count)
            {
                Vector256<T> sum = Fma.MultiplyAdd(negated, Vector256.LoadUnsafe(ref x, (nuint)e), Vector256.LoadUnsafe(ref y, (nuint)e));
                sum.StoreUnsafe(ref y, (nuint)e);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Scale(ref T y, T alpha, int count)
        {
            Vector256<T> factor = Vector256.Create(alpha);
            for (int e = 0; e < count; e += Vector256<T>.Count)
            {
                (Vector256.LoadUnsafe(ref y, (nuint)e) * factor).StoreUnsafe(ref y, (nuint)e);
            }
        }
    }

    internal readonly struct RowOpsVector512<T> : IRowOps<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Width => Vector512<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void MultiplySubtract(ref T y, ref T x, T alpha, int count)
        {
            Vector512<T> negated = Vector512.Create(-alpha);
            for (int e = 0; e < count; e += Vector512<T>.Count)
            {
                Vector512<T> sum = Fma.MultiplyAdd(negated, Vector512.LoadUnsafe(ref x, (nuint)e), Vector512.LoadUnsafe(ref y, (nuint)e));
                sum.StoreUnsafe(ref y, (nuint)e);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Scale(ref T y, T alpha, int count)
        {
            Vector512<T> factor = Vector512.Create(alpha);
            for (int e = 0; e < count; e += Vector512<T>.Count)
            {
                (Vector512.LoadUnsafe(ref y, (nuint)e) * factor).StoreUnsafe(ref y, (nuint)e);
            }
        }
    }
}

// Register-level operations of the blocked triangular solves, one struct per path. TVector is the
// register type (Vector512, Vector256, or one element for scalar code).
public static partial class DampedSolve
{
    internal interface ISolveVector<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        static abstract int Count { get; }

        static abstract TVector Load(ref T source, int offset);

        static abstract void Store(TVector value, ref T destination, int offset);

        /// <summary><c>fma(-alpha, x, accumulator)</c>: one rounding, as <see cref="IRowOps{T}.MultiplySubtract"/>.</summary>
        static abstract TVector MultiplySubtract(TVector accumulator, T alpha, TVector x);

        static abstract TVector Scale(TVector value, T alpha);
    }

    internal readonly struct SolveScalar<T> : ISolveVector<T, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Count => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Load(ref T source, int offset) => Unsafe.Add(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(T value, ref T destination, int offset) => Unsafe.Add(ref destination, offset) = value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T MultiplySubtract(T accumulator, T alpha, T x) => T.FusedMultiplyAdd(-alpha, x, accumulator);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Scale(T value, T alpha) => value * alpha;
    }

    internal readonly struct SolveVector256<T> : ISolveVector<Vector256<T>, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Count => Vector256<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Load(ref T source, int offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<T> value, ref T destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> MultiplySubtract(Vector256<T> accumulator, T alpha, Vector256<T> x) =>
            Fma.MultiplyAdd(Vector256.Create(-alpha), x, accumulator);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Scale(Vector256<T> value, T alpha) => value * Vector256.Create(alpha);
    }

    internal readonly struct SolveVector512<T> : ISolveVector<Vector512<T>, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Count => Vector512<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Load(ref T source, int offset) => Vector512.LoadUnsafe(ref source, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<T> value, ref T destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> MultiplySubtract(Vector512<T> accumulator, T alpha, Vector512<T> x) =>
            Fma.MultiplyAdd(Vector512.Create(-alpha), x, accumulator);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Scale(Vector512<T> value, T alpha) => value * Vector512.Create(alpha);
    }
}
