using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using NgdKernel.LinearAlgebra;

namespace NgdKernel.Optimizers;

/// <summary>
/// Binary layout of an optimizer's state (everything but the weights), shared by the optimizers'
/// <c>SaveState</c> / <c>LoadState</c>: little-endian; header = magic "NGDS", format version,
/// optimizer kind, element size in bytes; then the optimizer's fields in a fixed order, matrices as
/// rows, columns and row-major elements. Checksums and atomic files are the caller's concern.
/// </summary>
internal static class OptimizerState
{
    private const uint Magic = 0x5344474E; // "NGDS"
    private const int Version = 1;

    public static BinaryWriter Writer(Stream stream) => new(stream, Encoding.UTF8, leaveOpen: true);

    public static BinaryReader Reader(Stream stream) => new(stream, Encoding.UTF8, leaveOpen: true);

    public static void WriteHeader<T>(BinaryWriter writer, string kind)
        where T : unmanaged
    {
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(kind);
        writer.Write(Marshal.SizeOf<T>());
    }

    public static void ReadHeader<T>(BinaryReader reader, string kind)
        where T : unmanaged
    {
        if (reader.ReadUInt32() != Magic)
        {
            throw new InvalidDataException("Not an NgdKernel optimizer state (bad magic).");
        }

        int version = reader.ReadInt32();
        if (version != Version)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"Optimizer state version {version} is not supported (expected {Version})."));
        }

        string actual = reader.ReadString();
        if (actual != kind)
        {
            throw new InvalidDataException($"The state was written by optimizer '{actual}', not '{kind}'.");
        }

        int size = reader.ReadInt32();
        if (size != Marshal.SizeOf<T>())
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"The state holds {size}-byte elements but {typeof(T).Name} has {Marshal.SizeOf<T>()}."));
        }
    }

    public static void WriteRandomState(BinaryWriter writer, ReadOnlySpan<ulong> state)
    {
        foreach (ulong v in state)
        {
            writer.Write(v);
        }
    }

    public static void ReadRandomState(BinaryReader reader, Span<ulong> state)
    {
        for (int i = 0; i < state.Length; i++)
        {
            state[i] = reader.ReadUInt64();
        }
    }

    public static void WriteMatrix<T>(BinaryWriter writer, Matrix<T> matrix)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        writer.Write(matrix.Rows);
        writer.Write(matrix.Columns);
        writer.Write(MemoryMarshal.AsBytes(matrix.AsSpan()));
    }

    /// <summary>Reads a matrix of the shape of <paramref name="like"/> into a new matrix (so a failed load changes nothing).</summary>
    public static Matrix<T> ReadMatrix<T>(BinaryReader reader, Matrix<T> like, string name)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = reader.ReadInt32();
        int columns = reader.ReadInt32();
        if (rows != like.Rows || columns != like.Columns)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture,
                    $"'{name}' is {rows}x{columns} in the state but {like.Rows}x{like.Columns} in this optimizer: the architecture differs."));
        }

        var matrix = new Matrix<T>(rows, columns);
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(matrix.AsSpan()));
        return matrix;
    }

    public static InvalidDataException Truncated(EndOfStreamException e) => new("The optimizer state is truncated.", e);
}
