using System.Buffers.Binary;

namespace NgdKernel.Checkpoints;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF), the
/// checksum of iSCSI, ext4 and SSE4.2's <c>crc32</c> instruction.
/// </summary>
/// <remarks>
/// Built on <see cref="BitOperations.Crc32C(uint, ulong)"/>, which uses the hardware instruction
/// (SSE4.2 / ARMv8 CRC) when present and a table otherwise, so no package is needed. Check value:
/// CRC-32C of the ASCII bytes "123456789" is 0xE3069283.
/// </remarks>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }

        return ~crc;
    }
}
