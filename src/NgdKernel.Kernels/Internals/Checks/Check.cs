namespace NgdKernel.Kernels.Internals;

/// <summary>
/// The argument checks of every kernel of the assembly: shapes, views, lengths, overlap, scalars and
/// options. Each check is a cheap inlined comparison; the message is built only in
/// <see cref="ThrowHelper"/>, one message per condition.
/// </summary>
internal static class Check
{
    /// <summary>The [rows, columns] of a view.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MatrixShape ShapeOf<T>(ReadOnlySpan2D<T> view) => new(view.Height, view.Width);

    /// <summary>The [rows, columns] of a view as stored, flagged when the kernel uses it transposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MatrixShape ShapeOf<T>(ReadOnlySpan2D<T> view, MatrixOp op)
    {
        ElementType<T>();
        return new(view.Height, view.Width, op == MatrixOp.Transpose);
    }

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

    /// <summary>Requires a destination of shape <paramref name="expected"/> computed from one input, or two with <paramref name="rightName"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DestinationShape(
        MatrixShape shape, MatrixShape expected, string paramName,
        string leftName, MatrixShape left, string? rightName = null, MatrixShape right = default)
    {
        if (!shape.SameSize(expected))
        {
            ThrowHelper.ThrowArgument_DestinationShape(paramName, shape, leftName, left, rightName, right, expected);
        }
    }

    /// <summary>
    /// Requires T = float or double. The kernels' generic constraint also admits Half, whose SIMD
    /// paths do not exist and would fail deep inside a kernel with the runtime's bare
    /// NotSupportedException; every public entry's first check (<see cref="Square"/>,
    /// <see cref="ShapeOf{T}(ReadOnlySpan2D{T}, MatrixOp)"/>, <see cref="SameLength"/>) calls this,
    /// and for float and double the JIT folds it away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ElementType<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            ThrowHelper.ThrowNotSupported_ElementType(typeof(T));
        }
    }

    /// <summary>Requires a square view.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Square<T>(ReadOnlySpan2D<T> view, string paramName)
    {
        ElementType<T>();
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
            ThrowHelper.ThrowArgumentOutOfRange_NotFinite(paramName, double.CreateTruncating(value));
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

    /// <summary>Requires <paramref name="b"/> to have <paramref name="expected"/> rows, fixed by <paramref name="other"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Rows<T>(ReadOnlySpan2D<T> b, string paramName, ReadOnlySpan2D<T> other, string otherName, int expected) =>
        Dimension(b.Height, expected, "rows", paramName, ShapeOf(b), otherName, ShapeOf(other));

    /// <summary>Requires <paramref name="b"/> to have <paramref name="expected"/> columns, fixed by <paramref name="other"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Columns<T>(ReadOnlySpan2D<T> b, string paramName, ReadOnlySpan2D<T> other, string otherName, int expected) =>
        Dimension(b.Width, expected, "columns", paramName, ShapeOf(b), otherName, ShapeOf(other));

    /// <summary>Requires two views of the same shape.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameShape<T>(ReadOnlySpan2D<T> b, string paramName, ReadOnlySpan2D<T> other, string otherName)
    {
        if (b.Height != other.Height || b.Width != other.Width)
        {
            ThrowHelper.ThrowArgument_ShapeMismatch(paramName, ShapeOf(b), otherName, ShapeOf(other));
        }
    }

    /// <summary>Requires a vector of length <paramref name="expected"/>, fixed by <paramref name="matrix"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Length<T>(ReadOnlySpan<T> x, string paramName, ReadOnlySpan2D<T> matrix, string matrixName, int expected)
    {
        if (x.Length != expected)
        {
            ThrowHelper.ThrowArgument_LengthMismatch(paramName, x.Length, matrixName, ShapeOf(matrix), expected);
        }
    }

    /// <summary>Requires two vectors of the same length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameLength<T>(ReadOnlySpan<T> x, string paramName, ReadOnlySpan<T> other, string otherName)
    {
        ElementType<T>();
        if (x.Length != other.Length)
        {
            ThrowHelper.ThrowArgument_SpanLengthMismatch(paramName, x.Length, otherName, other.Length);
        }
    }

    /// <summary>Requires a workspace of at least <paramref name="required"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Workspace<T>(ReadOnlySpan<T> workspace, string paramName, int required, string reason)
    {
        if (workspace.Length < required)
        {
            ThrowHelper.ThrowArgument_WorkspaceTooSmall(paramName, workspace.Length, required, reason);
        }
    }

    /// <summary>
    /// Requires that the memory spanned by <paramref name="a"/> (first to last element) does not
    /// overlap the memory spanned by <paramref name="b"/>. Spans are compared as address intervals,
    /// so two interleaved views with disjoint elements are still rejected (conservative).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlap<T>(ReadOnlySpan2D<T> a, string paramName, ReadOnlySpan2D<T> b, string otherName)
        where T : unmanaged
    {
        if (StridedView.Overlaps(a, b))
        {
            ThrowHelper.ThrowArgument_Overlap(paramName, otherName);
        }
    }

    /// <inheritdoc cref="NoOverlap{T}(ReadOnlySpan2D{T}, string, ReadOnlySpan2D{T}, string)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlap<T>(ReadOnlySpan<T> x, string paramName, ReadOnlySpan2D<T> a, string otherName)
        where T : unmanaged
    {
        if (StridedView.Overlaps(a, x))
        {
            ThrowHelper.ThrowArgument_Overlap(paramName, otherName);
        }
    }

    /// <inheritdoc cref="NoOverlap{T}(ReadOnlySpan2D{T}, string, ReadOnlySpan2D{T}, string)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlap<T>(ReadOnlySpan<T> x, string paramName, ReadOnlySpan<T> y, string otherName)
        where T : unmanaged
    {
        if (x.Overlaps(y))
        {
            ThrowHelper.ThrowArgument_Overlap(paramName, otherName);
        }
    }

    /// <summary>Requires a finite scalar that is not negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FiniteNonNegative<T>(T value, string paramName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!T.IsFinite(value) || value < T.Zero)
        {
            ThrowHelper.ThrowArgumentOutOfRange_NotFiniteNonNegative(paramName, double.CreateTruncating(value));
        }
    }
}
