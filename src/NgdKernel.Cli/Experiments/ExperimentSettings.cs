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

    /// <summary>"ngd", "sgd" and/or "sgdm" (SGD with momentum), in the order given.</summary>
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

    /// <summary>Learning rates of SGD with momentum (<c>--sgdm-lr</c>), each its own run.</summary>
    public IReadOnlyList<double> SgdMomentumLearningRates { get; init; } = [];

    /// <summary>Heavy-ball momentum of <c>sgdm</c> (<c>--momentum</c>).</summary>
    public double SgdMomentum { get; init; } = 0.9;

    public required double NgdLearningRate { get; init; }

    public required int NgdBatch { get; init; }

    public required int SampledPasses { get; init; }

    /// <summary>NGD's error covariance: K sampled passes, or the exact expectation over the output density (<c>--fisher exact</c>).</summary>
    public bool ExactFisher { get; init; }

    public required InverseMethod Inverse { get; init; }

    public required double InitialDamping { get; init; }

    /// <summary>NGD steps between refreshes of the damped inverses (<c>--inverse-period</c>).</summary>
    public int InverseUpdatePeriod { get; init; } = 1;

    /// <summary>NGD steps between updates of the running covariances (<c>--curvature-period</c>).</summary>
    public int CurvatureUpdatePeriod { get; init; } = 1;

    /// <summary>Weight of the old running covariance per update (<c>--curvature-decay</c>).</summary>
    public double CurvatureDecay { get; init; } = 0.95;

    /// <summary>NGD steps between damping adaptations (<c>--damping-interval</c>).</summary>
    public int DampingAdaptationInterval { get; init; } = 1;

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

    /// <summary>Gateways <c>HOST:PORT,...</c> of a cluster of other machines (<c>ngd silo</c>) that <see cref="Workers"/> trains on; null: silos in this process.</summary>
    public string? Cluster { get; init; }

    /// <summary>Checkpoint and resume files; null when neither is used.</summary>
    public CheckpointSettings? Checkpoint { get; init; }
}
