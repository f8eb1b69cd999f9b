using System.Globalization;
using NgdKernel.Optimizers;

namespace NgdKernel.Distributed;

/// <summary>What each worker computes and the owners apply.</summary>
public enum DataParallelAlgorithm
{
    /// <summary>Damped natural gradient (Eq. 20-21): gradients and both covariances go to the layer owners.</summary>
    NaturalGradient,

    /// <summary>Stochastic gradient descent: only the gradients go to the layer owners.</summary>
    Sgd,
}

/// <summary>Options of a <see cref="DataParallelTrainer{T}"/>.</summary>
public sealed record DataParallelOptions
{
    /// <summary>Workers P, one per silo (rank r runs on the r-th silo in address order).</summary>
    public int WorkerCount { get; init; } = 1;

    /// <summary>
    /// Global batch M per step; rank r takes rows <c>[r M / P, (r + 1) M / P)</c> of it from its own shard.
    /// </summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>The algorithm.</summary>
    public DataParallelAlgorithm Algorithm { get; init; } = DataParallelAlgorithm.NaturalGradient;

    /// <summary>
    /// Natural-gradient options: learning rate, K, damping and its adaptation, retries and the seed of
    /// the sampled errors. Inverses are Cholesky solves in covariance space (the owners never see the
    /// examples), so <see cref="NaturalGradientOptions.Inverse"/> must be Cholesky and
    /// <see cref="NaturalGradientOptions.SampleSpace"/> must not be <see cref="SampleSpacePolicy.Always"/>.
    /// </summary>
    public NaturalGradientOptions NaturalGradient { get; init; } = new();

    /// <summary>SGD options: learning rate and momentum (no schedule, weight decay or frozen layers).</summary>
    public SgdOptions Sgd { get; init; } = new();

    /// <summary>
    /// Name of the data set the silos' <see cref="IDataShardSource"/> serves; empty: every step sends its
    /// batch (<see cref="DataParallelTrainer{T}.StepAsync(CommunityToolkit.HighPerformance.ReadOnlySpan2D{T}, CommunityToolkit.HighPerformance.ReadOnlySpan2D{T})"/>).
    /// </summary>
    public string DataSet { get; init; } = "train";

    /// <summary>Seed of the workers' batch draws (rank r shuffles its shard from its own stream).</summary>
    public ulong DataSeed { get; init; } = 1;

    /// <summary>Longest wait for any reply; a worker or owner that does not answer in time fails the step.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Kernel threads inside each worker and owner.</summary>
    public int ThreadsPerWorker { get; init; } = 1;

    /// <summary>Validates every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    /// <exception cref="NotSupportedException">An option the data-parallel path does not implement.</exception>
    public void Validate()
    {
        Require(WorkerCount >= 1, nameof(WorkerCount), WorkerCount, ">= 1");
        Require(BatchSize >= WorkerCount, nameof(BatchSize), BatchSize, $">= WorkerCount ({WorkerCount})");
        Require(Timeout > TimeSpan.Zero, nameof(Timeout), Timeout, "positive");
        Require(ThreadsPerWorker >= 1, nameof(ThreadsPerWorker), ThreadsPerWorker, ">= 1");
        ArgumentNullException.ThrowIfNull(NaturalGradient);
        ArgumentNullException.ThrowIfNull(Sgd);
        ArgumentNullException.ThrowIfNull(DataSet);
        NaturalGradient.Validate();
        Sgd.Validate();
        if (NaturalGradient.Inverse != CurvatureInverse.Cholesky || NaturalGradient.SampleSpace == SampleSpacePolicy.Always)
        {
            throw new NotSupportedException(
                "Data-parallel natural gradient solves in covariance space with Cholesky inverses: 'NaturalGradient.Inverse' must be Cholesky and 'NaturalGradient.SampleSpace' not Always.");
        }

        NaturalGradientOptions defaults = new();
        if (NaturalGradient.DampingForm != defaults.DampingForm || NaturalGradient.Schedule is not null || NaturalGradient.Momentum != 0
            || NaturalGradient.WeightDecay != 0 || NaturalGradient.FrozenLayers is { Count: > 0 })
        {
            throw new NotSupportedException(
                "Data-parallel natural gradient applies the paper's step: 'NaturalGradient.DampingForm' must be Paper and 'Schedule', 'Momentum', 'WeightDecay' and 'FrozenLayers' unset.");
        }

        if (Algorithm == DataParallelAlgorithm.Sgd && (Sgd.Schedule is not null || Sgd.WeightDecay != 0 || Sgd.FrozenLayers is { Count: > 0 }))
        {
            // The owners apply V = mu V + G; W += alpha V at a fixed rate, so the run and its checkpoints
            // continue on one machine as SgdOptimizer with the same options.
            throw new NotSupportedException(
                "Data-parallel SGD applies a fixed learning rate with momentum: 'Sgd.Schedule', 'Sgd.WeightDecay' and 'Sgd.FrozenLayers' must be unset.");
        }
    }

    private static void Require(bool ok, string name, object value, string what)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value,
                string.Create(CultureInfo.InvariantCulture, $"'{name}' is {value}: it must be {what}."));
        }
    }
}
