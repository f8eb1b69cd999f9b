using System.Numerics;
using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Inlined argument checks of the factorization family; each failing branch calls a
/// <see cref="ThrowHelper"/> method so that the checks stay small.
/// </summary>
internal static class FactorCheck
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Square<T>(ReadOnlySpan2D<T> a, string paramName)
    {
        if (a.Height != a.Width)
        {
            ThrowHelper.ThrowArgument_NotSquare(paramName, a.Height, a.Width);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Rows<T>(ReadOnlySpan2D<T> b, string paramName, ReadOnlySpan2D<T> other, string otherName, int expected)
    {
        if (b.Height != expected)
        {
            ThrowHelper.ThrowArgument_RowsMismatch(paramName, b.Height, b.Width, otherName, other.Height, other.Width, expected);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Columns<T>(ReadOnlySpan2D<T> b, string paramName, ReadOnlySpan2D<T> other, string otherName, int expected)
    {
        if (b.Width != expected)
        {
            ThrowHelper.ThrowArgument_ColumnsMismatch(paramName, b.Height, b.Width, otherName, other.Height, other.Width, expected);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameShape<T>(ReadOnlySpan2D<T> b, string paramName, ReadOnlySpan2D<T> other, string otherName)
    {
        if (b.Height != other.Height || b.Width != other.Width)
        {
            ThrowHelper.ThrowArgument_ShapeMismatch(paramName, b.Height, b.Width, otherName, other.Height, other.Width);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Length<T>(ReadOnlySpan<T> x, string paramName, ReadOnlySpan2D<T> matrix, string matrixName, int expected)
    {
        if (x.Length != expected)
        {
            ThrowHelper.ThrowArgument_LengthMismatch(paramName, x.Length, matrixName, matrix.Height, matrix.Width, expected);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameLength<T>(ReadOnlySpan<T> x, string paramName, ReadOnlySpan<T> other, string otherName)
    {
        if (x.Length != other.Length)
        {
            ThrowHelper.ThrowArgument_SpanLengthMismatch(paramName, x.Length, otherName, other.Length);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Workspace<T>(ReadOnlySpan<T> workspace, string paramName, int required, string reason)
    {
        if (workspace.Length < required)
        {
            ThrowHelper.ThrowArgument_WorkspaceTooSmall(paramName, workspace.Length, required, reason);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlap<T>(ReadOnlySpan2D<T> a, string paramName, ReadOnlySpan2D<T> b, string otherName)
        where T : unmanaged
    {
        if (StridedView.Overlaps(a, b))
        {
            ThrowHelper.ThrowArgument_Overlap(paramName, otherName);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlap<T>(ReadOnlySpan<T> x, string paramName, ReadOnlySpan2D<T> a, string otherName)
        where T : unmanaged
    {
        if (StridedView.Overlaps(a, x))
        {
            ThrowHelper.ThrowArgument_Overlap(paramName, otherName);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlap<T>(ReadOnlySpan<T> x, string paramName, ReadOnlySpan<T> y, string otherName)
        where T : unmanaged
    {
        if (x.Overlaps(y))
        {
            ThrowHelper.ThrowArgument_Overlap(paramName, otherName);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FiniteNonNegative<T>(T value, string paramName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!T.IsFinite(value) || value < T.Zero)
        {
            ThrowHelper.ThrowArgumentOutOfRange_NotFiniteNonNegative(paramName, double.CreateTruncating(value));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finite<T>(T value, string paramName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!T.IsFinite(value))
        {
            ThrowHelper.ThrowArgumentOutOfRange_NotFinite(paramName, double.CreateTruncating(value));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Path(KernelPath path, string paramName)
    {
        if (!KernelPaths.IsSupported(path))
        {
            ThrowHelper.ThrowArgument_PathNotSupported(paramName, path);
        }
    }
}
