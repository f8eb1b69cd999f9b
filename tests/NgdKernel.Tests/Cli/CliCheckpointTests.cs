using System.Globalization;
using NgdKernel.Cli;
using NgdKernel.Cli.Progress;

namespace NgdKernel.Tests.Cli;

/// <summary>
/// --checkpoint / --resume and Ctrl+C of the experiments, in-process: an interrupted and resumed run
/// gives the same CSV losses, bit for bit, as an uninterrupted one.
/// </summary>
public sealed class CliCheckpointTests : IDisposable
{
    private static readonly string[] TinyFig1a =
    [
        "fig1a", "--examples", "2000", "--eval-every", "500", "--batch", "250", "--sgd-lr", "0.01,0.04",
        "--sgd-batch", "50", "--seconds", "60", "--threads", "1",
    ];

    private readonly string folder = Directory.CreateTempSubdirectory("ngd-cli-ckpt-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>The same, data-parallel: two silos in this process over loopback TCP.</summary>
    private static readonly string[] TinyFig1aTwoWorkers =
    [
        "fig1a", "--examples", "1000", "--eval-every", "250", "--batch", "250", "--sgd-lr", "0.04",
        "--sgd-batch", "100", "--seconds", "120", "--threads", "1", "--workers", "2",
    ];

    [Theory]
    [InlineData("ngd", 1000)]
    [InlineData("sgd lr=0.04", 500)]
    public void Cli_InterruptedAndResumed_SameLossesAsStraightRun(string interruptLabel, long interruptAt)
    {
        (string straight, string resumed, string checkpoint) = StraightAndInterrupted(TinyFig1a, interruptLabel, interruptAt, every: 750);

        (int code, string output, string error) = Run([.. TinyFig1a, "--out", resumed, "--resume", checkpoint], CancellationToken.None, null);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Equal(WithoutSeconds(Path.Combine(straight, "fig1a.csv")), WithoutSeconds(Path.Combine(resumed, "fig1a.csv")));
    }

    [Theory]
    [InlineData("ngd", 500)]
    [InlineData("sgd lr=0.04", 500)]
    public void CliDistributed_InterruptedAndResumed_SameLossesAsStraightRun(string interruptLabel, long interruptAt)
    {
        (string straight, string resumed, string checkpoint) = StraightAndInterrupted(TinyFig1aTwoWorkers, interruptLabel, interruptAt, every: 500);

        // Another P is refused before any step, naming both values; the checkpoint is untouched.
        string other = Path.Combine(folder, "other");
        (int code, string output, string error) = Run(
            [.. TinyFig1aTwoWorkers[..^2], "--workers", "1", "--out", other, "--resume", checkpoint], CancellationToken.None, null);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.Contains("--workers 2", error, StringComparison.Ordinal);
        Assert.Contains("--workers 1", error, StringComparison.Ordinal);

        // Without --workers the data-parallel checkpoint is refused by name too.
        (code, _, error) = Run([.. TinyFig1aTwoWorkers[..^2], "--out", other, "--resume", checkpoint], CancellationToken.None, null);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.Contains("data-parallel", error, StringComparison.Ordinal);

        (code, output, error) = Run([.. TinyFig1aTwoWorkers, "--out", resumed, "--resume", checkpoint], CancellationToken.None, null);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("resuming from ", output, StringComparison.Ordinal);
        Assert.Equal(WithoutSeconds(Path.Combine(straight, "fig1a.csv")), WithoutSeconds(Path.Combine(resumed, "fig1a.csv")));
    }

    [Fact]
    public void CliDistributed_SgdWithMomentum_SameLossesAsOneProcess()
    {
        // sgdm keeps its momentum on the data-parallel path: the owners apply the same heavy-ball
        // update, so the two runs differ only by the order in which the ranks' sums are added.
        string[] args = ["fig1a", "--optimizers", "sgdm", "--sgdm-lr", "0.01", "--examples", "1000", "--eval-every", "250",
            "--sgd-batch", "100", "--seconds", "120", "--threads", "1"];
        string one = Path.Combine(folder, "one"), two = Path.Combine(folder, "two");
        (int code, string output, string error) = Run([.. args, "--out", one], CancellationToken.None, null);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        (code, output, error) = Run([.. args, "--workers", "2", "--out", two], CancellationToken.None, null);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");

        string[][] expected = [.. File.ReadAllLines(Path.Combine(one, "fig1a.csv")).Skip(1).Select(l => l.Split(','))];
        string[][] actual = [.. File.ReadAllLines(Path.Combine(two, "fig1a.csv")).Skip(1).Select(l => l.Split(','))];
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Length > 2, "too few evaluations to compare");
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.Equal(expected[r][2], actual[r][2]); // examples seen
            foreach (int column in new[] { 4, 5 }) // train and test loss
            {
                double e = double.Parse(expected[r][column], CultureInfo.InvariantCulture);
                double a = double.Parse(actual[r][column], CultureInfo.InvariantCulture);
                // A few steps of double rounding from a different summation order, amplified by at
                // most the few tens of updates of this run: far below what dropping momentum changes.
                Assert.True(Math.Abs(a - e) <= 1e-9 * Math.Abs(e), $"row {r} column {column}: {a:R} against {e:R}");
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="args"/> to the end into "straight", then again into "resumed" with a
    /// checkpoint every <paramref name="every"/> examples, interrupted when the run labelled
    /// <paramref name="interruptLabel"/> reaches <paramref name="interruptAt"/> examples.
    /// </summary>
    private (string Straight, string Resumed, string Checkpoint) StraightAndInterrupted(
        string[] args, string interruptLabel, long interruptAt, int every)
    {
        string straight = Path.Combine(folder, "straight");
        (int code, string output, string error) = Run([.. args, "--out", straight], CancellationToken.None, null);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");

        string resumed = Path.Combine(folder, "resumed");
        string checkpoint = Path.Combine(folder, "ckpt", "fig1a.ckpt");
        using var interrupt = new CancellationTokenSource();
        var sink = new InterruptingSink(interruptLabel, interruptAt, interrupt);
        (code, output, error) = Run(
            [.. args, "--out", resumed, "--checkpoint", checkpoint, "--checkpoint-every", every.ToString(CultureInfo.InvariantCulture)],
            interrupt.Token, sink);
        Assert.True(code == 130, $"exit {code}: {error}\n{output}");
        Assert.True(sink.Fired, "the run was not interrupted");
        Assert.Contains("interrupted: ", output, StringComparison.Ordinal);
        Assert.True(File.Exists(checkpoint));
        Assert.True(File.ReadAllLines(Path.Combine(resumed, "fig1a.csv")).Length < File.ReadAllLines(Path.Combine(straight, "fig1a.csv")).Length);
        return (straight, resumed, checkpoint);
    }

    [Fact]
    public void Cli_Cancelled_ExitCode130_PartialFilesAndCheckpointWritten()
    {
        string checkpoint = Path.Combine(folder, "c.ckpt");
        using var interrupt = new CancellationTokenSource();
        interrupt.Cancel();
        (int code, string output, string error) = Run(
            [.. TinyFig1a, "--out", folder, "--checkpoint", checkpoint], interrupt.Token, null);
        Assert.True(code == 130, $"exit {code}: {error}\n{output}");
        Assert.Equal(string.Empty, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines, l => l.StartsWith("interrupted: ", StringComparison.Ordinal));
        Assert.Contains(checkpoint, line, StringComparison.Ordinal);
        Assert.Contains("fig1a.csv", line, StringComparison.Ordinal);
        foreach (string ext in new[] { "csv", "json", "png" })
        {
            Assert.True(File.Exists(Path.Combine(folder, "fig1a." + ext)), ext);
        }

        // The initial evaluation is in the CSV and the checkpoint resumes from it.
        Assert.Equal(2, File.ReadAllLines(Path.Combine(folder, "fig1a.csv")).Length);
        Assert.True(File.Exists(checkpoint));
        Assert.Equal(0, NgdKernel.Checkpoints.Checkpoint.ReadInfo(checkpoint).StepCount);
    }

    [Fact]
    public void Cli_GuardGivesUp_RecordedAsDiverged_ExitCode0_GoodPartWritten()
    {
        // A learning rate of 1e300 overflows the outputs on the second step: SGD has no damping to
        // raise, so the guard rolls the step back and stops the run, which is recorded as diverged.
        (int code, string output, string error) = Run(
            ["fig1a", "--optimizers", "sgd", "--sgd-lr", "1e300", "--examples", "2000", "--eval-every", "500", "--out", folder],
            CancellationToken.None,
            null);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Equal(string.Empty, error);
        string line = Assert.Single(output.Split('\n'), l => l.StartsWith("sgd lr=1E+300 stopped at ", StringComparison.Ordinal));
        Assert.Contains("not finite", line, StringComparison.Ordinal);
        Assert.Contains("sgd lr=1E+300 (M=20): diverged at ", output, StringComparison.Ordinal);
        string[] csv = File.ReadAllLines(Path.Combine(folder, "fig1a.csv"));
        Assert.Equal(3, csv.Length);
        Assert.EndsWith(",,,,diverged", csv[^1], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "fig1a.json")));
        Assert.True(File.Exists(Path.Combine(folder, "fig1a.png")));
    }

    private static (int Code, string Output, string Error) Run(string[] args, CancellationToken cancellation, IProgressSink? progress)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CliApp.Run(args, output, error, interactive: false, cancellation, progress);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>CSV rows without the seconds column (wall clock differs from run to run).</summary>
    private static string[] WithoutSeconds(string csv) =>
        [.. File.ReadAllLines(csv).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 3)))];

    /// <summary>Cancels when the run <paramref name="label"/> has been evaluated at <paramref name="examples"/> examples.</summary>
    private sealed class InterruptingSink(string label, long examples, CancellationTokenSource source) : IProgressSink
    {
        public bool Fired { get; private set; }

        private void Seen(string runLabel, long seen)
        {
            if (runLabel == label && seen >= examples && !Fired)
            {
                Fired = true;
                source.Cancel();
            }
        }

        public IRunProgress StartRun(string runLabel, long examplesBudget, double secondsBudget) => new Run(this, runLabel);

        public void Message(string line)
        {
        }

        private sealed class Run(InterruptingSink sink, string runLabel) : IRunProgress
        {
            public void Update(long seen, double seconds, double testLoss, double? lambda)
            {
                sink.Seen(runLabel, seen);
            }

            public void Complete(string summary)
            {
            }
        }
    }
}
