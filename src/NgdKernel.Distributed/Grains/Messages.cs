using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance;
using Orleans.Serialization.Buffers;

namespace NgdKernel.Distributed.Grains;

// Messages between the trainer, the workers and the layer owners. Setup travels as byte[] (the
// element type's bytes, little-endian); what every step moves travels as a Payload in pooled memory.
// A float[] field is encoded element by element, 3-10x slower. The types are immutable once sent, so
// calls between grains on one silo pass them without a copy.

/// <summary>
/// The bytes of a tensor in a message, in pooled memory on both sides. Each payload goes to one
/// receiver, which disposes it once it has read it; the sender does not touch it after the call.
/// </summary>
/// <remarks>
/// Orleans' codec for <see cref="PooledBuffer"/> returns the sender's memory to the pool as soon as it
/// has written it to the wire, and reads the receiver's copy into pooled segments of 4 KiB; a call
/// between grains of one silo hands the receiver the sender's instance itself (the messages are
/// immutable). Either way the receiver holds the only live reference and returns it, so a
/// steady-state step allocates no large buffers for its messages. A payload must not go to two
/// receivers: the first serialization returns its memory. After a failed call nobody returns it; the
/// garbage collector takes it.
/// </remarks>
[GenerateSerializer]
[Immutable]
internal sealed class Payload : IDisposable
{
    [Id(0)] private PooledBuffer _buffer;

    /// <summary>Bytes held.</summary>
    public int Length => _buffer.Length;

    /// <summary>A payload holding a copy of <paramref name="bytes"/>, for one receiver.</summary>
    public static Payload From(ReadOnlySpan<byte> bytes)
    {
        // The constructor, not the zeroed default: PooledBuffer sets itself up there.
        var payload = new Payload { _buffer = new PooledBuffer() };
        payload._buffer.Write(bytes);
        return payload;
    }

    /// <summary>A payload holding a copy of the rows of <paramref name="rows"/>, one after another, for one receiver.</summary>
    public static Payload FromRows<T>(ReadOnlySpan2D<T> rows)
        where T : unmanaged
    {
        if (rows.TryGetSpan(out ReadOnlySpan<T> contiguous))
        {
            return From(MemoryMarshal.AsBytes(contiguous));
        }

        var payload = new Payload { _buffer = new PooledBuffer() };
        for (int r = 0; r < rows.Height; r++)
        {
            payload._buffer.Write(MemoryMarshal.AsBytes(rows.GetRowSpan(r)));
        }

        return payload;
    }

    /// <summary>Copies the bytes into <paramref name="destination"/>, which must be exactly <see cref="Length"/> long.</summary>
    public void CopyTo(Span<byte> destination, string what)
    {
        if (!TryCopyTo(destination))
        {
            throw SizeError(what, destination.Length);
        }
    }

    /// <summary>
    /// Copies the bytes when <paramref name="destination"/> is exactly <see cref="Length"/> long, else
    /// copies nothing and returns false: a caller whose description of the payload takes formatting
    /// builds it (for <see cref="SizeError"/>) only then, not on every message.
    /// </summary>
    public bool TryCopyTo(Span<byte> destination)
    {
        if (destination.Length != Length)
        {
            return false;
        }

        _buffer.CopyTo(destination);
        return true;
    }

    /// <summary>The error of a payload that does not fit its <paramref name="destinationLength"/>-byte destination.</summary>
    public ArgumentException SizeError(string what, int destinationLength) =>
        new($"{what}: {Length} bytes arrived for {destinationLength}.", "destination");

    /// <summary>The receiver is done: returns the memory to the pool.</summary>
    public void Dispose() => _buffer.Dispose();
}

/// <summary>Everything a worker needs: the network (checkpoint bytes), its rank and shard, the owners' silos.</summary>
[GenerateSerializer]
[Immutable]
internal sealed class WorkerSetup
{
    [Id(0)] public string RunId { get; init; } = "";
    [Id(1)] public int Rank { get; init; }
    [Id(2)] public int WorkerCount { get; init; }
    [Id(3)] public byte[] Network { get; init; } = [];
    [Id(4)] public bool IsDouble { get; init; }
    [Id(5)] public int BatchSize { get; init; }
    [Id(6)] public int SampleCount { get; init; }
    [Id(7)] public string DataSet { get; init; } = "";
    [Id(8)] public ulong DataSeed { get; init; }
    [Id(9)] public int[] OwnerRanks { get; init; } = [];
    [Id(10)] public byte[]? DataState { get; init; }
    [Id(11)] public int Threads { get; init; } = 1;
    [Id(12)] public TimeSpan Timeout { get; init; }
}

/// <summary>One layer's owner: its weights and how to scale the sums.</summary>
[GenerateSerializer]
[Immutable]
internal sealed class OwnerSetup
{
    [Id(0)] public string RunId { get; init; } = "";
    [Id(1)] public int Layer { get; init; }
    [Id(2)] public int OutputWidth { get; init; }
    [Id(3)] public int InputWidth { get; init; }
    [Id(4)] public bool IsDouble { get; init; }
    [Id(5)] public byte[] Weights { get; init; } = [];
    [Id(6)] public int WorkerCount { get; init; }
    [Id(7)] public int BatchSize { get; init; }
    [Id(8)] public int SampleCount { get; init; }
    [Id(9)] public bool Sgd { get; init; }
    [Id(10)] public double Momentum { get; init; }
    [Id(11)] public int Threads { get; init; } = 1;
    [Id(12)] public TimeSpan Timeout { get; init; }

    /// <summary>SGD momentum <c>V</c> of the layer to resume from (empty: zero).</summary>
    [Id(13)] public byte[] Velocity { get; init; } = [];
}

[GenerateSerializer]
[Immutable]
internal sealed class StatisticsRequest
{
    [Id(0)] public long Step { get; init; }
    [Id(1)] public ulong[] Generator { get; init; } = [];

    /// <summary>This rank's rows of a batch the trainer holds (null: the rank draws from its shard).</summary>
    [Id(2)] public Payload? Inputs { get; init; }
    [Id(3)] public Payload? Targets { get; init; }
}

[GenerateSerializer]
[Immutable]
internal sealed class StatisticsReply
{
    [Id(0)] public double LossSum { get; init; }
    [Id(1)] public double SquaredErrorSum { get; init; }
    [Id(2)] public int Rows { get; init; }
    [Id(3)] public ulong[] Generator { get; init; } = [];
}

/// <summary>A worker's unnormalised sums for one layer: G, then the packed input and error covariances.</summary>
[GenerateSerializer]
[Immutable]
internal sealed class Contribution
{
    [Id(0)] public long Step { get; init; }
    [Id(1)] public int Rank { get; init; }
    [Id(2)] public Payload Sums { get; init; } = null!;
}

[GenerateSerializer]
[Immutable]
internal sealed class SolveReply
{
    [Id(0)] public bool Solved { get; init; }
    [Id(1)] public int FailedSide { get; init; }
    [Id(2)] public int PivotIndex { get; init; }
    [Id(3)] public double PivotValue { get; init; }
    [Id(4)] public double Dot { get; init; }
}

[GenerateSerializer]
[Immutable]
internal sealed class WeightsMessage
{
    [Id(0)] public int Layer { get; init; }
    [Id(1)] public Payload Weights { get; init; } = null!;
}

[GenerateSerializer]
[Immutable]
internal sealed class CheckpointRequest
{
    [Id(0)] public string Path { get; init; } = "";
    [Id(1)] public long Step { get; init; }
    [Id(2)] public double Damping { get; init; }
    [Id(3)] public ulong[] Generator { get; init; } = [];
    [Id(4)] public byte[] ApplicationData { get; init; } = [];
    [Id(5)] public double MinDamping { get; init; }
    [Id(6)] public double MaxDamping { get; init; }

    /// <summary>An SGD run: the file holds the SGD state (step count and momentum) instead.</summary>
    [Id(7)] public bool Sgd { get; init; }
    [Id(8)] public double Momentum { get; init; }

    /// <summary>Per layer, the owners' SGD momentum <c>V</c> (empty without momentum).</summary>
    [Id(9)] public byte[][] Velocity { get; init; } = [];
}
