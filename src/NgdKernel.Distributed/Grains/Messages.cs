namespace NgdKernel.Distributed.Grains;

// Messages between the trainer, the workers and the layer owners. Tensors travel as byte[] (the
// element type's bytes, little-endian): a float[] field is encoded element by element, 3-10x slower.
// The types are immutable once sent, so calls between grains on one silo pass them without a copy.

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
}

[GenerateSerializer]
[Immutable]
internal sealed class StatisticsRequest
{
    [Id(0)] public long Step { get; init; }
    [Id(1)] public ulong[] Generator { get; init; } = [];

    /// <summary>This rank's rows of a batch the trainer holds (null: the rank draws from its shard).</summary>
    [Id(2)] public byte[]? Inputs { get; init; }
    [Id(3)] public byte[]? Targets { get; init; }
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
    [Id(2)] public byte[] Payload { get; init; } = [];
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
    [Id(1)] public byte[] Weights { get; init; } = [];
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
}
