using Microsoft.Extensions.DependencyInjection;

namespace NgdKernel.Distributed.Grains;

/// <summary>The worker of one rank, pinned to its silo.</summary>
[RankPlacement]
internal sealed class WorkerGrain(IServiceProvider services) : Grain, IWorkerGrain
{
    private IWorkerEngine? _engine;
    private ILayerOwnerGrain[] _owners = [];
    private WorkerSetup? _setup;

    public Task<string> Initialize(WorkerSetup setup)
    {
        IDataShardSource? source = services.GetService<IDataShardSource>();
        _engine = setup.IsDouble ? new WorkerEngine<double>(setup, source) : new WorkerEngine<float>(setup, source);
        _owners = new ILayerOwnerGrain[setup.OwnerRanks.Length];
        for (int l = 0; l < _owners.Length; l++)
        {
            _owners[l] = GrainFactory.GetGrain<ILayerOwnerGrain>(GrainKeys.Owner(setup.RunId, l, setup.OwnerRanks[l]));
        }

        _setup = setup;
        return Task.FromResult(RuntimeIdentity);
    }

    public async Task<StatisticsReply> ComputeStatistics(StatisticsRequest request)
    {
        IWorkerEngine engine = Engine;
        StatisticsReply reply = engine.ComputeStatistics(request);

        // Last layer first, as the backward pass finishes them: each send is under way while the
        // next layer's sums are formed.
        var sends = new Task[engine.LayerCount];
        for (int l = engine.LayerCount - 1; l >= 0; l--)
        {
            sends[l] = _owners[l].Contribute(new Contribution { Step = request.Step, Rank = _setup!.Rank, Sums = Payload.From(engine.Payload(l)) });
        }

        await Waits.All(sends, _setup!.Timeout);
        return reply;
    }

    public Task<StatisticsReply> EvaluateLoss() => Task.FromResult(Engine.EvaluateLoss());

    public Task SetWeights(WeightsMessage message)
    {
        Engine.SetWeights(message.Layer, message.Weights);
        message.Weights.Dispose();
        return Task.CompletedTask;
    }

    public Task Rollback()
    {
        Engine.Rollback();
        return Task.CompletedTask;
    }

    public Task<byte[]> GetDataState() => Task.FromResult(Engine.GetDataState());

    public Task<byte[]> GetWeights(int layer) => Task.FromResult(Engine.GetWeights(layer));

    public Task SaveCheckpoint(CheckpointRequest request)
    {
        Engine.SaveCheckpoint(request);
        return Task.CompletedTask;
    }

    /// <summary>A fresh activation (its silo was lost and the grain came back elsewhere) has no engine.</summary>
    private IWorkerEngine Engine => _engine
        ?? throw new InvalidOperationException($"Worker {this.GetPrimaryKeyString()} has no state on silo {RuntimeIdentity}: it was not set up here (was its silo lost?).");
}
