namespace NgdKernel.Cli.Experiments;

/// <summary>One evaluation during a run.</summary>
/// <param name="Examples">Training examples seen so far.</param>
/// <param name="Seconds">Training wall-clock seconds so far (evaluation time excluded).</param>
/// <param name="TrainLoss">Loss on the training evaluation set.</param>
/// <param name="TestLoss">Loss on the test set.</param>
/// <param name="Lambda">Damping lambda (NGD), or null.</param>
/// <param name="TrainAccuracy">Accuracy on the training evaluation set (classification), or null.</param>
/// <param name="TestAccuracy">Accuracy on the test set (classification), or null.</param>
internal readonly record struct EvaluationPoint(long Examples, double Seconds, double TrainLoss, double TestLoss, double? Lambda,
    double? TrainAccuracy = null, double? TestAccuracy = null);

/// <summary>The curve and outcome of one optimizer with one learning rate.</summary>
internal sealed class OptimizerRun(string name, double learningRate, int batch)
{
    public string Name { get; } = name;

    public double LearningRate { get; } = learningRate;

    public int Batch { get; } = batch;

    public List<EvaluationPoint> Points { get; } = [];

    public long ExamplesSeen { get; set; }

    public double Seconds { get; set; }

    /// <summary>Why the run stopped: "examples", "seconds", "diverged", "interrupted", "failed".</summary>
    public string StopReason { get; set; } = "examples";

    /// <summary>The step failure that ended a diverged or failed run (one line), or null.</summary>
    public string? StopMessage { get; set; }

    /// <summary>Whether the run diverged (a non-finite or exploding loss): an outcome of the grid, not an error.</summary>
    public bool Diverged => StopReason == "diverged";

    public double FinalTestLoss => Points.Count == 0 ? double.NaN : Points[^1].TestLoss;

    public string Label => Name is "sgd" or "sgdm" ? FormattableString.Invariant($"{Name} lr={LearningRate:G3}") : Name;

    /// <summary>The last evaluation's test accuracy (classification), or NaN.</summary>
    public double FinalTestAccuracy => Points.Count == 0 ? double.NaN : Points[^1].TestAccuracy ?? double.NaN;

    /// <summary>First evaluation whose test loss is at or below <paramref name="threshold"/>.</summary>
    public EvaluationPoint? FirstAtOrBelow(double threshold) => FirstReaching(new Threshold(string.Empty, threshold));

    /// <summary>First evaluation that reaches <paramref name="threshold"/>: test loss at or below it, or test accuracy at or above it.</summary>
    public EvaluationPoint? FirstReaching(Threshold threshold)
    {
        foreach (EvaluationPoint p in Points)
        {
            if (threshold.Accuracy ? p.TestAccuracy >= threshold.Value : p.TestLoss <= threshold.Value)
            {
                return p;
            }
        }

        return null;
    }
}

/// <summary>A threshold reported in the summary: JSON key suffix and value.</summary>
/// <param name="KeySuffix">"10xMin", "2xMin", "Mse0.02" or "97" (percent test accuracy).</param>
/// <param name="Value">The loss value to reach, or the accuracy as a fraction.</param>
/// <param name="Accuracy">Whether the threshold is a test accuracy to reach from below.</param>
internal readonly record struct Threshold(string KeySuffix, double Value, bool Accuracy = false);

/// <summary>Everything an experiment produced.</summary>
internal sealed record ExperimentResult
{
    public required ExperimentSettings Settings { get; init; }

    /// <summary>Minimum achievable test loss (synthetic: the teacher's on the test set), or null.</summary>
    public required double? MinLoss { get; init; }

    /// <summary>Name of the reported loss ("loss (Eq. 6)" or "MSE").</summary>
    public required string LossName { get; init; }

    public required IReadOnlyList<OptimizerRun> Runs { get; init; }

    public required IReadOnlyList<Threshold> Thresholds { get; init; }

    /// <summary>Stopped by Ctrl+C (cancellation) at a step boundary; the runs are partial.</summary>
    public bool Interrupted { get; init; }

    /// <summary>The guard gave up on a step: the one-line reason; the runs hold the good part.</summary>
    public string? Failure { get; init; }

    public OptimizerRun? Ngd => Runs.FirstOrDefault(r => r.Name == "ngd");

    /// <summary>The best plain SGD run of the grid (<see cref="Best"/>).</summary>
    public OptimizerRun? BestSgd => Best("sgd");

    /// <summary>The best run of SGD with momentum (<see cref="Best"/>).</summary>
    public OptimizerRun? BestSgdMomentum => Best("sgdm");

    /// <summary>NGD and the best run of each SGD grid, in that order, those that ran.</summary>
    public IEnumerable<OptimizerRun> Summarized => new[] { Ngd, BestSgd, BestSgdMomentum }.OfType<OptimizerRun>();

    /// <summary>
    /// The run of <paramref name="name"/>'s grid with the lowest final test loss, or for classification
    /// the fewest examples to the first accuracy threshold and then the highest final accuracy; diverged
    /// runs and non-finite values count as worst (a diverged run's last evaluation may predate the divergence).
    /// </summary>
    public OptimizerRun? Best(string name)
    {
        IEnumerable<OptimizerRun> grid = Runs.Where(r => r.Name == name);
        if (Thresholds.Count > 0 && Thresholds[0].Accuracy)
        {
            Threshold first = Thresholds[0];
            return grid.OrderBy(r => r.Diverged ? 1 : 0)
                .ThenBy(r => r.FirstReaching(first)?.Examples ?? long.MaxValue)
                .ThenByDescending(r => double.IsFinite(r.FinalTestAccuracy) ? r.FinalTestAccuracy : double.MinValue)
                .FirstOrDefault();
        }

        return grid.OrderBy(r => r.Diverged ? 1 : 0)
            .ThenBy(r => double.IsFinite(r.FinalTestLoss) ? r.FinalTestLoss : double.MaxValue)
            .FirstOrDefault();
    }
}
