namespace NgdKernel.Cli.Progress;

/// <summary>Plain lines for redirected output and logs: one per ~10% of a run, and one at its end.</summary>
internal sealed class PlainProgressSink(TextWriter output) : IProgressSink
{
    public IRunProgress StartRun(string label, long examplesBudget, double secondsBudget)
    {
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"{label}: start, budget {examplesBudget} examples or {secondsBudget:G4} s"));
        return new Run(output, label, examplesBudget, secondsBudget);
    }

    public void Message(string line) => output.WriteLine(line);

    private sealed class Run(TextWriter output, string label, long examplesBudget, double secondsBudget) : IRunProgress
    {
        private int lastDecile = -1;

        public void Update(long examples, double seconds, double testLoss, double? lambda)
        {
            double fraction = Math.Max(examples / (double)examplesBudget, seconds / secondsBudget);
            int decile = (int)Math.Floor(Math.Min(fraction, 1) * 10);
            if (decile <= lastDecile)
            {
                return;
            }

            lastDecile = decile;
            string damping = lambda is double l ? string.Create(CultureInfo.InvariantCulture, $" lambda {l:G3}") : string.Empty;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{label}: {examples} examples, {seconds:F1} s, test loss {testLoss:G4}{damping}"));
        }

        public void Complete(string summary) => output.WriteLine($"{label}: {summary}");
    }
}
