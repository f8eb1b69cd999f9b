namespace NgdKernel.Cli.Experiments;

/// <summary>
/// Loss of a data set: Eq. 6 (with SigmaT^-1) or the cross-entropy, the plain mean squared error per
/// component, and the accuracy of a classifier (NaN otherwise).
/// </summary>
internal readonly record struct Losses(double Loss, double MeanSquaredError, double Accuracy = double.NaN);

/// <summary>
/// One optimizer training one network, as the experiment runner sees it: a step on a minibatch and
/// an evaluation on a whole data set. Implemented over the library's networks and optimizers.
/// </summary>
internal interface ITrainer<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Minibatch size M.</summary>
    int BatchSize { get; }

    /// <summary>Current damping lambda (NGD), or null.</summary>
    double? Damping { get; }

    /// <summary>The optimizer (guarded: a bad step is rolled back, damping raised and retried), for checkpoints.</summary>
    NgdKernel.Optimizers.IOptimizer<T> Optimizer { get; }

    /// <summary>Raised once per recovered bad step, with one line describing it.</summary>
    event EventHandler<NgdKernel.Training.StepRecoveredEventArgs>? Recovered;

    /// <summary>One optimizer step on a minibatch <c>[M, n0]</c> / <c>[M, nL]</c>.</summary>
    /// <exception cref="NgdKernel.Training.StepFailedException">The step kept failing; the state is as before it.</exception>
    void Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets);

    /// <summary>Loss of the current weights on a whole data set (weights untouched).</summary>
    Losses Evaluate(DataSet<T> data);

    /// <summary>Writes the weights, the optimizer's state and <paramref name="applicationData"/> to a checkpoint (atomic replace).</summary>
    void SaveCheckpoint(string path, ReadOnlySpan<byte> applicationData) =>
        NgdKernel.Checkpoints.Checkpoint.Save(path, Optimizer, applicationData);

    /// <summary>Continues from a checkpoint written by <see cref="SaveCheckpoint"/> (whose application data the caller has read).</summary>
    void LoadCheckpoint(string path) => _ = NgdKernel.Checkpoints.Checkpoint.Load(path, Optimizer);
}

/// <summary>Builds the trainer of one run (the library's in the CLI; tests substitute their own).</summary>
internal interface ITrainerSource
{
    /// <summary>A trainer of <paramref name="optimizer"/> ("ngd", "sgd" or "sgdm") for a fresh network of the experiment.</summary>
    ITrainer<T> Create<T>(ExperimentSettings settings, string optimizer, double learningRate, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>
    /// The CLI's resume state in the application data of checkpoint <paramref name="path"/>, as
    /// <see cref="ITrainer{T}.SaveCheckpoint"/> of this source's trainers stored it.
    /// </summary>
    /// <exception cref="UsageException">The checkpoint was written by another kind of run.</exception>
    ReadOnlySpan<byte> ResumeData(byte[] applicationData, string path) => applicationData;
}
