using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Training;

public sealed class TrainerTests
{
    private sealed class Recorder : ITrainingObserver
    {
        public List<TrainingProgress> Steps { get; } = [];

        public void OnStep(in TrainingProgress progress) => Steps.Add(progress);
    }

    private static NetworkOptions Options => new() { Widths = [4, 6, 3], HiddenActivation = Activation.Tanh, Bias = true, Seed = 2 };

    [Fact]
    public void Trainer_Epoch_StepsOverBatchesAndReportsProgress()
    {
        var network = new Network<double>(Options);
        var trainer = new Trainer<double>(new SgdOptimizer<double>(network), new TrainerOptions { BatchSize = 16 });
        var recorder = new Recorder();
        trainer.Observer = recorder;
        double[,] x = Gaussian(50, 4, 1), y = Gaussian(50, 3, 2);
        EpochSummary summary = trainer.RunEpoch(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        Assert.Equal(4, summary.Steps); // 16 + 16 + 16 + 2
        Assert.Equal([16L, 32, 48, 50], recorder.Steps.Select(s => s.ExamplesSeen));
        Assert.Equal(50, trainer.ExamplesSeen);
        Assert.Equal(1, trainer.Epoch);
        Assert.Equal(recorder.Steps.Average(s => s.Result.Loss), summary.MeanLoss, 12);
    }

    [Fact]
    public void Trainer_Evaluate_EqualsWholeBatchLoss()
    {
        var network = new Network<double>(Options);
        var trainer = new Trainer<double>(new SgdOptimizer<double>(network), new TrainerOptions { EvaluationBatchSize = 7 });
        double[,] x = Gaussian(30, 4, 3), y = Gaussian(30, 3, 4);
        LossValues batched = trainer.Evaluate(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        LossValues whole = network.Evaluate(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y), network.CreateWorkspace(30));
        Assert.Equal(whole.Loss, batched.Loss, 12);
        Assert.Equal(whole.MeanSquaredError, batched.MeanSquaredError, 12);
    }

    [Fact]
    public void Trainer_Epoch_AfterWarmUp_AllocatesNothing()
    {
        var network = new Network<float>(Options);
        var trainer = new Trainer<float>(new NaturalGradientOptimizer<float>(network), new TrainerOptions { BatchSize = 16, Shuffle = true });
        float[,] x = Convert<float>(Gaussian(64, 4, 3, 0.3));
        float[,] y = Convert<float>(Gaussian(64, 3, 4, 0.3));
        trainer.RunEpoch(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(y));
        trainer.Evaluate(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(y));
        long allocated = Allocations.Measure(() =>
        {
            trainer.RunEpoch(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(y));
            trainer.Evaluate(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(y));
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Trainer_BadArguments_NameTheParameter()
    {
        var optimizer = new SgdOptimizer<double>(new Network<double>(Options));
        Assert.Equal("BatchSize", Assert.ThrowsAny<ArgumentException>(() => new Trainer<double>(optimizer, new TrainerOptions { BatchSize = 0 })).ParamName);
        var trainer = new Trainer<double>(optimizer);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => trainer.RunEpoch(new ReadOnlySpan2D<double>(new double[5, 4]), new ReadOnlySpan2D<double>(new double[4, 3]))).ParamName);
    }
}
