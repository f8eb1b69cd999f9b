using System.Numerics;
using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Argument checks shared by every kernel of the assembly: shapes, views, overlap and scalars.
/// Each check is a cheap inlined comparison; the message is built only in <see cref="ThrowHelper"/>.
/// </summary>
internal static class Check
{
    /// <summary>The [rows, columns] of a view.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MatrixShape ShapeOf<T>(ReadOnlySpan2D<T> view) => new(view.Height, view.Width);

    /// <summary>The [rows, columns] of a view as stored, flagged when the kernel uses it transposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MatrixShape ShapeOf<T>(ReadOnlySpan2D<T> view, MatrixOp op) =>
        new(view.Height, view.Width, op == MatrixOp.Transpose);

    /// <summary>
    /// Requires <paramref name="actual"/> == <paramref name="expected"/>, where <paramref name="actual"/> is
    /// the number of <paramref name="dimension"/> ("rows" or "columns") that <paramref name="paramName"/>
    /// has, and <paramref name="expected"/> is fixed by <paramref name="otherName"/>. The message reads
    /// "'b' is 30×20 but 'a' is 10×40: b must have 40 rows.".
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dimension(
        int actual, int expected, string dimension,
        string paramName, MatrixShape shape, string otherName, MatrixShape otherShape)
    {
        if (actual != expected)
        {
            ThrowHelper.ThrowArgument_DimensionMismatch(paramName, shape, otherName, otherShape, expected, dimension);
        }
    }

    /// <summary>Requires a destination of shape <paramref name="expected"/> computed from two inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DestinationShape(
        MatrixShape shape, MatrixShape expected, string paramName,
        string leftName, MatrixShape left, string rightName, MatrixShape right)
    {
        if (!shape.SameSize(expected))
        {
            ThrowHelper.ThrowArgument_DestinationShape(paramName, shape, leftName, left, rightName, right, expected);
        }
    }

    /// <summary>Requires a destination of shape <paramref name="expected"/> computed from one input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DestinationShape(
        MatrixShape shape, MatrixShape expected, string paramName, string sourceName, MatrixShape source)
    {
        if (!shape.SameSize(expected))
        {
            ThrowHelper.ThrowArgument_DestinationShape(paramName, shape, sourceName, source, expected);
        }
    }

    /// <summary>Requires a square view.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Square<T>(ReadOnlySpan2D<T> view, string paramName)
    {
        if (view.Height != view.Width)
        {
            ThrowHelper.ThrowArgument_NotSquare(paramName, ShapeOf(view));
        }
    }

    /// <summary>Requires a finite scalar (not NaN, not ±∞).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finite<T>(T value, string paramName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!T.IsFinite(value))
        {
            ThrowHelper.ThrowArgument_NotFinite(paramName, double.CreateTruncating(value));
        }
    }

    /// <summary>
    /// Requires that the memory spanned by <paramref name="destination"/> (first to last element) does
    /// not overlap the memory spanned by <paramref name="source"/>. Spans are compared as address
    /// intervals, so two interleaved views with disjoint elements are still rejected (conservative).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlap<T>(ReadOnlySpan2D<T> destination, string paramName, ReadOnlySpan2D<T> source, string sourceName)
    {
        if (destination.IsEmpty || source.IsEmpty)
        {
            return;
        }

        ref T d0 = ref destination.DangerousGetReference();
        ref T d1 = ref destination.DangerousGetReferenceAt(destination.Height - 1, destination.Width - 1);
        ref T s0 = ref source.DangerousGetReference();
        ref T s1 = ref source.DangerousGetReferenceAt(source.Height - 1, source.Width - 1);
        if (!Unsafe.IsAddressGreaterThan(ref d0, ref s1) && !Unsafe.IsAddressGreaterThan(ref s0, ref d1))
        {
            ThrowHelper.ThrowArgument_Overlap(paramName, sourceName);
        }
    }

    /// <summary>Requires a supported kernel path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PathSupported(KernelPath path, string paramName)
    {
        if (!KernelPaths.IsSupported(path))
        {
            ThrowHelper.ThrowArgument_PathNotSupported(paramName, path);
        }
    }

    /// <summary>Requires <c>0 &lt;= value</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NonNegative(int value, string paramName)
    {
        if (value < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(paramName, value);
        }
    }

    /// <summary>
    /// The distance in elements between the starts of consecutive rows of <paramref name="view"/>
    /// (the Toolkit's width + pitch). A view with fewer than two rows reports its width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RowStride<T>(ReadOnlySpan2D<T> view)
    {
        if (view.Height < 2)
        {
            return view.Width;
        }

        ref T r0 = ref view.DangerousGetReference();
        ref T r1 = ref view.DangerousGetReferenceAt(1, 0);
        return (int)(Unsafe.ByteOffset(ref r0, ref r1) / Unsafe.SizeOf<T>());
    }
}
