using System.Buffers.Binary;

namespace NgdKernel.Distributed;

/// <summary>A shard cursor's state as bytes: the epoch's generator state, the position and the epoch.</summary>
internal static class DataState
{
    public const int Length = (4 * 8) + 4 + 8;

    public static byte[] Save(ShardCursor cursor)
    {
        Span<ulong> state = stackalloc ulong[4];
        cursor.GetState(state, out int position, out long epoch);
        var bytes = new byte[Length];
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * i), state[i]);
        }

        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(32), position);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(36), epoch);
        return bytes;
    }

    public static void Restore(ReadOnlySpan<byte> bytes, ShardCursor cursor)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A shard cursor state has {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        Span<ulong> state = stackalloc ulong[4];
        for (int i = 0; i < 4; i++)
        {
            state[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(8 * i)..]);
        }

        cursor.SetState(state, BinaryPrimitives.ReadInt32LittleEndian(bytes[32..]), BinaryPrimitives.ReadInt64LittleEndian(bytes[36..]));
    }
}
