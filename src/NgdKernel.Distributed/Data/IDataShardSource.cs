using System.Numerics;
using CommunityToolkit.HighPerformance;

namespace NgdKernel.Distributed;

/// <summary>
/// Where a silo's worker finds its examples: registered as a service on every silo, so that each
/// machine reads its own shard and no example crosses the network.
/// </summary>
public interface IDataShardSource
{
    /// <summary>Shard <paramref name="rank"/> of <paramref name="workerCount"/> of the data set <paramref name="dataSet"/>.</summary>
    /// <typeparam name="T">float or double, the element type of the network.</typeparam>
    /// <exception cref="ArgumentException">The data set is not known to this source.</exception>
    IDataShard<T> Open<T>(string dataSet, int rank, int workerCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary>One worker's examples.</summary>
/// <typeparam name="T">float or double.</typeparam>
public interface IDataShard<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Examples in the shard.</summary>
    int Count { get; }

    /// <summary>Values per input row.</summary>
    int InputWidth { get; }

    /// <summary>Values per target row.</summary>
    int OutputWidth { get; }

    /// <summary>Copies the examples <paramref name="rows"/> (shard-local indices) into the rows of the destinations, in order.</summary>
    void ReadRows(ReadOnlySpan<int> rows, Span2D<T> inputs, Span2D<T> targets);
}
