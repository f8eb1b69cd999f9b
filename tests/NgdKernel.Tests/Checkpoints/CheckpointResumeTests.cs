using NgdKernel.CheckpointWriter;

namespace NgdKernel.Tests.Checkpoints;

/// <summary>
/// Resume is exact: N steps, save, load into a fresh network and optimizer, M more steps gives the
/// same bytes (weights and full optimizer state) as N + M uninterrupted steps.
/// </summary>
public sealed class CheckpointResumeTests
{
    private const int FirstSteps = 7;
    private const int MoreSteps = 6;

    public static TheoryData<string> AllScenarios => new(Scenarios.Names.Where(n => n != "kill-loop"));

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public void Checkpoint_ResumeInProcess_IsBitIdentical(string scenario)
    {
        if (Scenarios.IsFloat(scenario))
        {
            ResumeInProcess<float>(scenario);
        }
        else
        {
            ResumeInProcess<double>(scenario);
        }
    }

    [Theory]
    [InlineData("sgd-momentum")]
    [InlineData("ngd-cholesky")]
    [InlineData("ngd-sherman-morrison")]
    [InlineData("ngd-amortized")]
    [InlineData("ngd-controls")]
    public void Checkpoint_ResumeInFreshProcess_IsBitIdentical(string scenario)
    {
        using var folder = new TempFolder();
        (Scenario<double> run, string middle) = TrainAndSave<double>(folder, scenario, FirstSteps, "middle.ckpt");
        run.Train(MoreSteps);
        string uninterrupted = folder.File("uninterrupted.ckpt");
        Checkpoint.Save(uninterrupted, run.Optimizer);

        string resumed = folder.File("resumed.ckpt");
        (int exitCode, string output, string error) = ChildProcess.Run(TimeSpan.FromSeconds(60),
            "resume", scenario, middle, resumed, MoreSteps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(exitCode == 0, $"child exit {exitCode}: {output} {error}");
        Assert.Equal(File.ReadAllBytes(uninterrupted), File.ReadAllBytes(resumed));
        Assert.Equal(FirstSteps + MoreSteps, Checkpoint.ReadInfo(resumed).StepCount);
    }

    [Fact]
    public void Checkpoint_LoadNetwork_RebuildsArchitectureAndWeights()
    {
        using var folder = new TempFolder();
        (Scenario<double> run, string path) = TrainAndSave<double>(folder, "ngd-cholesky", 3, "net.ckpt");
        Network<double> loaded = Checkpoint.LoadNetwork<double>(path);
        Assert.Equal(run.Network.Widths.ToArray(), loaded.Widths.ToArray());
        Assert.True(loaded.HasBias);
        Assert.Equal(Activation.Tanh, loaded.ActivationOf(0));
        for (int l = 0; l < loaded.LayerCount; l++)
        {
            Assert.Equal(run.Network.WeightMatrix(l).AsSpan().ToArray(), loaded.WeightMatrix(l).AsSpan().ToArray());
        }

        CheckpointInfo info = Checkpoint.ReadInfo(path);
        Assert.Equal(CheckpointOptimizerKind.NaturalGradient, info.Optimizer);
        Assert.Equal(CheckpointElementType.Float64, info.ElementType);
        Assert.Equal(3, info.StepCount);
        Assert.Equal(new FileInfo(path).Length, info.Length);
    }

    [Fact]
    public void Checkpoint_WeightsOnly_RoundTrips()
    {
        using var folder = new TempFolder();
        var network = new Network<float>(new NetworkOptions
        {
            Widths = [3, 5, 2],
            HiddenActivation = Activation.Logistic,
            OutputCovariance = OutputCovariance.Full(new double[,] { { 2, 0.5 }, { 0.5, 1 } }),
            Seed = 9,
        });
        string path = folder.File("w.ckpt");
        Checkpoint.Save(path, network);
        Network<float> loaded = Checkpoint.LoadNetwork<float>(path);
        Assert.False(loaded.Options.OutputCovariance.IsIsotropic);
        Assert.Equal(network.WeightMatrix(1).AsSpan().ToArray(), loaded.WeightMatrix(1).AsSpan().ToArray());
        CheckpointInfo info = Checkpoint.ReadInfo(path);
        Assert.Equal(CheckpointOptimizerKind.None, info.Optimizer);
        Assert.Contains("Widths = [3, 5, 2], Activations = [Logistic, Identity], Bias = False", info.ToString(), StringComparison.Ordinal);
        Assert.Contains($"FilePath = {path}, FormatVersion = 1, ElementType = Float32", info.ToString(), StringComparison.Ordinal);

        var other = new Network<float>(network.Options with { Seed = 10 });
        Checkpoint.Load(path, other);
        Assert.Equal(network.WeightMatrix(0).AsSpan().ToArray(), other.WeightMatrix(0).AsSpan().ToArray());
    }

    [Fact]
    public void Checkpoint_Save_ReplacesAtomicallyAndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        var run = new Scenario<double>("sgd-momentum");
        string path = folder.File("a.ckpt");
        for (int i = 0; i < 3; i++)
        {
            run.Train(1);
            Checkpoint.Save(path, run.Optimizer);
        }

        Assert.Equal(["a.ckpt"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
        Assert.Equal(3, Checkpoint.ReadInfo(path).StepCount);
    }

    [Fact]
    public void Checkpoint_Save_RefusesPoisonedStateAndKeepsOldFile()
    {
        using var folder = new TempFolder();
        (Scenario<double> run, string path) = TrainAndSave<double>(folder, "sgd-momentum", 2, "a.ckpt");
        byte[] before = File.ReadAllBytes(path);
        run.Network.Weights(1)[2, 3] = double.NaN;
        var e = Assert.Throws<InvalidOperationException>(() => Checkpoint.Save(path, run.Optimizer));
        Assert.Contains("layer 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3]", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Checkpoint_Load_MismatchedTargetsThrowAndChangeNothing()
    {
        using var folder = new TempFolder();
        (Scenario<double> run, string path) = TrainAndSave<double>(folder, "ngd-sherman-morrison", 4, "a.ckpt");

        // Other widths.
        var wrongNet = new Network<double>(new NetworkOptions { Widths = [6, 9, 8, 3], HiddenActivation = Activation.Tanh, Bias = true });
        double[] weightsBefore = wrongNet.WeightMatrix(0).AsSpan().ToArray();
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path, new NaturalGradientOptimizer<double>(wrongNet)));
        Assert.Contains("widths", e.Reason, StringComparison.Ordinal);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(Checkpoint.HeaderLength + 4, e.Offset);
        Assert.Equal(weightsBefore, wrongNet.WeightMatrix(0).AsSpan().ToArray());

        // Other optimizer kind, other inverse mode, other precision: the target's weights stay as they were.
        var fresh = new Scenario<double>("ngd-cholesky");
        weightsBefore = fresh.Network.WeightMatrix(2).AsSpan().ToArray();
        e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path, fresh.Optimizer));
        Assert.Contains("ShermanMorrison", e.Reason, StringComparison.Ordinal);
        Assert.Equal(weightsBefore, fresh.Network.WeightMatrix(2).AsSpan().ToArray());
        Assert.Equal(0, fresh.Optimizer.StepCount);

        var sgd = new Scenario<double>("sgd-momentum");
        e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path, sgd.Optimizer));
        Assert.Contains("SgdOptimizer", e.Reason, StringComparison.Ordinal);

        var single = new Scenario<float>("ngd-cholesky-float");
        e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path, single.Optimizer));
        Assert.Equal(12, e.Offset);
        Assert.Contains("float64", e.Reason, StringComparison.Ordinal);

        // Damping outside the target's bounds.
        var bounded = new NaturalGradientOptimizer<double>(new Scenario<double>("ngd-cholesky").Network,
            new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison, MinDamping = 1, MaxDamping = 2, InitialDamping = 1 });
        e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path, bounded));
        Assert.Contains("outside the optimizer's bounds", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_ApplicationData_RoundTripsWithTheState()
    {
        using var folder = new TempFolder();
        byte[] application = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        (Scenario<double> run, string path) = TrainAndSave<double>(folder, "ngd-cholesky", 2, "app.ckpt", application);
        Assert.Equal(application.Length, Checkpoint.ReadInfo(path).ApplicationDataLength);
        var resumed = new Scenario<double>("ngd-cholesky");
        Assert.Equal(application, Checkpoint.Load(path, resumed.Optimizer));
        Assert.Equal(2, resumed.Optimizer.StepCount);

        Checkpoint.Save(path, run.Optimizer);
        Assert.Empty(Checkpoint.Load(path, new Scenario<double>("ngd-cholesky").Optimizer));
    }

    [Fact]
    public void Crc32C_MatchesCheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    /// <summary>A fresh run of <paramref name="scenario"/>, trained for <paramref name="steps"/> steps and saved to <paramref name="name"/> in <paramref name="folder"/> with <paramref name="application"/> data, if any.</summary>
    internal static (Scenario<T> Run, string Path) TrainAndSave<T>(
        TempFolder folder, string scenario, int steps, string name, byte[]? application = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var run = new Scenario<T>(scenario);
        run.Train(steps);
        string path = folder.File(name);
        Checkpoint.Save(path, run.Optimizer, application);
        return (run, path);
    }

    private static void ResumeInProcess<T>(string scenario)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var folder = new TempFolder();
        (Scenario<T> uninterrupted, string path) = TrainAndSave<T>(folder, scenario, FirstSteps, "middle.ckpt");
        uninterrupted.Train(MoreSteps);

        var resumed = new Scenario<T>(scenario);
        Checkpoint.Load(path, resumed.Optimizer);
        Assert.Equal(FirstSteps, resumed.Optimizer.StepCount);
        resumed.Train(MoreSteps);

        Assert.Equal(
            Checkpoint.ToBytes(uninterrupted.Network, uninterrupted.Optimizer),
            Checkpoint.ToBytes(resumed.Network, resumed.Optimizer));

        // And the two keep agreeing: the next step's loss, damping and result are identical.
        uninterrupted.FillBatch(uninterrupted.Optimizer.StepCount);
        StepResult a = uninterrupted.Optimizer.Step(uninterrupted.Inputs, uninterrupted.Targets);
        resumed.FillBatch(resumed.Optimizer.StepCount);
        StepResult b = resumed.Optimizer.Step(resumed.Inputs, resumed.Targets);
        Assert.Equal(a with { Elapsed = TimeSpan.Zero }, b with { Elapsed = TimeSpan.Zero });
    }
}
