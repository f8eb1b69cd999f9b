using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NgdKernel.Tests.Generators;

/// <summary>
/// A <c>[Rows, Columns]</c> matrix at <see cref="Offset"/> with row stride <see cref="Stride"/> inside
/// a NaN-filled buffer, seen both as a Toolkit view and as a tensor span of the same memory, so that
/// a span overload and its tensor overload can run on identical copies and be compared bit for bit,
/// guard cells included.
/// </summary>
internal sealed class StridedBuffer<T>(T[] buffer, int rows, int columns, int stride, int offset)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _buffer = buffer;

    public int Rows { get; } = rows;

    public int Columns { get; } = columns;

    public int Stride { get; } = stride;

    public int Offset { get; } = offset;

    public Span2D<T> Span => new(_buffer, Offset, Rows, Columns, Stride - Columns);

    /// <summary>
    /// The same memory as a tensor span. System.Numerics.Tensors requires stride 0 for a dimension
    /// of length 1 and for an empty tensor, so those get 0 (their strides are never used).
    /// </summary>
    public TensorSpan<T> Tensor => Rows == 0 || Columns == 0
        ? new(_buffer, Offset, [Rows, Columns], [0, 0])
        : new(_buffer, Offset, [Rows, Columns], [Rows > 1 ? Stride : 0, Columns > 1 ? 1 : 0]);

    public ReadOnlyTensorSpan<T> ReadOnlyTensor => Tensor;

    /// <summary>Values uniform in [-1, 1) from <paramref name="seed"/>, or the given values; guards NaN.</summary>
    public static StridedBuffer<T> Create(int rows, int columns, int pitch, int offset, int seed, double[,]? values = null)
    {
        int stride = columns + pitch;
        var buffer = new T[offset + (rows * stride) + 3];
        buffer.AsSpan().Fill(T.NaN);
        var random = new Random(seed);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                buffer[offset + (i * stride) + j] = T.CreateTruncating(values?[i, j] ?? ((random.NextDouble() * 2) - 1));
            }
        }

        return new StridedBuffer<T>(buffer, rows, columns, stride, offset);
    }

    public StridedBuffer<T> Clone() => new((T[])_buffer.Clone(), Rows, Columns, Stride, Offset);

    /// <summary>Fails unless both buffers hold the same bits everywhere (view and guards).</summary>
    public void AssertBitIdentical(StridedBuffer<T> other, string what)
    {
        ReadOnlySpan<byte> mine = MemoryMarshal.AsBytes(_buffer.AsSpan());
        ReadOnlySpan<byte> theirs = MemoryMarshal.AsBytes(other._buffer.AsSpan());
        if (!mine.SequenceEqual(theirs))
        {
            int first = mine.CommonPrefixLength(theirs) / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            Assert.Fail($"{typeof(T).Name} {what}: element {first} of the buffer differs: {_buffer[first]} vs {other._buffer[first]}.");
        }

        for (int k = 0; k < _buffer.Length; k++)
        {
            int rel = k - Offset;
            bool inside = rel >= 0 && rel < Rows * Stride && rel % Stride < Columns;
            if (!inside && !T.IsNaN(_buffer[k]))
            {
                Assert.Fail($"{typeof(T).Name} {what}: guard cell {k} was written: {_buffer[k]}.");
            }
        }
    }
}
