using System.Buffers.Binary;

namespace NgdKernel.Data;

/// <summary>An IDX array of unsigned bytes: its dimensions and its data in row-major order.</summary>
/// <param name="FilePath">Where it was read from.</param>
/// <param name="Dimensions">Sizes, outermost first (for MNIST images: count, rows, columns).</param>
/// <param name="Data">The elements, row-major, length = product of <paramref name="Dimensions"/>.</param>
public sealed record IdxArray(string FilePath, IReadOnlyList<int> Dimensions, byte[] Data);

/// <summary>
/// Reader of the IDX format of the MNIST files (LeCun et al.): a 4-byte magic number
/// <c>00 00 TT DD</c> (TT = element type, DD = number of dimensions), DD big-endian int32 sizes, then
/// the elements in row-major order.
/// </summary>
/// <remarks>
/// Only unsigned-byte elements (TT = 0x08), the type of every MNIST file, are accepted. Everything is
/// checked before any data is allocated: the magic, the type, the rank, each size (at least 1), and
/// that the file holds exactly the declared number of bytes, so a corrupt header can never make the
/// reader allocate more than the file's length. Every problem raises a <see cref="DataFileException"/>
/// naming the file and the byte offset.
/// </remarks>
public static class IdxReader
{
    private const int MaxRank = 16;

    /// <summary>Reads an IDX file of unsigned bytes.</summary>
    /// <param name="path">The file.</param>
    /// <param name="expectedRank">Required number of dimensions, or null for any.</param>
    /// <returns>The dimensions and the data.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file is truncated, has trailing bytes, a wrong magic number, type or rank, or a size below 1.</exception>
    public static IdxArray Read(string path, int? expectedRank = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path, expectedRank);
    }

    /// <summary>Reads an IDX array of unsigned bytes from a seekable stream, from its current position to its end.</summary>
    /// <param name="stream">A readable, seekable stream.</param>
    /// <param name="name">The name used in error messages (usually the file path).</param>
    /// <param name="expectedRank">Required number of dimensions, or null for any.</param>
    /// <returns>The dimensions and the data.</returns>
    /// <exception cref="ArgumentException">The stream cannot read or seek.</exception>
    /// <exception cref="DataFileException">As for <see cref="Read(string, int?)"/>; offsets are relative to the starting position.</exception>
    public static IdxArray Read(Stream stream, string name, int? expectedRank = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
        }

        long length = stream.Length - stream.Position;
        Span<byte> magic = stackalloc byte[4];
        if (length < 4)
        {
            throw new DataFileException(name, length, $"file ends after {length} bytes; an IDX header needs a 4-byte magic number at offset 0.");
        }

        stream.ReadExactly(magic);
        uint magicValue = BinaryPrimitives.ReadUInt32BigEndian(magic);
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new DataFileException(name, 0, $"bad magic number 0x{magicValue:X8}: an IDX file starts with two zero bytes (MNIST images 0x00000803, labels 0x00000801).");
        }

        if (magic[2] != 0x08)
        {
            string typeName = magic[2] switch
            {
                0x09 => "signed byte",
                0x0B => "int16",
                0x0C => "int32",
                0x0D => "float32",
                0x0E => "float64",
                _ => "unknown",
            };
            throw new DataFileException(name, 2, $"element type 0x{magic[2]:X2} ({typeName}) in magic number 0x{magicValue:X8}; only unsigned bytes (0x08) are supported.");
        }

        int rank = magic[3];
        if (rank < 1 || rank > MaxRank || (expectedRank is int want && rank != want))
        {
            string expected = expectedRank is int r ? $"{r}" : $"1 to {MaxRank}";
            throw new DataFileException(name, 3, $"{rank} dimensions in magic number 0x{magicValue:X8}; expected {expected}.");
        }

        long headerLength = 4 + (4L * rank);
        if (length < headerLength)
        {
            throw new DataFileException(name, length, $"file ends after {length} bytes, inside the header: {rank} dimensions need {headerLength} header bytes.");
        }

        var dimensions = new int[rank];
        Span<byte> sizeBytes = stackalloc byte[4];
        long total = 1;
        for (int d = 0; d < rank; d++)
        {
            stream.ReadExactly(sizeBytes);
            int size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
            if (size < 1)
            {
                throw new DataFileException(name, 4 + (4L * d), $"dimension {d} has size {size}; sizes must be at least 1.");
            }

            dimensions[d] = size;

            // Saturate rather than overflow: anything past the file length fails below anyway.
            total = Math.Min(total * size, long.MaxValue / int.MaxValue);
        }

        long available = length - headerLength;
        string shape = string.Join('x', dimensions);
        if (total > available)
        {
            throw new DataFileException(name, length, $"file is truncated: the header declares {shape} = {total} bytes of data from offset {headerLength}, but only {available} bytes follow.");
        }

        if (total < available)
        {
            throw new DataFileException(name, headerLength + total, $"{available - total} unexpected bytes after the {shape} data declared by the header.");
        }

        if (total > Array.MaxLength)
        {
            throw new DataFileException(name, headerLength, $"the {shape} data ({total} bytes) is larger than the largest array.");
        }

        var data = new byte[total];
        stream.ReadExactly(data);
        return new IdxArray(name, dimensions, data);
    }
}
