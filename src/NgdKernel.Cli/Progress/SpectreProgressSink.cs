using Spectre.Console;

namespace NgdKernel.Cli.Progress;

/// <summary>Live progress bars (Spectre.Console) on an interactive terminal.</summary>
internal sealed class SpectreProgressSink(ProgressContext context) : IProgressSink
{
    public IRunProgress StartRun(string label, long examplesBudget, double secondsBudget)
    {
        ProgressTask task = context.AddTask(Markup.Escape(label), maxValue: 1.0);
        return new TaskProgress(task, label, examplesBudget, secondsBudget);
    }

    public void Message(string line) => AnsiConsole.MarkupLine(Markup.Escape(line));

    /// <summary>Runs <paramref name="body"/> inside a live progress display.</summary>
    public static void Run(Action<IProgressSink> body)
    {
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .Start(ctx => body(new SpectreProgressSink(ctx)));
    }

    private sealed class TaskProgress(ProgressTask task, string label, long examplesBudget, double secondsBudget) : IRunProgress
    {
        public void Update(long examples, double seconds, double testLoss, double? lambda)
        {
            double fraction = Math.Min(1, Math.Max(examples / (double)examplesBudget, seconds / secondsBudget));
            string damping = lambda is double l ? string.Create(CultureInfo.InvariantCulture, $" lambda {l:G2}") : string.Empty;
            task.Description = Markup.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $"{label,-12} {examples,7} ex loss {testLoss,-9:G3}{damping}"));
            task.Value = fraction;
        }

        public void Complete(string summary)
        {
            task.Description = Markup.Escape($"{label,-12} {summary}");
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
