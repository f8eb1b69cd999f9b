using System.Globalization;
using System.Text.Json;
using NgdKernel.Cli;
using NgdKernel.Cli.Progress;

namespace NgdKernel.Tests.Cli;

/// <summary>
/// No lost results: a diverging grid member is an outcome, not an error; an output folder or checkpoint
/// that becomes unwritable mid-run loses nothing that was computed.
/// </summary>
public sealed class CliNoLostResultsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("ngd-cli-lost-").FullName;

    private static readonly string[] Tiny =
    [
        "fig1a", "--examples", "2000", "--eval-every", "500", "--batch", "250", "--sgd-batch", "50",
        "--seconds", "60", "--threads", "1",
    ];

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A rate that overflows the loss within a few steps is recorded as diverged with its example count; the run exits 0.</summary>
    [Fact]
    public void Cli_DivergingGridMember_RecordedAsDivergedAndExitsZero()
    {
        (int code, string output, string error) = Run([.. Tiny, "--sgd-lr", "0.01,1000", "--out", folder], null);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Equal(string.Empty, error);
        Assert.Contains("sgd lr=1E+03 (M=50): diverged at ", output, StringComparison.Ordinal);

        string[][] rows = [.. File.ReadAllLines(Path.Combine(folder, "fig1a.csv")).Skip(1).Select(l => l.Split(','))];
        string[] diverged = Assert.Single(rows, r => r[7] == "diverged");
        Assert.Equal("sgd", diverged[0]);
        Assert.Equal(1000, double.Parse(diverged[1], CultureInfo.InvariantCulture));
        long at = long.Parse(diverged[2], CultureInfo.InvariantCulture);
        Assert.InRange(at, 0, 1999);
        Assert.Equal(2000, rows.Where(r => r[0] == "sgd" && r[1] == "0.01").Max(r => long.Parse(r[2], CultureInfo.InvariantCulture)));
        Assert.Contains(rows, r => r[0] == "ngd");

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "fig1a.json")));
        JsonElement[] runs = [.. json.RootElement.GetProperty("runs").EnumerateArray()];
        Assert.Equal(["examples", "examples", "diverged"], runs.Select(r => r.GetProperty("status").GetString()));
        Assert.Equal(at, runs[2].GetProperty("examplesSeen").GetInt64());
        JsonElement[] best = [.. json.RootElement.GetProperty("optimizers").EnumerateArray()];
        Assert.Equal(0.01, best[1].GetProperty("learningRate").GetDouble());
    }

    /// <summary>
    /// The output folder is replaced by a regular file mid-run (so even root cannot write under it): the
    /// results go to a temporary folder, the CLI says where, and exits 1 only after writing them.
    /// </summary>
    [Fact]
    public void Cli_OutputFolderUnwritableMidRun_WritesToFallbackAndExitsNonZero()
    {
        string output = Path.Combine(folder, "out");
        Directory.CreateDirectory(output);
        var sink = new ActionSink("sgd lr=0.01", 500, () =>
        {
            Directory.Delete(output, recursive: true);
            File.WriteAllText(output, "not a folder");
        });
        (int code, string stdout, string error) = Run([.. Tiny, "--sgd-lr", "0.01", "--out", output], sink);
        Assert.True(sink.Fired);
        Assert.Equal(1, code);
        string[] moved = [.. error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("ngd: could not write", StringComparison.Ordinal))];
        Assert.Equal(3, moved.Length);
        string[] paths = [.. moved.Select(l => l[(l.LastIndexOf("; wrote ", StringComparison.Ordinal) + 8)..^" instead.".Length])];
        try
        {
            Assert.Equal(["fig1a.csv", "fig1a.json", "fig1a.png"], paths.Select(Path.GetFileName));
            Assert.All(paths, p => Assert.True(new FileInfo(p).Length > 0, p));
            string[] csv = File.ReadAllLines(paths[0]);
            Assert.Equal(2000, csv.Skip(1).Where(l => l.StartsWith("sgd,", StringComparison.Ordinal))
                .Max(l => long.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)));
            Assert.Contains("wrote " + paths[0], stdout, StringComparison.Ordinal);
            Assert.Contains("final test loss", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(paths[0])!, recursive: true);
        }
    }

    /// <summary>
    /// A checkpoint that cannot be written stops the experiment loudly: the previous checkpoint is intact
    /// and loads, the results so far are written, the exit code is 1.
    /// </summary>
    [Fact]
    public void Cli_CheckpointUnwritableMidRun_KeepsPreviousCheckpointAndResults()
    {
        string checkpoint = Path.Combine(folder, "run.ngdc");
        var sink = new ActionSink("ngd", 1000, () => Directory.CreateDirectory(checkpoint + ".tmp"));
        (int code, string stdout, string error) = Run(
            [.. Tiny, "--sgd-lr", "0.01", "--out", folder, "--checkpoint", checkpoint, "--checkpoint-every", "500"], sink);
        Assert.True(sink.Fired);
        Assert.True(code == 1, $"exit {code}: {error}\n{stdout}");
        Assert.Contains($"checkpoint '{checkpoint}' could not be written", error, StringComparison.Ordinal);
        Assert.Contains("Results so far in " + Path.Combine(folder, "fig1a.csv"), error, StringComparison.Ordinal);
        CheckpointInfo info = Checkpoint.ReadInfo(checkpoint);
        Assert.Equal(CheckpointOptimizerKind.NaturalGradient, info.Optimizer);
        Assert.Equal(2, info.StepCount); // the checkpoint of 500 examples (two steps of 250), written before the folder broke
        Assert.True(File.ReadAllLines(Path.Combine(folder, "fig1a.csv")).Length >= 4);
    }

    private static (int Code, string Output, string Error) Run(string[] args, IProgressSink? progress)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CliApp.Run(args, output, error, interactive: false, CancellationToken.None, progress);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs <paramref name="action"/> once, when run <paramref name="label"/> is evaluated at <paramref name="examples"/>.</summary>
    private sealed class ActionSink(string label, long examples, Action action) : IProgressSink
    {
        public bool Fired { get; private set; }

        public IRunProgress StartRun(string runLabel, long examplesBudget, double secondsBudget) =>
            new RunProgress(runLabel == label ? Seen : null);

        public void Message(string line)
        {
        }

        private void Seen(long seen)
        {
            if (seen >= examples && !Fired)
            {
                Fired = true;
                action();
            }
        }

        private sealed class RunProgress(Action<long>? seen) : IRunProgress
        {
            public void Update(long examples, double seconds, double testLoss, double? lambda) => seen?.Invoke(examples);

            public void Complete(string summary)
            {
            }
        }
    }
}
