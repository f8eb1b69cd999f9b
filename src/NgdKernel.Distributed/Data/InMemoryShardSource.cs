using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using CommunityToolkit.HighPerformance;

namespace NgdKernel.Distributed;

/// <summary>
/// Data sets held in memory, split into P contiguous shards: rank r holds examples
/// <c>[r N / P, (r + 1) N / P)</c>. Every silo of one process can share one instance; on several
/// machines each loads the same data set and keeps only what its rank reads.
/// </summary>
public sealed class InMemoryShardSource : IDataShardSource
{
    private readonly ConcurrentDictionary<string, DataSet> _sets = new(StringComparer.Ordinal);

    /// <summary>Adds (or replaces) a data set of row-major inputs and targets.</summary>
    /// <typeparam name="TData">The stored element type (converted to the network's on reading).</typeparam>
    /// <exception cref="ArgumentException">The lengths do not match the widths.</exception>
    public void Add<TData>(string name, TData[] inputs, TData[] targets, int inputWidth, int outputWidth)
        where TData : unmanaged, INumberBase<TData>
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputWidth, 1);
        int count = inputs.Length / inputWidth;
        if (inputs.Length != count * inputWidth || targets.Length != count * outputWidth)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'{name}': {inputs.Length} input values of width {inputWidth} and {targets.Length} target values of width {outputWidth} are not the same number of whole rows."),
                nameof(targets));
        }

        _sets[name] = new DataSet<TData>(inputs, targets, inputWidth, outputWidth, count);
    }

    /// <summary>First example of shard <paramref name="rank"/> of <paramref name="workerCount"/> among <paramref name="count"/>.</summary>
    public static int ShardStart(int count, int rank, int workerCount) => (int)((long)rank * count / workerCount);

    /// <inheritdoc/>
    public IDataShard<T> Open<T>(string dataSet, int rank, int workerCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!_sets.TryGetValue(dataSet, out DataSet? set))
        {
            throw new ArgumentException($"This silo has no data set '{dataSet}'.", nameof(dataSet));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(workerCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, workerCount);
        int start = ShardStart(set.Count, rank, workerCount);
        return set.Open<T>(start, ShardStart(set.Count, rank + 1, workerCount) - start);
    }

    private abstract class DataSet
    {
        public abstract int Count { get; }

        public abstract IDataShard<T> Open<T>(int start, int count)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>;
    }

    private sealed class DataSet<TData>(TData[] inputs, TData[] targets, int inputWidth, int outputWidth, int count) : DataSet
        where TData : unmanaged, INumberBase<TData>
    {
        public override int Count => count;

        public override IDataShard<T> Open<T>(int start, int count) => new Shard<T>(this, start, count);

        private sealed class Shard<T>(DataSet<TData> set, int start, int count) : IDataShard<T>
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            public int Count => count;

            public int InputWidth => set._inputWidth;

            public int OutputWidth => set._outputWidth;

            public void ReadRows(ReadOnlySpan<int> rows, Span2D<T> inputs, Span2D<T> targets)
            {
                for (int i = 0; i < rows.Length; i++)
                {
                    int row = rows[i];
                    ArgumentOutOfRangeException.ThrowIfNegative(row);
                    ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, count);
                    Convert(set._inputs.AsSpan((start + row) * InputWidth, InputWidth), inputs.GetRowSpan(i));
                    Convert(set._targets.AsSpan((start + row) * OutputWidth, OutputWidth), targets.GetRowSpan(i));
                }
            }

            private static void Convert(ReadOnlySpan<TData> source, Span<T> destination)
            {
                for (int j = 0; j < source.Length; j++)
                {
                    destination[j] = T.CreateTruncating(source[j]);
                }
            }
        }

        private readonly TData[] _inputs = inputs;
        private readonly TData[] _targets = targets;
        private readonly int _inputWidth = inputWidth;
        private readonly int _outputWidth = outputWidth;
    }
}
