namespace NgdKernel.Distributed.Grains;

/// <summary>The owner of one layer, pinned to the silo the cost model chose.</summary>
[RankPlacement]
internal sealed class LayerOwnerGrain : Grain, ILayerOwnerGrain
{
    private IOwnerEngine? _engine;
    private IWorkerGrain[] _workers = [];
    private OwnerSetup? _setup;

    public Task<string> Initialize(OwnerSetup setup)
    {
        _engine = setup.IsDouble ? new OwnerEngine<double>(setup) : new OwnerEngine<float>(setup);
        _workers = new IWorkerGrain[setup.WorkerCount];
        for (int r = 0; r < _workers.Length; r++)
        {
            _workers[r] = GrainFactory.GetGrain<IWorkerGrain>(GrainKeys.Worker(setup.RunId, r));
        }

        _setup = setup;
        return Task.FromResult(RuntimeIdentity);
    }

    public Task Contribute(Contribution contribution)
    {
        Engine.Contribute(contribution);
        return Task.CompletedTask;
    }

    public Task<SolveReply> Solve(long step, double damping) => Task.FromResult(Engine.Solve(step, damping));

    public async Task Apply(long step, double scale)
    {
        // Broadcast: every rank gets the owner's bits, each in its own pooled copy (one receiver per payload).
        byte[] weights = Engine.Apply(step, scale);
        int layer = _setup!.Layer;
        await Waits.All(_workers.Select(w => w.SetWeights(new WeightsMessage { Layer = layer, Weights = Payload.From(weights) })), _setup.Timeout);
    }

    public Task Restore()
    {
        Engine.Restore();
        return Task.CompletedTask;
    }

    public Task<byte[]> GetVelocity() => Task.FromResult(Engine.GetVelocity());

    private IOwnerEngine Engine => _engine
        ?? throw new InvalidOperationException($"Layer owner {this.GetPrimaryKeyString()} has no state on silo {RuntimeIdentity}: it was not set up here (was its silo lost?).");
}
