namespace NgdKernel.Cli.Experiments;

/// <summary>Element type of a run (<c>--precision</c>).</summary>
internal enum Precision
{
    Double,
    Float,
}

/// <summary>How NGD inverts its damped covariances (<c>--inverse</c>).</summary>
internal enum InverseMethod
{
    Cholesky,
    ShermanMorrison,
}

/// <summary>An experiment's options after parsing and validation.</summary>
internal sealed record ExperimentSettings
{
    public required ExperimentSpec Spec { get; init; }

    /// <summary>"ngd" and/or "sgd", in the order given.</summary>
    public required IReadOnlyList<string> Optimizers { get; init; }

    public required long Examples { get; init; }

    /// <summary>Wall-clock cap per optimizer run (training time, evaluation excluded).</summary>
    public required double Seconds { get; init; }

    public required ulong Seed { get; init; }

    public required Precision Precision { get; init; }

    public required int Threads { get; init; }

    public required string OutputDirectory { get; init; }

    public required IReadOnlyList<double> SgdLearningRates { get; init; }

    public required int SgdBatch { get; init; }

    public required double NgdLearningRate { get; init; }

    public required int NgdBatch { get; init; }

    public required int SampledPasses { get; init; }

    public required InverseMethod Inverse { get; init; }

    public required double InitialDamping { get; init; }

    /// <summary>
    /// How NGD damps the two covariances (<c>--damping-form</c>). With <c>factored</c>,
    /// <see cref="InitialDamping"/> is lambda at unit model variance and the optimizer gets lambda / s.
    /// </summary>
    public NgdKernel.Optimizers.DampingForm DampingForm { get; init; } = NgdKernel.Optimizers.DampingForm.Paper;

    /// <summary>Variance of the student's output density used by the optimizers (<c>--model-variance</c>).</summary>
    public required double ModelVariance { get; init; }

    public required long EvaluateEvery { get; init; }

    public required string DataDirectory { get; init; }

    /// <summary>Data-parallel workers (silos in this process over loopback TCP); 0 trains in this process alone.</summary>
    public int Workers { get; init; }

    /// <summary>Checkpoint and resume files; null when neither is used.</summary>
    public CheckpointSettings? Checkpoint { get; init; }
}
