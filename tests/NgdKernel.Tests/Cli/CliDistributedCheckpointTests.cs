namespace NgdKernel.Tests.Cli;

/// <summary>
/// --checkpoint / --resume with --workers 2 (two silos in this process over loopback TCP): a run
/// interrupted and resumed gives the same CSV losses, bit for bit, as an uninterrupted data-parallel
/// run, and a resume with another P is refused naming both.
/// </summary>
public sealed class CliDistributedCheckpointTests : IDisposable
{
    private static readonly string[] TinyFig1a =
    [
        "fig1a", "--examples", "1000", "--eval-every", "250", "--batch", "250", "--sgd-lr", "0.04",
        "--sgd-batch", "100", "--seconds", "120", "--threads", "1", "--workers", "2",
    ];

    private readonly string folder = Directory.CreateTempSubdirectory("ngd-cli-dp-ckpt-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("ngd", 500)]
    [InlineData("sgd lr=0.04", 500)]
    public void CliDistributed_InterruptedAndResumed_SameLossesAsStraightRun(string interruptLabel, long interruptAt)
    {
        string straight = Path.Combine(folder, "straight");
        (int code, string output, string error) = CliCheckpointTests.Run([.. TinyFig1a, "--out", straight], CancellationToken.None, null);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");

        string resumed = Path.Combine(folder, "resumed");
        string checkpoint = Path.Combine(folder, "ckpt", "fig1a.ckpt");
        using var interrupt = new CancellationTokenSource();
        var sink = new CliCheckpointTests.InterruptingSink(interruptLabel, interruptAt, interrupt);
        (code, output, error) = CliCheckpointTests.Run(
            [.. TinyFig1a, "--out", resumed, "--checkpoint", checkpoint, "--checkpoint-every", "500"], interrupt.Token, sink);
        Assert.True(code == 130, $"exit {code}: {error}\n{output}");
        Assert.True(sink.Fired, "the run was not interrupted");
        Assert.True(File.Exists(checkpoint));
        string[] partial = File.ReadAllLines(Path.Combine(resumed, "fig1a.csv"));
        Assert.True(partial.Length < File.ReadAllLines(Path.Combine(straight, "fig1a.csv")).Length);

        // Another P is refused before any step, naming both values; the checkpoint is untouched.
        string other = Path.Combine(folder, "other");
        (code, _, error) = CliCheckpointTests.Run(
            [.. TinyFig1a[..^2], "--workers", "1", "--out", other, "--resume", checkpoint], CancellationToken.None, null);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.Contains("--workers 2", error, StringComparison.Ordinal);
        Assert.Contains("--workers 1", error, StringComparison.Ordinal);

        // Without --workers the data-parallel checkpoint is refused by name too.
        (code, _, error) = CliCheckpointTests.Run(
            [.. TinyFig1a[..^2], "--out", other, "--resume", checkpoint], CancellationToken.None, null);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.Contains("data-parallel", error, StringComparison.Ordinal);

        (code, output, error) = CliCheckpointTests.Run([.. TinyFig1a, "--out", resumed, "--resume", checkpoint], CancellationToken.None, null);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("resuming from ", output, StringComparison.Ordinal);
        Assert.Equal(
            CliCheckpointTests.WithoutSeconds(Path.Combine(straight, "fig1a.csv")),
            CliCheckpointTests.WithoutSeconds(Path.Combine(resumed, "fig1a.csv")));
    }
}
