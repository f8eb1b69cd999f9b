using NgdKernel.LinearAlgebra;

namespace NgdKernel.Distributed.Tests;

/// <summary>
/// The one-machine run a data-parallel run must equal: each step's batch is the concatenation, in rank
/// order, of the rows every rank's shard cursor draws.
/// </summary>
internal sealed class DistributedReference<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IDataShard<T>[] _shards;
    private readonly ShardCursor[] _cursors;
    private readonly int[] _starts;
    private readonly Matrix<T> _inputs;
    private readonly Matrix<T> _targets;

    public DistributedReference(IDataShardSource source, DataParallelOptions options, int inputWidth, int outputWidth)
    {
        int p = options.WorkerCount;
        _shards = new IDataShard<T>[p];
        _cursors = new ShardCursor[p];
        _starts = new int[p + 1];
        for (int r = 0; r < p; r++)
        {
            _shards[r] = source.Open<T>(options.DataSet, r, p);
            _cursors[r] = new ShardCursor(_shards[r].Count, options.DataSeed, r);
            _starts[r + 1] = InMemoryShardSource.ShardStart(options.BatchSize, r + 1, p);
        }

        _inputs = new Matrix<T>(options.BatchSize, inputWidth);
        _targets = new Matrix<T>(options.BatchSize, outputWidth);
    }

    public ReadOnlySpan2D<T> Inputs => _inputs.ReadOnlySpan;

    public ReadOnlySpan2D<T> Targets => _targets.ReadOnlySpan;

    /// <summary>Draws the next global batch into <see cref="Inputs"/> and <see cref="Targets"/>.</summary>
    public void NextBatch()
    {
        for (int r = 0; r < _shards.Length; r++)
        {
            int rows = _starts[r + 1] - _starts[r];
            var indices = new int[rows];
            _cursors[r].Next(indices);
            _shards[r].ReadRows(indices, _inputs.Span.Slice(_starts[r], 0, rows, _inputs.Columns),
                _targets.Span.Slice(_starts[r], 0, rows, _targets.Columns));
        }
    }
}
