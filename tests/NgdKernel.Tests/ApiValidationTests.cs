using NgdKernel.Data;
using NgdKernel.Experiments;

namespace NgdKernel.Tests;

/// <summary>
/// Audit of the public entry points of NgdKernel: every bad shape, option and value gives an
/// <see cref="ArgumentException"/> whose ParamName names the parameter and whose message shows the value.
/// </summary>
public sealed class ApiValidationTests
{
    private static readonly Network<double> Net = new(new NetworkOptions { Widths = [3, 4, 2], Bias = true });

    public static TheoryData<string, string, string> Cases => new()
    {
        // name of the case, expected ParamName, text the message must contain (the value)
        { "widths empty", "Widths", "0 entries" },
        { "widths one", "Widths", "1 entries" },
        { "width zero", "Widths", "'Widths[1]' is 0" },
        { "width negative", "Widths", "-3" },
        { "activations count", "Activations", "3 entries" },
        { "activation undefined", "Activations", "'Activations[0]'" },
        { "init scale NaN", "InitScale", "NaN" },
        { "init scale negative", "InitScale", "-1" },
        { "covariance size", "OutputCovariance", "3x3" },
        { "variance zero", "variance", "0" },
        { "variance infinite", "variance", "Infinity" },
        { "covariance not symmetric", "covariance", "not symmetric" },
        { "covariance not SPD", "covariance", "not positive definite" },
        { "covariance NaN", "covariance", "NaN" },
        { "sgd alpha zero", "LearningRate", "'LearningRate' is 0" },
        { "sgd alpha NaN", "LearningRate", "NaN" },
        { "sgd momentum one", "Momentum", "'Momentum' is 1" },
        { "ngd alpha negative", "LearningRate", "-1" },
        { "ngd K zero", "SampleCount", "'SampleCount' is 0" },
        { "ngd damping zero", "InitialDamping", "'InitialDamping' is 0" },
        { "ngd damping above max", "InitialDamping", "1000" },
        { "ngd min damping NaN", "MinDamping", "NaN" },
        { "ngd increase one", "DampingIncrease", "1" },
        { "ngd decrease one", "DampingDecrease", "1" },
        { "ngd rho order", "LowerRho", "0.9" },
        { "ngd window", "Window", "'Window' is 1" },
        { "ngd refresh", "RefreshInterval", "'RefreshInterval' is 0" },
        { "ngd retries", "MaxRetries", "-1" },
        { "ngd damping setter", "Damping", "NaN" },
        { "exact alpha", "LearningRate", "'LearningRate' is 0" },
        { "exact K", "SampleCount", "'SampleCount' is 0" },
        { "exact cutoff", "PseudoInverseCutoff", "1.5" },
        { "trainer batch zero", "BatchSize", "'BatchSize' is 0" },
        { "trainer evaluation batch", "EvaluationBatchSize", "-2" },
        { "workspace capacity", "capacity", "0" },
        { "forward width", "inputs", "5x2" },
        { "forward too many rows", "inputs", "9 rows" },
        { "evaluate targets shape", "targets", "4x3" },
        { "gradient targets rows", "targets", "3x2" },
        { "step inputs width", "inputs", "4x5" },
        { "step targets shape", "targets", "4x1" },
        { "step empty batch", "inputs", "0x3" },
        { "trainer data shape", "targets", "10x3" },
        { "copy weights architecture", "destination", "[3, 5, 2]" },
        { "guard retries", "MaxRetries", "-1" },
        { "checkpoint path", "path", "path" },
        { "checkpoint optimizer type", "optimizer", "Fake" },
        { "data set width", "inputWidth", "0" },
        { "data set length", "inputs", "5 elements" },
        { "idx name", "name", "name" },
        { "activation of layer", "layer", "'layer' is 2 but the network has 2 layers: it must be in [0, 1]" },
        { "input width of layer", "layer", "'layer' is -1" },
        { "weights of layer", "layer", "'layer' is 5" },
        { "copy weights layer", "layer", "'layer' is 2" },
        { "copy weights destination", "destination", "'destination' is 2x3 but the weights of layer 0 are 4x4" },
        { "workspace output rows", "rows", "'rows' is 9 but the workspace holds 8 examples" },
        { "workspace output negative", "rows", "'rows' is -1" },
        { "workspace gradient layer", "layer", "'layer' is 2" },
        { "initialize scale NaN", "scale", "'scale' is NaN" },
        { "initialize scale negative", "scale", "'scale' is -1" },
        { "teacher train count zero", "TrainCount", "'TrainCount' is 0" },
        { "teacher test count negative", "TestCount", "'TestCount' is -1" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PublicApi_InvalidArgument_NamesParameterAndValue(string name, string parameter, string text)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(Act(name));
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    private static Action Act(string name)
    {
        var workspace = Net.CreateWorkspace(8);
        return name switch
        {
            "widths empty" => () => _ = new Network<double>(new NetworkOptions { Widths = [] }),
            "widths one" => () => _ = new Network<double>(new NetworkOptions { Widths = [3] }),
            "width zero" => () => _ = new Network<double>(new NetworkOptions { Widths = [3, 0, 2] }),
            "width negative" => () => _ = new Network<double>(new NetworkOptions { Widths = [-3, 2] }),
            "activations count" => () => _ = new Network<double>(new NetworkOptions { Widths = [3, 2], Activations = [Activation.Tanh, Activation.Tanh, Activation.Tanh] }),
            "activation undefined" => () => _ = new Network<double>(new NetworkOptions { Widths = [3, 2], Activations = [(Activation)42] }),
            "init scale NaN" => () => _ = new Network<double>(new NetworkOptions { Widths = [3, 2], InitScale = double.NaN }),
            "init scale negative" => () => _ = new Network<double>(new NetworkOptions { Widths = [3, 2], InitScale = -1 }),
            "covariance size" => () => _ = new Network<double>(new NetworkOptions { Widths = [3, 2], OutputCovariance = OutputCovariance.Full(new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }) }),
            "variance zero" => () => OutputCovariance.Isotropic(0),
            "variance infinite" => () => OutputCovariance.Isotropic(double.PositiveInfinity),
            "covariance not symmetric" => () => OutputCovariance.Full(new double[,] { { 1, 0.5 }, { 0, 1 } }),
            "covariance not SPD" => () => OutputCovariance.Full(new double[,] { { 1, 2 }, { 2, 1 } }),
            "covariance NaN" => () => OutputCovariance.Full(new double[,] { { 1, double.NaN }, { double.NaN, 1 } }),
            "sgd alpha zero" => () => _ = new SgdOptimizer<double>(Net, new SgdOptions { LearningRate = 0 }),
            "sgd alpha NaN" => () => _ = new SgdOptimizer<double>(Net, new SgdOptions { LearningRate = double.NaN }),
            "sgd momentum one" => () => _ = new SgdOptimizer<double>(Net, new SgdOptions { Momentum = 1 }),
            "ngd alpha negative" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { LearningRate = -1 }),
            "ngd K zero" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { SampleCount = 0 }),
            "ngd damping zero" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { InitialDamping = 0 }),
            "ngd damping above max" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { InitialDamping = 1000, MaxDamping = 10 }),
            "ngd min damping NaN" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { MinDamping = double.NaN }),
            "ngd increase one" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { DampingIncrease = 1 }),
            "ngd decrease one" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { DampingDecrease = 1 }),
            "ngd rho order" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { LowerRho = 0.9, UpperRho = 0.5 }),
            "ngd window" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { Window = 1 }),
            "ngd refresh" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { RefreshInterval = 0 }),
            "ngd retries" => () => _ = new NaturalGradientOptimizer<double>(Net, new NaturalGradientOptions { MaxRetries = -1 }),
            "ngd damping setter" => () => new NaturalGradientOptimizer<double>(Net).Damping = double.NaN,
            "exact alpha" => () => _ = new ExactNaturalGradientOptimizer<double>(new Network<double>(new NetworkOptions { Widths = [2, 2] }), new ExactNaturalGradientOptions { LearningRate = 0 }),
            "exact K" => () => _ = new ExactNaturalGradientOptimizer<double>(new Network<double>(new NetworkOptions { Widths = [2, 2] }), new ExactNaturalGradientOptions { SampleCount = 0 }),
            "exact cutoff" => () => _ = new ExactNaturalGradientOptimizer<double>(new Network<double>(new NetworkOptions { Widths = [2, 2] }), new ExactNaturalGradientOptions { PseudoInverseCutoff = 1.5 }),
            "trainer batch zero" => () => _ = new Trainer<double>(new SgdOptimizer<double>(Net), new TrainerOptions { BatchSize = 0 }),
            "trainer evaluation batch" => () => _ = new Trainer<double>(new SgdOptimizer<double>(Net), new TrainerOptions { EvaluationBatchSize = -2 }),
            "workspace capacity" => () => Net.CreateWorkspace(0),
            "forward width" => () => Net.Forward(new ReadOnlySpan2D<double>(new double[10], 5, 2), workspace),
            "forward too many rows" => () => Net.Forward(new ReadOnlySpan2D<double>(new double[27], 9, 3), workspace),
            "evaluate targets shape" => () => Net.Evaluate(new ReadOnlySpan2D<double>(new double[12], 4, 3), new ReadOnlySpan2D<double>(new double[12], 4, 3), workspace),
            "gradient targets rows" => () => Net.ComputeGradient(new ReadOnlySpan2D<double>(new double[12], 4, 3), new ReadOnlySpan2D<double>(new double[6], 3, 2), workspace),
            "step inputs width" => () => new NaturalGradientOptimizer<double>(Net).Step(new ReadOnlySpan2D<double>(new double[20], 4, 5), new ReadOnlySpan2D<double>(new double[8], 4, 2)),
            "step targets shape" => () => new SgdOptimizer<double>(Net).Step(new ReadOnlySpan2D<double>(new double[12], 4, 3), new ReadOnlySpan2D<double>(new double[4], 4, 1)),
            "step empty batch" => () => new NaturalGradientOptimizer<double>(Net).Step(new ReadOnlySpan2D<double>([], 0, 3), new ReadOnlySpan2D<double>([], 0, 2)),
            "trainer data shape" => () => new Trainer<double>(new SgdOptimizer<double>(Net)).RunEpoch(new ReadOnlySpan2D<double>(new double[30], 10, 3), new ReadOnlySpan2D<double>(new double[30], 10, 3)),
            "copy weights architecture" => () => Net.CopyWeightsTo(new Network<double>(new NetworkOptions { Widths = [3, 5, 2], Bias = true })),
            "guard retries" => () => _ = new GuardedOptimizer<double>(new SgdOptimizer<double>(Net), new StepGuardOptions { MaxRetries = -1 }),
            "checkpoint path" => () => Checkpoint.Save(string.Empty, Net),
            "checkpoint optimizer type" => () => Checkpoint.Save(Path.Combine(Path.GetTempPath(), "never-written.ckpt"), new FakeOptimizer(Net)),
            "data set width" => () => _ = new DataSet<double>([], [], 0, 0, 1),
            "data set length" => () => _ = new DataSet<double>(new double[5], new double[4], 2, 3, 2),
            "idx name" => () => IdxReader.Read(new MemoryStream(), null!),
            "activation of layer" => () => Net.ActivationOf(2),
            "input width of layer" => () => Net.InputWidth(-1),
            "weights of layer" => () => _ = Net.Weights(5),
            "copy weights layer" => () => Net.CopyWeights(2, new Span2D<double>(new double[16], 4, 4)),
            "copy weights destination" => () => Net.CopyWeights(0, new Span2D<double>(new double[6], 2, 3)),
            "workspace output rows" => () => _ = workspace.Output(9),
            "workspace output negative" => () => _ = workspace.Output(-1),
            "workspace gradient layer" => () => _ = workspace.NegativeGradient(2),
            "initialize scale NaN" => () => Net.Initialize(1, double.NaN),
            "initialize scale negative" => () => Net.Initialize(1, -1),
            "teacher train count zero" => () => TeacherStudentProblem.Generate(new TeacherStudentOptions { Widths = [2, 2], TrainCount = 0 }),
            "teacher test count negative" => () => TeacherStudentProblem.Generate(new TeacherStudentOptions { Widths = [2, 2], TestCount = -1 }),
            _ => throw new ArgumentException("no such case", nameof(name)),
        };
    }

    [Fact]
    public void Network_Accessors_WorkOnEveryLayer_AndInitializeKeepsWeightsOnBadScale()
    {
        var network = new Network<double>(new NetworkOptions { Widths = [3, 4, 2], Bias = true, Seed = 5 });
        for (int l = 0; l < network.LayerCount; l++)
        {
            var copy = new double[network.Widths[l + 1], network.InputWidth(l)];
            network.CopyWeights(l, new Span2D<double>(copy));
            Assert.Equal(network.Weights(l).ToArray(), copy);
            Assert.Equal(Activation.Identity, network.ActivationOf(l));
        }

        double[,] before = network.Weights(0).ToArray();
        Assert.Throws<ArgumentOutOfRangeException>(() => network.Initialize(2, double.PositiveInfinity));
        Assert.Equal(before, network.Weights(0).ToArray());
        network.Initialize(2, 0);
        Assert.All(network.Weights(0).ToArray().Cast<double>(), w => Assert.Equal(0.0, w));

        NetworkWorkspace<double> workspace = network.CreateWorkspace(4);
        Assert.Equal(0, workspace.Output(0).Height);
        Assert.Equal(4, workspace.Output(4).Height);
        ReadOnlySpan2D<double> gradient = workspace.NegativeGradient(1);
        Assert.Equal((2, 5), (gradient.Height, gradient.Width));
    }

    [Theory, Combinations]
    public void Trainer_NonFiniteData_NamesTheDataSetRow_AndChangesNothing(bool shuffle)
    {
        var network = new Network<double>(new NetworkOptions { Widths = [3, 2], Seed = 3 });
        var trainer = new Trainer<double>(new SgdOptimizer<double>(network), new TrainerOptions { BatchSize = 4, EvaluationBatchSize = 4, Shuffle = shuffle });
        var x = new double[10 * 3];
        var y = new double[10 * 2];
        x[(7 * 3) + 1] = double.NaN;
        double[,] before = network.Weights(0).ToArray();
        var e = Assert.Throws<ArgumentException>(() => trainer.RunEpoch(new ReadOnlySpan2D<double>(x, 10, 3), new ReadOnlySpan2D<double>(y, 10, 2)));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("row 7, column 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.Weights(0).ToArray());
        Assert.Equal(0, trainer.ExamplesSeen);

        x[(7 * 3) + 1] = 0;
        y[(9 * 2) + 1] = double.NegativeInfinity;
        e = Assert.Throws<ArgumentException>(() => trainer.Evaluate(new ReadOnlySpan2D<double>(x, 10, 3), new ReadOnlySpan2D<double>(y, 10, 2)));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("row 9, column 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileExceptions_ShareTheFileContentBase_AndKeepTheirMessages()
    {
        FileContentException[] errors =
        [
            new CheckpointFormatException("run.ckpt", 28, "header checksum mismatch"),
            new DataFileException("train-images-idx3-ubyte", 4, "bad magic"),
        ];
        Assert.Equal("run.ckpt: at byte offset 28: header checksum mismatch", errors[0].Message);
        Assert.Equal("train-images-idx3-ubyte: at byte offset 4: bad magic", errors[1].Message);
        Assert.Equal(("run.ckpt", 28L, "header checksum mismatch"), (errors[0].FilePath, errors[0].Offset, errors[0].Reason));
        Assert.Equal(("train-images-idx3-ubyte", 4L, "bad magic"), (errors[1].FilePath, errors[1].Offset, errors[1].Reason));
        Assert.All(errors, e => Assert.IsAssignableFrom<IOException>(e));

        var free = new DataFileException("odd", new InvalidOperationException());
        Assert.Equal(("(unknown)", -1L, "odd", "odd"), (free.FilePath, free.Offset, free.Reason, free.Message));
        Assert.IsType<InvalidOperationException>(free.InnerException);
        Assert.Equal(-1, new CheckpointFormatException().Offset);

        // Reading either kind of bad file can be handled through the base type.
        string path = Path.Combine(Path.GetTempPath(), $"ngd-not-a-file-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, [1, 2, 3]);
        try
        {
            var checkpoint = Assert.ThrowsAny<FileContentException>(() => Checkpoint.ReadInfo(path));
            Assert.IsType<CheckpointFormatException>(checkpoint);
            var idx = Assert.ThrowsAny<FileContentException>(() => IdxReader.Read(new MemoryStream([1, 2, 3]), path));
            Assert.IsType<DataFileException>(idx);
            Assert.Equal(path, idx.FilePath);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class FakeOptimizer(Network<double> network) : IOptimizer<double>
    {
        public Network<double> Network { get; } = network;

        public long StepCount => 0;

        public StepResult Step(ReadOnlySpan2D<double> inputs, ReadOnlySpan2D<double> targets) => default;

        public void Rollback()
        {
        }
    }
}
