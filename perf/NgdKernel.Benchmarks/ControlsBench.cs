using System.Diagnostics;
using BenchmarkDotNet.Configs;

namespace NgdKernel.Benchmarks;

/// <summary>
/// What the training controls cost in a damped NGD step (Cholesky inverses): the paper's damping is
/// the baseline, against factored (pi) damping (two sums of squares per layer), momentum 0.9 (the
/// Eq. 21 prediction measures the previous velocity with four products per layer), and everything at
/// once (factored damping, momentum, a cosine schedule, weight decay). Steps repeat on one fixed
/// batch with the damping pinned to the architecture's lambda_0 before each step: left to Eq. 21 on
/// a batch it keeps fitting, lambda falls until the rank-deficient covariances of the small network
/// no longer factor and steps retry, and each variant would be timed in another regime. The first
/// step, which sizes the buffers, runs in setup, so Allocated shows the steady state.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class ControlsBench<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private KernelContext? context;
    private NaturalGradientOptimizer<T>? optimizer;
    private Matrix<T>? inputs;
    private Matrix<T>? targets;

    /// <summary>Architecture, batch and threads.</summary>
    [ParamsSource(nameof(Cases))]
    public StepCase Case { get; set; } = null!;

    /// <summary>fig1a at the paper's M = 1000 and the 32-wide latency network at M = 32.</summary>
    public static IEnumerable<StepCase> Cases() => [new(Architecture.Paper[0], 1000), new(Architecture.Small, 32)];

    /// <summary>The paper's damping form.</summary>
    [GlobalSetup(Target = nameof(Paper))]
    public void SetupPaper() => Setup(new NaturalGradientOptions());

    /// <summary>Factored damping.</summary>
    [GlobalSetup(Target = nameof(Factored))]
    public void SetupFactored() => Setup(new NaturalGradientOptions { DampingForm = DampingForm.Factored });

    /// <summary>Momentum 0.9.</summary>
    [GlobalSetup(Target = nameof(Momentum))]
    public void SetupMomentum() => Setup(new NaturalGradientOptions { Momentum = 0.9 });

    /// <summary>Every control on.</summary>
    [GlobalSetup(Target = nameof(AllControls))]
    public void SetupAllControls() => Setup(new NaturalGradientOptions
    {
        DampingForm = DampingForm.Factored,
        Momentum = 0.9,
        Schedule = LearningRateSchedule.Cosine(1_000_000, 0.1),
        WeightDecay = 1e-4,
    });

    /// <summary>One step, paper damping.</summary>
    [Benchmark(Baseline = true)]
    public StepResult Paper() => Step();

    /// <summary>One step, factored damping.</summary>
    [Benchmark]
    public StepResult Factored() => Step();

    /// <summary>One step with momentum.</summary>
    [Benchmark]
    public StepResult Momentum() => Step();

    /// <summary>One step with every control.</summary>
    [Benchmark]
    public StepResult AllControls() => Step();

    /// <summary>Frees the kernel context.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        context?.Dispose();
        context = null;
        GC.SuppressFinalize(this);
    }

    private StepResult Step()
    {
        optimizer!.Damping = Case.Network.InitialDamping;
        return optimizer.Step(inputs!.ReadOnlySpan, targets!.ReadOnlySpan);
    }

    private void Setup(NaturalGradientOptions options)
    {
        Architecture architecture = Case.Network;
        context = BenchContext.Create(Case.Threads);
        (inputs, targets) = StepData.Create<T>(architecture, Case.Batch, context);
        optimizer = new NaturalGradientOptimizer<T>(new Network<T>(architecture.Options(seed: 1), context),
            options with { InitialDamping = architecture.InitialDamping });
        optimizer.Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
    }
}

/// <summary>
/// The cases of <see cref="ControlsBench{T}"/> stepping in turn (paper, factored, momentum, all
/// controls, paper, ...), each on its own network, with per-step times and their medians:
/// BenchmarkDotNet runs one variant after another, each in its own process, and on a shared
/// machine whose load changes by the minute their ratios compare different phases
/// (<c>NgdKernel.Benchmarks controls [rounds]</c>).
/// </summary>
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
        foreach (StepCase step in ControlsBench<float>.Cases())
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
