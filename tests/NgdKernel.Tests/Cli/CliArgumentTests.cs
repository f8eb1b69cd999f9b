using NgdKernel.Cli;

namespace NgdKernel.Tests.Cli;

public sealed class CliArgumentTests : IDisposable
{
    /// <summary>Stands for the test's temporary folder in <see cref="BadArguments"/>.</summary>
    private const string Folder = "@folder@";

    private readonly string folder = Directory.CreateTempSubdirectory("ngd-cli-args-").FullName;

    public CliArgumentTests()
    {
        // Resume files for the table below: garbage, a checkpoint of another architecture, one of
        // fig1a's architecture in float (the experiments default to double), a regular file.
        File.WriteAllBytes(Path.Combine(folder, "corrupt.ckpt"), [.. Enumerable.Range(0, 100).Select(i => (byte)(i * 37))]);
        var small = new Network<double>(new NetworkOptions { Widths = [3, 4, 2], Seed = 1 });
        Checkpoint.Save(Path.Combine(folder, "arch.ckpt"), new SgdOptimizer<double>(small, new SgdOptions { LearningRate = 0.1 }));
        var single = new Network<float>(new NetworkOptions { Widths = [.. Enumerable.Repeat(20, 17)], HiddenActivation = Activation.Tanh, Seed = 1 });
        Checkpoint.Save(Path.Combine(folder, "float.ckpt"), new SgdOptimizer<float>(single, new SgdOptions { LearningRate = 0.1 }));
        File.WriteAllText(Path.Combine(folder, "a-file"), "x");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    internal static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CliApp.Run(args, output, error, interactive: false);
        return (code, output.ToString(), error.ToString());
    }

    public static TheoryData<string, string[], string> BadArguments() => new()
    {
        { "unknown command", ["fig9"], "'fig9'" },
        { "unknown option", ["fig1a", "--bogus", "1"], "'--bogus'" },
        { "not a number", ["fig1a", "--examples", "abc"], "'abc'" },
        { "zero examples", ["fig1a", "--examples", "0"], "--examples" },
        { "negative seconds", ["fig1b", "--seconds", "-1"], "--seconds" },
        { "fractional threads", ["--threads", "1.5"], "'1.5'" },
        { "zero threads", ["fig1c", "--threads", "0"], "--threads" },
        { "bad precision", ["fig1a", "--precision", "half"], "'half'" },
        { "bad learning-rate list", ["fig1a", "--sgd-lr", "0.1,x"], "--sgd-lr" },
        { "negative learning rate", ["fig1a", "--ngd-lr", "-1"], "--ngd-lr" },
        { "unknown optimizer", ["fig1a", "--optimizers", "adam"], "--optimizers" },
        { "bad inverse", ["fig1a", "--inverse", "lu"], "'lu'" },
        { "zero k", ["fig1a", "--k", "0"], "--k" },
        { "batch above training set", ["fig1a", "--batch", "20000"], "--batch 20000" },
        { "negative seed", ["fig1a", "--seed", "-3"], "'-3'" },
        { "zero checkpoint interval", ["fig1a", "--checkpoint", Folder + "/c.ckpt", "--checkpoint-every", "0"], "--checkpoint-every" },
        { "checkpoint interval without file", ["fig1b", "--checkpoint-every", "100"], "--checkpoint-every" },
        { "unwritable checkpoint folder", ["fig1a", "--checkpoint", Folder + "/a-file/c.ckpt"], "not writable" },
        { "checkpoint is a folder", ["fig1a", "--checkpoint", Folder], "is a folder" },
        { "missing resume file", ["fig1a", "--resume", Folder + "/missing.ckpt"], "missing.ckpt' does not exist" },
        { "corrupt resume file", ["fig1a", "--resume", Folder + "/corrupt.ckpt"], "corrupt.ckpt: at byte offset " },
        { "resume of another architecture", ["fig1a", "--resume", Folder + "/arch.ckpt"], "arch.ckpt: at byte offset " },
        { "resume of another precision", ["fig1a", "--resume", Folder + "/float.ckpt"], "float.ckpt: at byte offset " },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Cli_BadArgument_OneLineExitCode2(string name, string[] args, string mentions)
    {
        (int code, string output, string error) = Run([.. args.Select(a => a.Replace(Folder, folder, StringComparison.Ordinal)), "--out", folder]);
        Assert.True(code == 2, $"{name}: exit code {code}, stderr: {error}");
        Assert.Equal(string.Empty, output);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("ngd: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(mentions, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_MissingMnistFolder_SaysHowToFetch()
    {
        (int code, string output, string error) = Run("mnist", "--data", Path.Combine(folder, "missing"), "--out", folder);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("scripts/get-mnist.sh", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_UnwritableOutputFolder_ExitCode2()
    {
        // A path below a regular file cannot be created, whoever runs the test (root included).
        string file = Path.Combine(folder, "a-file");
        File.WriteAllText(file, "x");
        (int code, string output, string error) = Run("fig1a", "--examples", "1000", "--out", Path.Combine(file, "out"));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("not writable", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("fig1a --help")]
    [InlineData("fig1b --help")]
    [InlineData("fig1c --help")]
    [InlineData("mnist --help")]
    public void Cli_Help_DocumentsEveryOptionWithDefault(string commandLine)
    {
        (int code, string output, string error) = Run(commandLine.Split(' '));
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        string[] options =
        [
            "--optimizers", "--examples", "--seconds", "--seed", "--precision", "--threads", "--out", "--sgd-lr",
            "--ngd-lr", "--batch", "--k", "--inverse", "--data", "--checkpoint-every",
        ];
        foreach (string option in options)
        {
            string? line = output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"'{option}' missing from help:\n{output}");
            Assert.Contains("[default: ", line, StringComparison.Ordinal);
        }

        // No default file: documented in the description instead.
        Assert.Contains("--checkpoint <FILE>", output, StringComparison.Ordinal);
        Assert.Contains("--resume <FILE>", output, StringComparison.Ordinal);
    }
}
