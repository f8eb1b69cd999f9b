namespace NgdKernel.Distributed.Grains;

/// <summary>One rank: a replica of the network, a data shard, the statistics of its rows of each batch.</summary>
internal interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Sets the worker up; returns the address of its silo.</summary>
    Task<string> Initialize(WorkerSetup setup);

    /// <summary>
    /// Draws this rank's rows of the step's batch, runs the forward, true and sampled backward passes
    /// and sends each layer's sums to its owner, last layer first; returns the loss sums and the
    /// generator state after the sampled errors.
    /// </summary>
    Task<StatisticsReply> ComputeStatistics(StatisticsRequest request);

    /// <summary>Loss sums of the current weights on this rank's rows of the last batch (Eq. 21).</summary>
    Task<StatisticsReply> EvaluateLoss();

    /// <summary>New weights of one layer from its owner.</summary>
    Task SetWeights(WeightsMessage message);

    /// <summary>Weights as before the last <see cref="ComputeStatistics"/>.</summary>
    Task Rollback();

    /// <summary>The shard cursor's state (checkpoint application section).</summary>
    Task<byte[]> GetDataState();

    /// <summary>This replica's weights of one layer.</summary>
    Task<byte[]> GetWeights(int layer);

    /// <summary>Writes the checkpoint (rank 0) in the format of NgdKernel.Checkpoints.</summary>
    Task SaveCheckpoint(CheckpointRequest request);
}

/// <summary>One layer's owner: sums the workers' statistics, solves Eq. 20, updates and broadcasts the layer.</summary>
internal interface ILayerOwnerGrain : IGrainWithStringKey
{
    Task<string> Initialize(OwnerSetup setup);

    Task Contribute(Contribution contribution);

    /// <summary>Sums the contributions of the step in rank order and solves at <paramref name="damping"/>.</summary>
    Task<SolveReply> Solve(long step, double damping);

    /// <summary><c>W += scale N</c> (SGD: the momentum update), then the new weights to every worker.</summary>
    Task Apply(long step, double scale);

    /// <summary>Weights as before the last <see cref="Apply"/>.</summary>
    Task Restore();

    /// <summary>The layer's SGD momentum <c>V</c> (empty without momentum), for a checkpoint.</summary>
    Task<byte[]> GetVelocity();
}
