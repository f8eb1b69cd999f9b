using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NgdKernel.Checkpoints;

/// <summary>
/// Little-endian writer of a checkpoint payload. With an empty buffer it only measures, so one
/// serialization routine gives the exact size first and the bytes second.
/// </summary>
internal ref struct PayloadWriter
{
    private readonly Span<byte> _buffer;
    private readonly bool _measure;

    public PayloadWriter(Span<byte> buffer, bool measure)
    {
        _buffer = buffer;
        _measure = measure;
        Position = 0;
    }

    public int Position { get; private set; }

    public void WriteByte(byte value) => WriteLittleEndian(value);

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteInt32(int value) => WriteLittleEndian(value);

    public void WriteInt64(long value) => WriteLittleEndian(value);

    public void WriteUInt64(ulong value) => WriteLittleEndian(value);

    public void WriteDouble(double value) => WriteLittleEndian(BitConverter.DoubleToInt64Bits(value));

    /// <summary>Length in bytes (int32), then the UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        int length = System.Text.Encoding.UTF8.GetByteCount(value);
        WriteInt32(length);
        if (!_measure)
        {
            System.Text.Encoding.UTF8.GetBytes(value, _buffer.Slice(Position, length));
        }

        Position += length;
    }

    /// <summary>Zero bytes up to the next multiple of 8 (the payload starts at file offset 32, so file alignment too).</summary>
    public void Align8()
    {
        while ((Position & 7) != 0)
        {
            WriteByte(0);
        }
    }

    /// <summary>The little-endian bytes of <paramref name="value"/> at the position (only counted when measuring).</summary>
    private void WriteLittleEndian<TInteger>(TInteger value)
        where TInteger : IBinaryInteger<TInteger>
    {
        if (!_measure)
        {
            value.WriteLittleEndian(_buffer[Position..]);
        }

        Position += value.GetByteCount();
    }

    /// <summary>An 8-byte aligned array of raw little-endian elements.</summary>
    public void WriteElements<T>(scoped ReadOnlySpan<T> values)
        where T : unmanaged
    {
        Align8();
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        if (!_measure)
        {
            bytes.CopyTo(_buffer[Position..]);
        }

        Position += bytes.Length;
    }
}

/// <summary>
/// Bounds-checked little-endian reader of a checkpoint payload. Every read checks the remaining
/// length first, so a declared size can never make the loader read or allocate past the file;
/// every failure is a <see cref="CheckpointFormatException"/> with the absolute file offset.
/// </summary>
internal ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly long _baseOffset;
    private int _position;

    public PayloadReader(ReadOnlySpan<byte> data, long baseOffset, string name)
    {
        _data = data;
        _baseOffset = baseOffset;
        Name = name;
        _position = 0;
    }

    public string Name { get; }

    /// <summary>Absolute file offset of the next byte.</summary>
    public readonly long Offset => _baseOffset + _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly CheckpointFormatException Error(string reason) => new(Name, Offset, reason);

    public readonly CheckpointFormatException ErrorAt(long offset, string reason) => new(Name, offset, reason);

    public ReadOnlySpan<byte> Take(long count, string what)
    {
        if (count < 0 || count > Remaining)
        {
            throw Error(string.Create(CultureInfo.InvariantCulture,
                $"{what} needs {count} bytes but only {Remaining} remain: the file is truncated or a size field is corrupt."));
        }

        ReadOnlySpan<byte> slice = _data.Slice(_position, (int)count);
        _position += (int)count;
        return slice;
    }

    public byte ReadByte(string what) => Take(1, what)[0];

    public bool ReadBoolean(string what)
    {
        long offset = Offset;
        byte value = ReadByte(what);
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw ErrorAt(offset, string.Create(CultureInfo.InvariantCulture, $"{what} is {value}; it must be 0 or 1.")),
        };
    }

    public int ReadInt32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));

    /// <summary>An int32 in <c>[min, max]</c>.</summary>
    public int ReadInt32(string what, int min, int max)
    {
        long offset = Offset;
        int value = ReadInt32(what);
        if (value < min || value > max)
        {
            throw ErrorAt(offset, string.Create(CultureInfo.InvariantCulture, $"{what} is {value}; it must be in [{min}, {max}]."));
        }

        return value;
    }

    public long ReadInt64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));

    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

    public double ReadDouble(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

    /// <summary>A string written by <see cref="PayloadWriter.WriteString"/>: int32 length, then UTF-8.</summary>
    public string ReadString(string what)
    {
        int length = ReadInt32(what + " length", 0, Remaining);
        long offset = Offset;
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take(length, what));
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw ErrorAt(offset, $"{what} is not valid UTF-8.");
        }
    }

    /// <summary>Zero padding up to the next multiple of 8.</summary>
    public void SkipPadding(string what)
    {
        while ((_position & 7) != 0)
        {
            long offset = Offset;
            if (ReadByte("padding before " + what) != 0)
            {
                throw ErrorAt(offset, "padding byte before " + what + " is not zero.");
            }
        }
    }

    /// <summary>
    /// <paramref name="count"/> raw elements, 8-byte aligned; <paramref name="elementOffset"/> is the file
    /// offset of the first one.
    /// </summary>
    public ReadOnlySpan<T> ReadElements<T>(long count, string what, out long elementOffset)
        where T : unmanaged
    {
        SkipPadding(what);
        elementOffset = Offset;
        int size = Marshal.SizeOf<T>();
        if (count < 0 || count > Remaining / size)
        {
            throw Error(string.Create(CultureInfo.InvariantCulture,
                $"{what} needs {count} x {size} bytes but only {Remaining} remain: the file is truncated or a size field is corrupt."));
        }

        return MemoryMarshal.Cast<byte, T>(Take(count * size, what));
    }
}
