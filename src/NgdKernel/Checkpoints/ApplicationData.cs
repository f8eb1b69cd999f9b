namespace NgdKernel.Checkpoints;

/// <summary>
/// Builds the application-data section of a checkpoint in the checkpoint's own encoding
/// (little-endian numbers, int32-length-prefixed UTF-8 strings), so an application's resume state
/// is read back with the same bounds checks and offset-naming errors as the rest of the file
/// (<see cref="ApplicationDataReader"/>). Pass <see cref="WrittenSpan"/> to
/// <see cref="Checkpoint.Save{T}(string, Optimizers.IOptimizer{T}, ReadOnlySpan{byte})"/>.
/// </summary>
public sealed class ApplicationDataWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Appends 0 or 1.</summary>
    public void Write(bool value) => Append(1).WriteBoolean(value);

    /// <summary>Appends a little-endian int32.</summary>
    public void Write(int value) => Append(4).WriteInt32(value);

    /// <summary>Appends a little-endian int64.</summary>
    public void Write(long value) => Append(8).WriteInt64(value);

    /// <summary>Appends the IEEE 754 bits of <paramref name="value"/> (NaN and infinities kept exactly).</summary>
    public void Write(double value) => Append(8).WriteDouble(value);

    /// <summary>Appends the UTF-8 byte count (int32), then the bytes.</summary>
    public void Write(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var measure = new PayloadWriter([], measure: true);
        measure.WriteString(value);
        Append(measure.Position).WriteString(value);
    }

    private PayloadWriter Append(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var writer = new PayloadWriter(_buffer.AsSpan(_length, count), measure: false);
        _length += count;
        return writer;
    }
}

/// <summary>
/// Reads an application-data section written by <see cref="ApplicationDataWriter"/>, in the same
/// order. Every read checks the bytes that remain first; a failure is a
/// <see cref="CheckpointFormatException"/> naming the file, the field and its offset within the
/// section.
/// </summary>
public ref struct ApplicationDataReader
{
    private PayloadReader _reader;

    /// <summary>Reads <paramref name="data"/> (as returned by <see cref="Checkpoint.Load{T}(string, Optimizers.IOptimizer{T})"/>)
    /// from the checkpoint <paramref name="file"/> (named in errors).</summary>
    public ApplicationDataReader(ReadOnlySpan<byte> data, string file)
    {
        _reader = new PayloadReader(data, 0, file);
    }

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _reader.Remaining;

    /// <summary>A value written by <see cref="ApplicationDataWriter.Write(bool)"/>.</summary>
    public bool ReadBoolean(string what) => _reader.ReadBoolean(what);

    /// <summary>An int32 in <c>[min, max]</c>.</summary>
    public int ReadInt32(string what, int min = int.MinValue, int max = int.MaxValue) => _reader.ReadInt32(what, min, max);

    /// <summary>An int64 in <c>[min, max]</c>.</summary>
    public long ReadInt64(string what, long min = long.MinValue, long max = long.MaxValue)
    {
        long offset = _reader.Offset;
        long value = _reader.ReadInt64(what);
        return value >= min && value <= max
            ? value
            : throw _reader.ErrorAt(offset, string.Create(CultureInfo.InvariantCulture, $"{what} is {value}; it must be in [{min}, {max}]."));
    }

    /// <summary>A value written by <see cref="ApplicationDataWriter.Write(double)"/>.</summary>
    public double ReadDouble(string what) => _reader.ReadDouble(what);

    /// <summary>A value written by <see cref="ApplicationDataWriter.Write(string)"/>.</summary>
    public string ReadString(string what) => _reader.ReadString(what);

    /// <summary>Throws unless every byte has been read.</summary>
    public readonly void EnsureEnd()
    {
        if (_reader.Remaining != 0)
        {
            throw _reader.Error(string.Create(CultureInfo.InvariantCulture,
                $"{_reader.Remaining} bytes follow the application data's last field."));
        }
    }
}
