using System.Buffers.Binary;
using NgdKernel.Checkpoints;

namespace NgdKernel.Distributed;

/// <summary>
/// The application section of a data-parallel checkpoint: P, the global batch, the data set and seed,
/// and per rank its shard cursor (the generator state before the current epoch's shuffle, the position,
/// the epoch). The rest of the file is the ordinary NgdKernel checkpoint of the network and the
/// natural-gradient or SGD state, so it loads on one machine with <see cref="Checkpoint.Load{T}(string, NgdKernel.Optimizers.IOptimizer{T})"/>.
/// </summary>
public sealed record DataParallelCheckpoint(int WorkerCount, int BatchSize, string DataSet, ulong DataSeed, byte[][] RankDataStates)
{
    private const string Magic = "ngdkernel-data-parallel";
    private const int Version = 1;

    /// <summary>The section's bytes.</summary>
    public byte[] ToBytes()
    {
        var writer = new ApplicationDataWriter();
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(WorkerCount);
        writer.Write(BatchSize);
        writer.Write(DataSet);
        writer.Write(unchecked((long)DataSeed));
        // A run fed by its caller has no shard cursors.
        foreach (byte[] state in DataSet.Length > 0 ? RankDataStates : [])
        {
            for (int i = 0; i < 4; i++)
            {
                writer.Write(BinaryPrimitives.ReadInt64LittleEndian(state.AsSpan(8 * i)));
            }

            writer.Write(BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(32)));
            writer.Write(BinaryPrimitives.ReadInt64LittleEndian(state.AsSpan(36)));
        }

        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a section written by <see cref="ToBytes"/>.</summary>
    /// <param name="data">The application section.</param>
    /// <param name="file">The checkpoint's path, for messages.</param>
    /// <exception cref="CheckpointFormatException">The section is not a data-parallel one, or is damaged.</exception>
    public static DataParallelCheckpoint Parse(ReadOnlySpan<byte> data, string file)
    {
        var reader = new ApplicationDataReader(data, file);
        string magic = reader.ReadString("data-parallel marker");
        if (magic != Magic)
        {
            throw new CheckpointFormatException($"'{file}' is not a data-parallel checkpoint (its application section starts with '{magic}').");
        }

        int version = reader.ReadInt32("data-parallel section version", Version, Version);
        _ = version;
        int workers = reader.ReadInt32("worker count P", 1);
        int batch = reader.ReadInt32("global batch M", workers);
        string dataSet = reader.ReadString("data set");
        ulong seed = unchecked((ulong)reader.ReadInt64("data seed"));
        var states = new byte[workers][];
        for (int r = 0; r < workers && dataSet.Length > 0; r++)
        {
            var state = new byte[DataState.Length];
            for (int i = 0; i < 4; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(state.AsSpan(8 * i), reader.ReadInt64("shard generator state of a rank"));
            }

            BinaryPrimitives.WriteInt32LittleEndian(state.AsSpan(32), reader.ReadInt32("shard position of a rank", 0));
            BinaryPrimitives.WriteInt64LittleEndian(state.AsSpan(36), reader.ReadInt64("shard epoch of a rank", 1));
            states[r] = state;
        }

        reader.EnsureEnd();
        return new DataParallelCheckpoint(workers, batch, dataSet, seed, states);
    }
}
