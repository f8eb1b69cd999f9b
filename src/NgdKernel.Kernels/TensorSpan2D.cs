using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics.Tensors;

namespace NgdKernel.Kernels;

/// <summary>
/// Views a rank-2 <see cref="ReadOnlyTensorSpan{T}"/> or <see cref="TensorSpan{T}"/> as the
/// row-major <see cref="ReadOnlySpan2D{T}"/>/<see cref="Span2D{T}"/> every kernel takes, without
/// copying: the same memory, lengths <c>[rows, columns]</c> and row stride.
/// </summary>
/// <remarks>
/// <para>A tensor span maps onto a matrix view when its column stride is 1 (each row contiguous)
/// and its row stride is at least its column count (rows do not overlap). The view's pitch, the
/// Toolkit's gap between rows, is then <c>Strides[0] - Lengths[1]</c>. A dense <c>[m, n]</c> tensor
/// (strides <c>[n, 1]</c>) and a slice of columns of a wider one both qualify; a transposed view
/// (strides <c>[1, m]</c>) or a broadcast one (a stride of 0) does not, since the kernels would
/// read or write the wrong elements. Pass <see cref="MatrixOp.Transpose"/> to a kernel instead of
/// a transposed view.</para>
/// <para>Strides of a dimension of length 1 are not used, so a single row or column qualifies
/// whatever its stride. Nothing is allocated and nothing is copied; the checks run once per call.</para>
/// </remarks>
public static class TensorSpan2D
{
    /// <summary>The matrix view of a rank-2 read-only tensor span.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="tensor"><c>[rows, columns]</c> with column stride 1 and row stride at least <c>columns</c>.</param>
    /// <param name="paramName">Name reported by the errors; by default the argument's expression.</param>
    /// <returns>A view of the same memory, <c>[rows, columns]</c>, pitch <c>Strides[0] - columns</c>.</returns>
    /// <exception cref="ArgumentException">
    /// The rank is not 2, the column stride is not 1, the row stride is below the column count, or a
    /// length or stride does not fit an <see cref="int"/>; the message names the argument, its
    /// lengths and its strides.
    /// </exception>
    public static ReadOnlySpan2D<T> AsReadOnlySpan2D<T>(
        this in ReadOnlyTensorSpan<T> tensor, [CallerArgumentExpression(nameof(tensor))] string? paramName = null)
    {
        Layout(tensor.Lengths, tensor.Strides, paramName, out int rows, out int columns, out int pitch);
        return rows == 0 || columns == 0
            ? ReadOnlySpan2D<T>.DangerousCreate(in Unsafe.NullRef<T>(), rows, columns, 0)
            : ReadOnlySpan2D<T>.DangerousCreate(in tensor.GetPinnableReference(), rows, columns, pitch);
    }

    /// <summary>The writable matrix view of a rank-2 tensor span.</summary>
    /// <inheritdoc cref="AsReadOnlySpan2D{T}(in ReadOnlyTensorSpan{T}, string?)"/>
    public static Span2D<T> AsSpan2D<T>(
        this in TensorSpan<T> tensor, [CallerArgumentExpression(nameof(tensor))] string? paramName = null)
    {
        Layout(tensor.Lengths, tensor.Strides, paramName, out int rows, out int columns, out int pitch);
        return rows == 0 || columns == 0
            ? Span2D<T>.DangerousCreate(ref Unsafe.NullRef<T>(), rows, columns, 0)
            : Span2D<T>.DangerousCreate(ref tensor.GetPinnableReference(), rows, columns, pitch);
    }

    private static void Layout(
        ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, string? paramName, out int rows, out int columns, out int pitch)
    {
        if (lengths.Length != 2)
        {
            ThrowNotMatrix(lengths, strides, paramName, $"it has rank {lengths.Length}; a matrix argument must be a rank-2 tensor span [rows, columns]");
        }

        if (lengths[0] > int.MaxValue || lengths[1] > int.MaxValue)
        {
            ThrowNotMatrix(lengths, strides, paramName, "a length exceeds Int32.MaxValue, the largest matrix dimension");
        }

        rows = (int)lengths[0];
        columns = (int)lengths[1];
        if (rows == 0 || columns == 0)
        {
            pitch = 0;
            return;
        }

        // A stride of a length-1 dimension never moves the index, so any value is as good as the
        // row-major one: a single row [1, n] sliced from a column of a tensor keeps its stride.
        if (columns > 1 && strides[1] != 1)
        {
            ThrowNotMatrix(lengths, strides, paramName,
                "the column stride must be 1 (each row contiguous, row-major); pass MatrixOp.Transpose instead of a transposed view");
        }

        nint rowStride = rows > 1 ? strides[0] : columns;
        if (rowStride < columns)
        {
            ThrowNotMatrix(lengths, strides, paramName,
                string.Create(CultureInfo.InvariantCulture,
                    $"the row stride must be at least the {columns} columns (rows must not overlap or be broadcast)"));
        }

        if (rowStride - columns > int.MaxValue)
        {
            ThrowNotMatrix(lengths, strides, paramName, "the gap between rows exceeds Int32.MaxValue");
        }

        pitch = (int)(rowStride - columns);
    }

    [DoesNotReturn]
    [StackTraceHidden]
    private static void ThrowNotMatrix(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, string? paramName, string reason) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture,
                $"'{paramName}' has lengths [{Join(lengths)}] and strides [{Join(strides)}]: {reason}."),
            paramName);

    private static string Join(ReadOnlySpan<nint> values)
    {
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            parts[i] = values[i].ToString(CultureInfo.InvariantCulture);
        }

        return string.Join(", ", parts);
    }
}
