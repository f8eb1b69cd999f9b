using System.Diagnostics;

namespace NgdKernel.Benchmarks;

/// <summary>
/// What the training controls cost in a damped NGD step (Cholesky inverses, float): the paper's
/// damping against factored (pi) damping (two sums of squares per layer), momentum 0.9 (the Eq. 21
/// prediction measures the previous velocity by the batch's curvature), and everything at once
/// (factored damping, momentum, a cosine schedule, weight decay), on fig1a at the paper's M = 1000
/// and the 32-wide latency network at M = 32 (<c>NgdKernel.Benchmarks controls [rounds]</c>).
/// </summary>
/// <remarks>
/// The four variants step in turn (paper, factored, momentum, all, paper, ...), each on its own
/// network, and each reports the median of its individual steps: BenchmarkDotNet runs one variant
/// after another, each in its own process, and on a shared machine whose load changes by the minute
/// its ratios compared different phases (a first try read 0.17 to 9.2 for the same code). Steps
/// repeat on one fixed batch with the damping pinned to lambda_0 before each step: left to Eq. 21
/// on a batch it keeps fitting, lambda falls until the rank-deficient covariances of the small
/// network no longer factor and steps retry, and each variant would be timed in another regime.
/// </remarks>
public static class ControlsRun
{
    private static readonly string[] Names = ["paper", "factored", "momentum", "all controls"];

    /// <summary>Runs both cases in float and prints a Markdown table.</summary>
    public static void Run(int rounds, TextWriter output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        output.WriteLine($"float, 1 thread, path {BenchContext.Path}; the four variants step in turn, {rounds} timed rounds " +
            "(fig1a: rounds / 10) after 10 warm-up rounds, damping pinned to lambda_0 before each step; medians of the individual steps.");
        output.WriteLine();
        output.WriteLine("| Case | Variant | median (us) | Ratio to paper |");
        output.WriteLine("|----- |-------- |------------:|---------------:|");
        foreach (StepCase step in (StepCase[])[new(Architecture.Paper[0], 1000), new(Architecture.Small, 32)])
        {
            Run(step, step.Batch >= 1000 ? Math.Max(1, rounds / 10) : rounds, output);
        }
    }

    private static void Run(StepCase step, int rounds, TextWriter output)
    {
        Architecture architecture = step.Network;
        using var context = new KernelContext(1, BenchContext.Path);
        (Matrix<float> inputs, Matrix<float> targets) = StepData.Create<float>(architecture, step.Batch, context);
        NaturalGradientOptions[] options =
        [
            new(),
            new() { DampingForm = DampingForm.Factored },
            new() { Momentum = 0.9 },
            new()
            {
                DampingForm = DampingForm.Factored, Momentum = 0.9, Schedule = LearningRateSchedule.Cosine(1_000_000, 0.1), WeightDecay = 1e-4,
            },
        ];
        NaturalGradientOptimizer<float>[] optimizers = [.. options.Select(o => new NaturalGradientOptimizer<float>(
            new Network<float>(architecture.Options(seed: 1), context), o with { InitialDamping = architecture.InitialDamping }))];
        var seconds = new double[optimizers.Length, rounds];
        for (int round = -10; round < rounds; round++)
        {
            for (int c = 0; c < optimizers.Length; c++)
            {
                optimizers[c].Damping = architecture.InitialDamping;
                long start = Stopwatch.GetTimestamp();
                optimizers[c].Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
                if (round >= 0)
                {
                    seconds[c, round] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                }
            }
        }

        double baseline = Median(seconds, 0, rounds);
        for (int c = 0; c < optimizers.Length; c++)
        {
            double median = Median(seconds, c, rounds);
            output.WriteLine(System.FormattableString.Invariant($"| {step} | {Names[c]} | {median * 1e6:F1} | {median / baseline:F2} |"));
        }
    }

    private static double Median(double[,] seconds, int row, int count)
    {
        double[] values = [.. Enumerable.Range(0, count).Select(i => seconds[row, i])];
        Array.Sort(values);
        return count % 2 == 1 ? values[count / 2] : 0.5 * (values[(count / 2) - 1] + values[count / 2]);
    }
}
