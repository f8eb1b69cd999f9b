using NgdKernel.Cli.Experiments;
using NgdKernel.Cli.Progress;
using NgdKernel.Data;
using NgdKernel.Experiments;

namespace NgdKernel.Tests.Cli;

/// <summary>
/// The experiment runner prints one line per recovered step, naming the run: the library's own
/// trainers, with a step guard around an optimizer that reports retries on chosen steps.
/// </summary>
public sealed class CliRecoveryTests
{
    [Fact]
    public void Runner_RecoveredSteps_PrintOneLineEach()
    {
        using var folder = new TempFolder();
        ExperimentSettings settings = Settings(folder.Path);
        using var output = new StringWriter();
        var source = new RetryingSource(retriesAtStep: new Dictionary<long, int> { [2] = 3, [5] = 1 });
        ExperimentResult result = ExperimentRunner.Run(settings, new PlainProgressSink(output), CancellationToken.None, source);

        Assert.Null(result.Failure);
        string[] recoveries = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains("recovered", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, recoveries.Length);
        Assert.StartsWith("ngd: step 2: recovered after 3 retries; damping lambda raised to ", recoveries[0], StringComparison.Ordinal);
        Assert.StartsWith("ngd: step 5: recovered after 1 retries; damping lambda raised to ", recoveries[1], StringComparison.Ordinal);
        Assert.Equal(2, source.RecoveredSteps.Single()());
    }

    private static ExperimentSettings Settings(string folder) => CliSettings.Parse(
        "fig1a",
        "--optimizers", "ngd",
        "--examples", "1500",
        "--seconds", "60",
        "--batch", "250",
        "--damping", "1",
        "--eval-every", "500",
        "--out", folder,
        "--data", folder);

    private sealed class RetryingSource(Dictionary<long, int> retriesAtStep) : ITrainerSource
    {
        public List<Func<long>> RecoveredSteps { get; } = [];

        public ITrainer<T> Create<T>(ExperimentSettings settings, string optimizer, double learningRate, int batch)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            var trainer = new RetryingTrainer<T>(TrainerFactory.Create<T>(settings, optimizer, learningRate, batch), retriesAtStep);
            RecoveredSteps.Add(() => trainer.Guard.RecoveredSteps);
            return trainer;
        }
    }

    /// <summary>The library's trainer, stepped through a guard over an optimizer that claims retries.</summary>
    private sealed class RetryingTrainer<T> : ITrainer<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly ITrainer<T> inner;

        public RetryingTrainer(ITrainer<T> inner, Dictionary<long, int> retriesAtStep)
        {
            this.inner = inner;
            Guard = new GuardedOptimizer<T>(new ClaimsRetries<T>(inner.Optimizer, retriesAtStep));
        }

        public event EventHandler<StepRecoveredEventArgs>? Recovered
        {
            add => Guard.Recovered += value;
            remove => Guard.Recovered -= value;
        }

        public GuardedOptimizer<T> Guard { get; }

        public int BatchSize => inner.BatchSize;

        public double? Damping => inner.Damping;

        public IOptimizer<T> Optimizer => inner.Optimizer;

        public void Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets) => Guard.Step(inputs, targets);

        public Losses Evaluate(DataSet<T> data) => inner.Evaluate(data);

        public void Dispose() => inner.Dispose();
    }

    private sealed class ClaimsRetries<T>(IOptimizer<T> inner, Dictionary<long, int> retriesAtStep) : IOptimizer<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public Network<T> Network => inner.Network;

        public long StepCount => inner.StepCount;

        public StepResult Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
        {
            StepResult result = inner.Step(inputs, targets);
            return result with { Retries = retriesAtStep.GetValueOrDefault(result.Step) };
        }

        public void Rollback() => inner.Rollback();
    }
}
