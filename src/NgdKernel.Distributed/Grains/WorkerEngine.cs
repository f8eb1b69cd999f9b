using System.Numerics;
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

    void SetWeights(int layer, ReadOnlySpan<byte> weights);

    void Rollback();

    byte[] GetDataState();

    byte[] GetWeights(int layer);

    void SaveCheckpoint(CheckpointRequest request);
}

/// <summary>
/// One rank's share of a data-parallel step (paper Eq. 20): rows <c>[r M / P, (r + 1) M / P)</c> of the
/// global batch, drawn from its shard; the true and sampled backward passes; per layer the unnormalised
/// sums <c>E^T X</c>, <c>X^T X</c> and <c>E_s^T E_s</c>, the last two as packed lower triangles.
/// </summary>
/// <remarks>
/// The sampled errors are this rank's rows of the errors one machine would sample for the whole batch
/// from the same generator state (<c>Network.SampleOutputErrorRows</c>), so the sums over ranks are those
/// of the one-machine batch up to the order of additions, whatever P. Buffers are allocated once.
/// </remarks>
internal sealed class WorkerEngine<T> : IWorkerEngine
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Network<T> _network;
    private readonly NetworkWorkspace<T> _workspace;
    private readonly IDataShard<T>? _shard;
    private readonly ShardCursor? _cursor;
    private readonly Matrix<T> _inputs;
    private readonly Matrix<T> _targets;
    private readonly Matrix<T>[] _undo;
    private readonly Matrix<T> _square;
    private readonly T[] _sampleScratch;
    private readonly int[] _indices;
    private readonly byte[][] _payloads;
    private readonly int _rank;
    private readonly int _batch;
    private readonly int _first;
    private readonly int _rows;
    private readonly int _samples;
    private readonly bool _statisticsOnly;

    public WorkerEngine(WorkerSetup setup, IDataShardSource? source)
    {
        _network = Checkpoint.LoadNetwork<T>(new MemoryStream(setup.Network, writable: false), new KernelContext(setup.Threads));
        _rank = setup.Rank;
        _batch = setup.BatchSize;
        _first = InMemoryShardSource.ShardStart(_batch, _rank, setup.WorkerCount);
        _rows = InMemoryShardSource.ShardStart(_batch, _rank + 1, setup.WorkerCount) - _first;
        _samples = setup.SampleCount;
        _statisticsOnly = setup.SampleCount == 0;
        if (setup.DataSet.Length > 0)
        {
            IDataShardSource shards = source ?? throw new InvalidOperationException(
                $"This silo has no {nameof(IDataShardSource)} service registered to serve data set '{setup.DataSet}'.");
            _shard = shards.Open<T>(setup.DataSet, _rank, setup.WorkerCount);
            if (_shard.InputWidth != _network.InputSize || _shard.OutputWidth != _network.OutputSize)
            {
                throw new ArgumentException(
                    $"Data set '{setup.DataSet}' has rows of {_shard.InputWidth} inputs and {_shard.OutputWidth} targets but the network takes {_network.InputSize} and gives {_network.OutputSize}.");
            }

            _cursor = new ShardCursor(_shard.Count, setup.DataSeed, _rank);
            if (setup.DataState is { Length: > 0 } state)
            {
                DataState.Restore(state, _cursor);
            }
        }

        _workspace = new NetworkWorkspace<T>(_network, _rows, _samples);
        _inputs = new Matrix<T>(_rows, _network.InputSize);
        _targets = new Matrix<T>(_rows, _network.OutputSize);
        _indices = new int[_rows];
        _undo = new Matrix<T>[_network.LayerCount];
        _payloads = new byte[_network.LayerCount][];
        int maxWidth = 1;
        for (int l = 0; l < _network.LayerCount; l++)
        {
            int a = _network.InputWidth(l), b = _network.Widths[l + 1];
            _undo[l] = new Matrix<T>(b, a);
            maxWidth = Math.Max(maxWidth, Math.Max(a, b));
            _payloads[l] = new byte[PayloadLength(b, a, _statisticsOnly) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        }

        _square = new Matrix<T>(_statisticsOnly ? 1 : maxWidth, _statisticsOnly ? 1 : maxWidth);
        _sampleScratch = new T[GaussianRowRange.ScratchLength(_network.OutputSize)];
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
            CopyRows(inputs, _inputs);
            CopyRows(targets, _targets);
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
            _network.WeightMatrix(l).CopyTo(_undo[l]);
        }

        _network.ForwardUnchecked(_inputs.ReadOnlySpan, _workspace);
        LossValues loss = _network.OutputErrors(_targets.ReadOnlySpan, _workspace, computeErrors: true);
        var rng = new Xoshiro256(0);
        rng.SetState(request.Generator);
        for (int k = 1; k <= _samples; k++)
        {
            _network.SampleOutputErrorRows(ref rng, _workspace, _workspace.Errors, k * _rows, _batch, _first, _rows, _sampleScratch);
        }

        _network.Backpropagate(_workspace, _workspace.Errors, 0, _rows, 1 + _samples);
        var generator = new ulong[4];
        rng.GetState(generator);
        return Reply(loss, generator);
    }

    public byte[] Payload(int layer)
    {
        int a = _network.InputWidth(layer), b = _network.Widths[layer + 1];
        Span<T> payload = MemoryMarshal.Cast<byte, T>(_payloads[layer].AsSpan());
        ReadOnlySpan2D<T> x = _workspace.Activations[layer].ReadOnlySpan.Slice(0, 0, _rows, a);
        ReadOnlySpan2D<T> e = _workspace.Errors[layer].ReadOnlySpan.Slice(0, 0, _rows, b);
        Span2D<T> gradient = payload[..(a * b)].AsSpan2D(b, a);
        Gemm.Multiply(e, MatrixOp.Transpose, x, MatrixOp.None, T.One, T.Zero, gradient, _network.Context);
        if (!_statisticsOnly)
        {
            int inputPacked = PrecomputedCurvature<T>.PackedLength(a);
            Span2D<T> square = _square.Span.Slice(0, 0, a, a);
            Syrk.Multiply(x, MatrixOp.Transpose, T.One, T.Zero, square, _network.Context);
            PrecomputedCurvature<T>.PackLower(square, payload.Slice(a * b, inputPacked));
            ReadOnlySpan2D<T> sampled = _workspace.Errors[layer].ReadOnlySpan.Slice(_rows, 0, _rows * _samples, b);
            square = _square.Span.Slice(0, 0, b, b);
            Syrk.Multiply(sampled, MatrixOp.Transpose, T.One, T.Zero, square, _network.Context);
            PrecomputedCurvature<T>.PackLower(square, payload[((a * b) + inputPacked)..]);
        }

        return _payloads[layer];
    }

    public StatisticsReply EvaluateLoss()
    {
        _network.ForwardUnchecked(_inputs.ReadOnlySpan, _workspace);
        return Reply(_network.OutputErrors(_targets.ReadOnlySpan, _workspace, computeErrors: false), []);
    }

    public void SetWeights(int layer, ReadOnlySpan<byte> weights)
    {
        Span<T> w = _network.WeightMatrix(layer).AsSpan();
        ReadOnlySpan<T> source = MemoryMarshal.Cast<byte, T>(weights);
        if (source.Length != w.Length)
        {
            throw new ArgumentException($"Layer {layer} has {w.Length} weights but {source.Length} arrived.", nameof(weights));
        }

        source.CopyTo(w);
    }

    public void Rollback()
    {
        for (int l = 0; l < _network.LayerCount; l++)
        {
            _undo[l].CopyTo(_network.WeightMatrix(l));
        }
    }

    public byte[] GetDataState() => _cursor is null ? [] : DataState.Save(_cursor);

    private static void CopyRows(byte[] rows, Matrix<T> destination)
    {
        ReadOnlySpan<T> values = MemoryMarshal.Cast<byte, T>(rows);
        if (values.Length != destination.Rows * destination.Columns)
        {
            throw new ArgumentException($"{values.Length} values arrived for {destination.Rows} rows of {destination.Columns}.", nameof(rows));
        }

        values.CopyTo(destination.AsSpan());
    }

    public byte[] GetWeights(int layer) => MemoryMarshal.AsBytes(_network.WeightMatrix(layer).AsSpan()).ToArray();

    public void SaveCheckpoint(CheckpointRequest request)
    {
        var optimizer = new NaturalGradientOptimizer<T>(_network, new NaturalGradientOptions
        {
            MinDamping = request.MinDamping,
            MaxDamping = request.MaxDamping,
            InitialDamping = Math.Clamp(1.0, request.MinDamping, request.MaxDamping),
        });
        optimizer.RestoreState(request.Step, request.Damping, request.Generator, double.NaN, 0, 0);
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
