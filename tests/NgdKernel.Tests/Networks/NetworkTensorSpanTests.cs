using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NgdKernel.Tests.Networks;

/// <summary>
/// The tensor-span entry points of the network and the optimizers view the minibatch in place: on
/// strided tensors they must match the span entry points bit for bit, allocate nothing after
/// warm-up and reject tensors that are not row-major matrices, naming the argument. Also: element
/// types other than float and double fail at construction.
/// </summary>
public class NetworkTensorSpanTests
{
    private const int Batch = 9;

    private static NetworkOptions Options => new()
    {
        Widths = [7, 11, 5],
        HiddenActivation = Activation.Tanh,
        Bias = true,
        OutputCovariance = OutputCovariance.Isotropic(0.5),
        Seed = 3,
    };

    [Fact]
    public void Network_TensorSpan_ForwardEvaluateGradient_BitIdenticalToSpan()
    {
        ForwardEvaluateGradient<float>();
        ForwardEvaluateGradient<double>();
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("ngd")]
    [InlineData("ngd-sherman-morrison")]
    public void Optimizer_TensorSpan_Step_BitIdenticalToSpan(string kind)
    {
        Steps<float>(kind);
        Steps<double>(kind);
    }

    [Theory, Combinations]
    public void Trainer_TensorSpan_RunEpochAndEvaluate_BitIdenticalToSpan(bool shuffle)
    {
        var options = new TrainerOptions { BatchSize = 4, EvaluationBatchSize = 5, Shuffle = shuffle, Seed = 8 };
        var spanTrainer = new Trainer<double>(new NaturalGradientOptimizer<double>(new Network<double>(Options)), options);
        var tensorTrainer = new Trainer<double>(new NaturalGradientOptimizer<double>(new Network<double>(Options)), options);
        StridedBuffer<double> inputs = StridedBuffer<double>.Create(23, 7, 3, 2, 30);
        StridedBuffer<double> targets = StridedBuffer<double>.Create(23, 5, 1, 1, 31);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            EpochSummary expected = spanTrainer.RunEpoch(inputs.Span, targets.Span);
            EpochSummary actual = tensorTrainer.RunEpoch(inputs.ReadOnlyTensor, targets.ReadOnlyTensor);
            Assert.Equal(expected with { Elapsed = default }, actual with { Elapsed = default });
        }

        Assert.Equal(spanTrainer.Evaluate(inputs.Span, targets.Span), tensorTrainer.Evaluate(inputs.ReadOnlyTensor, targets.ReadOnlyTensor));
        Network<double> spanNetwork = spanTrainer.Optimizer.Network, tensorNetwork = tensorTrainer.Optimizer.Network;
        for (int l = 0; l < spanNetwork.LayerCount; l++)
        {
            Assert.True(Bits(spanNetwork.Weights(l).ToArray()).SequenceEqual(Bits(tensorNetwork.Weights(l).ToArray())), $"layer {l}");
        }

        ArgumentException e = Assert.Throws<ArgumentException>(() =>
            tensorTrainer.RunEpoch(inputs.ReadOnlyTensor, new ReadOnlyTensorSpan<double>(new double[5 * 23], 0, [23, 5], [1, 23])));
        Assert.Equal("targets", e.ParamName);
    }

    [Fact]
    public void Optimizer_TensorSpan_StepAndForward_AllocateNothing()
    {
        var network = new Network<double>(Options);
        var optimizer = new NaturalGradientOptimizer<double>(network);
        StridedBuffer<double> inputs = StridedBuffer<double>.Create(Batch, 7, 2, 1, 1);
        StridedBuffer<double> targets = StridedBuffer<double>.Create(Batch, 5, 0, 3, 2);
        NetworkWorkspace<double> workspace = network.CreateWorkspace(Batch);
        void Run()
        {
            optimizer.Step(inputs.ReadOnlyTensor, targets.ReadOnlyTensor);
            _ = network.Forward(inputs.ReadOnlyTensor, workspace);
            _ = network.ComputeGradient(inputs.ReadOnlyTensor, targets.ReadOnlyTensor, workspace);
        }

        for (int i = 0; i < 3; i++)
        {
            Run(); // warm-up: workspaces, JIT tiers
        }

        Assert.Equal(0, Allocations.Measure(Run));
    }

    [Fact]
    public void Network_TensorSpan_RejectsNonMatrixInputs_NamingTheArgument()
    {
        var network = new Network<double>(Options);
        var optimizer = new SgdOptimizer<double>(network);
        NetworkWorkspace<double> workspace = network.CreateWorkspace(Batch);
        double[] data = new double[Batch * 7];
        double[] targets = new double[Batch * 5];

        ArgumentException e = Assert.Throws<ArgumentException>(() =>
            network.Forward(new ReadOnlyTensorSpan<double>(data, 0, [Batch, 7, 1], [7, 1, 0]), workspace));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("rank 3", e.Message, StringComparison.Ordinal);

        // Targets given transposed ([n_L, batch] data viewed with strides [1, batch]).
        e = Assert.Throws<ArgumentException>(() => optimizer.Step(
            new ReadOnlyTensorSpan<double>(data, 0, [Batch, 7], [7, 1]), new ReadOnlyTensorSpan<double>(targets, 0, [Batch, 5], [1, Batch])));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("column stride must be 1", e.Message, StringComparison.Ordinal);

        // A well-formed tensor of the wrong width gets the span overload's shape message.
        e = Assert.Throws<ArgumentException>(() => network.Evaluate(
            new ReadOnlyTensorSpan<double>(data, 0, [Batch, 6], [7, 1]), new ReadOnlyTensorSpan<double>(targets, 0, [Batch, 5], [5, 1]), workspace));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("n_0 = 7", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void Network_UnsupportedElementType_FailsAtConstruction_NamingTheSupportedTypes()
    {
        NotSupportedException half = Assert.Throws<NotSupportedException>(() => new Network<Half>(Options));
        Assert.Contains("Network<Half>", half.Message, StringComparison.Ordinal);
        Assert.Contains("float", half.Message, StringComparison.Ordinal);
        Assert.Contains("double", half.Message, StringComparison.Ordinal);

        NotSupportedException nfloat = Assert.Throws<NotSupportedException>(() => new Network<NFloat>(Options));
        Assert.Contains("Network<NFloat>", nfloat.Message, StringComparison.Ordinal);

        // The supported types construct and step.
        Assert.Equal(7, new Network<float>(Options).InputSize);
        Assert.Equal(7, new Network<double>(Options).InputSize);
    }

    private static void ForwardEvaluateGradient<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var network = new Network<T>(Options);
        StridedBuffer<T> inputs = StridedBuffer<T>.Create(Batch, 7, 3, 2, 4);
        StridedBuffer<T> targets = StridedBuffer<T>.Create(Batch, 5, 1, 0, 5);
        NetworkWorkspace<T> spanWorkspace = network.CreateWorkspace(Batch + 2);
        NetworkWorkspace<T> tensorWorkspace = network.CreateWorkspace(Batch + 2);

        ReadOnlySpan2D<T> spanOutput = network.Forward(inputs.Span, spanWorkspace);
        ReadOnlyTensorSpan<T> tensorOutput = network.Forward(inputs.ReadOnlyTensor, tensorWorkspace);
        Assert.Equal([Batch, 5], tensorOutput.Lengths.ToArray());
        Assert.True(Bits(spanOutput.ToArray()).SequenceEqual(Bits(tensorOutput.AsReadOnlySpan2D().ToArray())), $"{typeof(T).Name} Forward");

        Assert.Equal(
            network.Evaluate(inputs.Span, targets.Span, spanWorkspace),
            network.Evaluate(inputs.ReadOnlyTensor, targets.ReadOnlyTensor, tensorWorkspace));

        Assert.Equal(
            network.ComputeGradient(inputs.Span, targets.Span, spanWorkspace),
            network.ComputeGradient(inputs.ReadOnlyTensor, targets.ReadOnlyTensor, tensorWorkspace));
        for (int l = 0; l < network.LayerCount; l++)
        {
            Assert.True(
                Bits(spanWorkspace.NegativeGradient(l).ToArray()).SequenceEqual(Bits(tensorWorkspace.NegativeGradient(l).ToArray())),
                $"{typeof(T).Name} NegativeGradient({l})");
        }
    }

    private static void Steps<T>(string kind)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Network<T> spanNetwork = new(Options), tensorNetwork = new(Options);
        IOptimizer<T> spanOptimizer = Create(kind, spanNetwork), tensorOptimizer = Create(kind, tensorNetwork);
        for (int step = 0; step < 4; step++)
        {
            StridedBuffer<T> inputs = StridedBuffer<T>.Create(Batch, 7, step, 1, 10 + step);
            StridedBuffer<T> targets = StridedBuffer<T>.Create(Batch, 5, 2, step, 20 + step);
            StepResult expected = spanOptimizer.Step(inputs.Span, targets.Span);
            StepResult actual = tensorOptimizer.Step(inputs.ReadOnlyTensor, targets.ReadOnlyTensor);
            Assert.Equal(expected with { Elapsed = default }, actual with { Elapsed = default });
        }

        for (int l = 0; l < spanNetwork.LayerCount; l++)
        {
            Assert.True(
                Bits(spanNetwork.Weights(l).ToArray()).SequenceEqual(Bits(tensorNetwork.Weights(l).ToArray())),
                $"{typeof(T).Name} {kind}: weights of layer {l} differ");
        }
    }

    private static IOptimizer<T> Create<T>(string kind, Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => kind switch
        {
            "sgd" => new SgdOptimizer<T>(network, new SgdOptions { LearningRate = 0.05, Momentum = 0.5 }),
            "ngd" => new NaturalGradientOptimizer<T>(network),
            _ => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison, Window = 20 }),
        };

    private static byte[] Bits<T>(T[,] values)
        where T : unmanaged =>
        MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref values[0, 0], values.Length)).ToArray();
}
