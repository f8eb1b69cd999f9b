using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance;
using NgdKernel.Checkpoints;
using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

namespace NgdKernel.Distributed.Grains;

/// <summary>The element-type-free face of <see cref="WorkerEngine{T}"/> for the grain.</summary>
internal interface IWorkerEngine
{
    int LayerCount { get; }

    StatisticsReply ComputeStatistics(StatisticsRequest request);

    /// <summary>Fills layer <paramref name="layer"/>'s payload (the buffer is reused every step).</summary>
    byte[] Payload(int layer);

    StatisticsReply EvaluateLoss();

    void SetWeights(int layer, Payload weights);

    void Rollback();

    byte[] GetDataState();

    byte[] GetWeights(int layer);

    void SaveCheckpoint(CheckpointRequest request);
}

/// <summary>
/// One rank's share of a data-parallel step (paper Eq. 20): rows <c>[r M / P, (r + 1) M / P)</c> of the
/// global batch, drawn from its shard; the true and sampled backward passes and per layer the
/// unnormalised sums of <see cref="BatchSliceStatistics{T}"/> (<c>E^T X</c>, and the packed
/// <c>X^T X</c> and <c>E_s^T E_s</c>), so the sums over ranks are those of the one-machine batch up to
/// the order of additions, whatever P. Buffers are allocated once.
/// </summary>
internal sealed class WorkerEngine<T> : IWorkerEngine
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Network<T> _network;
    private readonly BatchSliceStatistics<T> _statistics;
    private readonly IDataShard<T>? _shard;
    private readonly ShardCursor? _cursor;
    private readonly Matrix<T> _inputs;
    private readonly Matrix<T> _targets;
    private readonly Matrix<T>[] _undo;
    private readonly int[] _indices;
    private readonly byte[][] _payloads;
    private readonly int _rows;

    public WorkerEngine(WorkerSetup setup, IDataShardSource? source)
    {
        _network = Checkpoint.LoadNetwork<T>(new MemoryStream(setup.Network, writable: false), new KernelContext(setup.Threads));
        int rank = setup.Rank;
        int first = InMemoryShardSource.ShardStart(setup.BatchSize, rank, setup.WorkerCount);
        _rows = InMemoryShardSource.ShardStart(setup.BatchSize, rank + 1, setup.WorkerCount) - first;
        if (setup.DataSet.Length > 0)
        {
            IDataShardSource shards = source ?? throw new InvalidOperationException(
                $"This silo has no {nameof(IDataShardSource)} service registered to serve data set '{setup.DataSet}'.");
            _shard = shards.Open<T>(setup.DataSet, rank, setup.WorkerCount);
            if (_shard.InputWidth != _network.InputSize || _shard.OutputWidth != _network.OutputSize)
            {
                throw new ArgumentException(
                    $"Data set '{setup.DataSet}' has rows of {_shard.InputWidth} inputs and {_shard.OutputWidth} targets but the network takes {_network.InputSize} and gives {_network.OutputSize}.");
            }

            _cursor = new ShardCursor(_shard.Count, setup.DataSeed, rank);
            if (setup.DataState is { Length: > 0 } state)
            {
                DataState.Restore(state, _cursor);
            }
        }

        _statistics = new BatchSliceStatistics<T>(_network, setup.BatchSize, first, _rows, setup.SampleCount);
        _inputs = new Matrix<T>(_rows, _network.InputSize);
        _targets = new Matrix<T>(_rows, _network.OutputSize);
        _indices = new int[_rows];
        _undo = new Matrix<T>[_network.LayerCount];
        _payloads = new byte[_network.LayerCount][];
        for (int l = 0; l < _network.LayerCount; l++)
        {
            _undo[l] = new Matrix<T>(_network.Widths[l + 1], _network.InputWidth(l));
            _payloads[l] = new byte[_statistics.SumsLength(l) * Unsafe.SizeOf<T>()];
        }
    }

    public int LayerCount => _network.LayerCount;

    /// <summary>Values of one layer's payload: G, and unless gradients only, both packed covariances.</summary>
    public static int PayloadLength(int outputWidth, int inputWidth, bool gradientOnly) =>
        (outputWidth * inputWidth) + (gradientOnly ? 0
            : PrecomputedCurvature<T>.PackedLength(inputWidth) + PrecomputedCurvature<T>.PackedLength(outputWidth));

    public StatisticsReply ComputeStatistics(StatisticsRequest request)
    {
        if (request.Inputs is { } inputs && request.Targets is { } targets)
        {
            // Rows sent by the trainer: this rank's slice of a batch the caller drew.
            inputs.CopyTo(MemoryMarshal.AsBytes(_inputs.AsSpan()), "This rank's inputs");
            targets.CopyTo(MemoryMarshal.AsBytes(_targets.AsSpan()), "This rank's targets");
            inputs.Dispose();
            targets.Dispose();
        }
        else
        {
            if (_cursor is null)
            {
                throw new InvalidOperationException("This run has no data set: each step must send its batch.");
            }

            _cursor.Next(_indices);
            _shard!.ReadRows(_indices, _inputs.Span, _targets.Span);
        }

        for (int l = 0; l < _network.LayerCount; l++)
        {
            _network.Weights(l).CopyTo(_undo[l].Span);
        }

        var rng = new Xoshiro256(1);
        rng.SetState(request.Generator);
        LossValues loss = _statistics.Compute(_inputs.ReadOnlySpan, _targets.ReadOnlySpan, ref rng);
        // A new array: replies between grains of one silo are passed by reference, not copied.
        var generator = new ulong[4];
        rng.GetState(generator);
        return Reply(loss, generator);
    }

    public byte[] Payload(int layer)
    {
        _statistics.WriteSums(layer, MemoryMarshal.Cast<byte, T>(_payloads[layer].AsSpan()));
        return _payloads[layer];
    }

    public StatisticsReply EvaluateLoss() => Reply(_statistics.Evaluate(_inputs.ReadOnlySpan, _targets.ReadOnlySpan), []);

    public void SetWeights(int layer, Payload weights)
    {
        Span2D<T> w = _network.Weights(layer);
        if (!w.TryGetSpan(out Span<T> values))
        {
            throw new InvalidOperationException($"Layer {layer}'s weights are not contiguous.");
        }

        Span<byte> destination = MemoryMarshal.AsBytes(values);
        if (!weights.TryCopyTo(destination))
        {
            throw weights.SizeError($"Layer {layer}'s weights", destination.Length);
        }
    }

    public void Rollback()
    {
        for (int l = 0; l < _network.LayerCount; l++)
        {
            _undo[l].ReadOnlySpan.CopyTo(_network.Weights(l));
        }
    }

    public byte[] GetDataState() => _cursor is null ? [] : DataState.Save(_cursor);

    public byte[] GetWeights(int layer)
    {
        Span2D<T> w = _network.Weights(layer);
        var bytes = new byte[w.Length * Unsafe.SizeOf<T>()];
        w.CopyTo(MemoryMarshal.Cast<byte, T>(bytes.AsSpan()));
        return bytes;
    }

    public void SaveCheckpoint(CheckpointRequest request)
    {
        if (request.Sgd)
        {
            // The owners' momentum, layer after layer, as SgdOptimizer keeps it: the file is a
            // one-machine SGD checkpoint.
            var sgd = new SgdOptimizer<T>(_network, new SgdOptions { Momentum = request.Momentum });
            var velocity = new T[request.Velocity.Sum(v => v.Length) / Unsafe.SizeOf<T>()];
            int offset = 0;
            foreach (byte[] layer in request.Velocity)
            {
                ReadOnlySpan<T> values = MemoryMarshal.Cast<byte, T>(layer);
                values.CopyTo(velocity.AsSpan(offset));
                offset += values.Length;
            }

            sgd.RestoreState(request.Step, velocity);
            Checkpoint.Save(request.Path, sgd, request.ApplicationData);
            return;
        }

        var optimizer = new NaturalGradientOptimizer<T>(_network, new NaturalGradientOptions
        {
            MinDamping = request.MinDamping,
            MaxDamping = request.MaxDamping,
            InitialDamping = Math.Clamp(1.0, request.MinDamping, request.MaxDamping),
        });
        optimizer.RestoreState(request.Step, request.Damping, request.Generator);
        Checkpoint.Save(request.Path, optimizer, request.ApplicationData);
    }

    private StatisticsReply Reply(LossValues loss, ulong[] generator) => new()
    {
        LossSum = loss.Loss * _rows,
        SquaredErrorSum = loss.MeanSquaredError * _rows * _network.OutputSize,
        Rows = _rows,
        Generator = generator,
    };
}
