namespace NgdKernel.Cli.Experiments;

/// <summary>Which data an experiment trains on.</summary>
internal enum ExperimentTask
{
    /// <summary>The paper's synthetic teacher-student regression (Fig. 1A-C).</summary>
    TeacherStudent,

    /// <summary>MNIST autoencoding (Fig. 1D).</summary>
    MnistAutoencoder,

    /// <summary>MNIST digit classification (softmax output, cross-entropy loss, test accuracy).</summary>
    MnistClassification,
}

/// <summary>
/// One of the paper's Fig. 1 experiments: architecture and the defaults of every option.
/// Defaults of the synthetic runs are sized so that <c>ngd</c> with no arguments (fig1a) finishes in
/// about two minutes on two shared cores; the paper-scale budget is 2 x 10^5 examples (20 passes).
/// </summary>
internal sealed record ExperimentSpec
{
    public required string Id { get; init; }

    public required string Description { get; init; }

    public required ExperimentTask Task { get; init; }

    /// <summary>The architecture: widths, activations and bias.</summary>
    public required PaperNetwork Network { get; init; }

    /// <summary>Widths n0..nL.</summary>
    public IReadOnlyList<int> Widths => Network.Widths;

    /// <summary>Noise variance of the synthetic data's targets (SigmaT = s I): 1e-6 (paper); unused for MNIST.</summary>
    public required double NoiseVariance { get; init; }

    /// <summary>
    /// Variance of the student's output density <c>N(x_L, s I)</c> that the optimizers use (gradient
    /// scale, sampled errors of NGD). The authors' code uses s = 1 for every experiment, whatever the
    /// data's noise: with s = 1e-6 the sampled-error covariance is 10^6 times larger than the input
    /// covariance, the common damping sqrt(lambda) I then damps one side only, and the deep linear
    /// NGD steps blow up (measured: the damped covariance stops being positive definite within a few
    /// steps for L >= 8).
    /// </summary>
    public double ModelVariance { get; init; } = 1.0;

    public required long Examples { get; init; }

    public required double Seconds { get; init; }

    public required double[] SgdLearningRates { get; init; }

    public int SgdBatch { get; init; } = 20;

    /// <summary>Optimizers run when <c>--optimizers</c> is not given.</summary>
    public string DefaultOptimizers { get; init; } = "ngd,sgd";

    /// <summary>Learning rates of SGD with momentum (<c>sgdm</c>); default: the SGD grid divided by 10, the momentum's gain.</summary>
    public double[]? SgdMomentumLearningRates { get; init; }

    /// <summary>The <c>sgdm</c> grid (<see cref="SgdMomentumLearningRates"/> or its default).</summary>
    public double[] SgdMomentumGrid => SgdMomentumLearningRates ?? [.. SgdLearningRates.Select(r => r / 10)];

    /// <summary>Whether the data are MNIST (autoencoding or classification).</summary>
    public bool UsesMnist => Task is ExperimentTask.MnistAutoencoder or ExperimentTask.MnistClassification;

    /// <summary>Whether the task reports test accuracy (and thresholds are accuracies).</summary>
    public bool IsClassification => Task == ExperimentTask.MnistClassification;

    /// <summary>Training examples in one pass (<c>--epochs</c>): 60000 for MNIST, 10^4 for the synthetic data.</summary>
    public int TrainCount => UsesMnist ? 60_000 : 10_000;

    public double NgdLearningRate { get; init; } = 1.0;

    public int NgdBatch { get; init; } = 1000;

    public int SampledPasses { get; init; } = 1;

    /// <summary>Initial adaptive damping lambda (authors' code: 1e-2 deep linear, 1.0 MNIST).</summary>
    public required double InitialDamping { get; init; }

    /// <summary>Evaluate train and test loss every this many examples.</summary>
    public required long EvaluateEvery { get; init; }

    /// <summary>
    /// Thresholds reported in the JSON: multiples of the minimum loss (synthetic), MSE values (MNIST
    /// autoencoder) or test accuracies to reach (classification).
    /// </summary>
    public required double[] Thresholds { get; init; }

    public static IReadOnlyList<ExperimentSpec> All { get; } =
    [
        TeacherStudent(
            "fig1a",
            "Fig. 1A: deep linear network, L=16, all widths 20, no bias, synthetic teacher-student data.",
            PaperNetwork.Fig1A,
            seconds: 30,
            sgdLearningRates: [0.012, 0.024, 0.048, 0.096]),
        TeacherStudent(
            "fig1b",
            "Fig. 1B: deep linear network, L=16, widths 20,30,...,100,...,30,20, no bias, synthetic data.",
            PaperNetwork.Fig1B,
            seconds: 60,
            sgdLearningRates: [0.003, 0.006, 0.012, 0.024, 0.048, 0.096]),
        TeacherStudent(
            "fig1c",
            "Fig. 1C: bottleneck linear network, L=12, widths 200,80,34,20,10,5,2,5,10,20,34,80,200, synthetic data.",
            PaperNetwork.Fig1C,
            seconds: 60,
            sgdLearningRates: [0.003, 0.006, 0.012, 0.024, 0.048, 0.096]),
        new()
        {
            Id = "mnist",
            Description = "Fig. 1D: MNIST autoencoder 784-400-200-100-50-100-200-400-784, tanh except the last layer, biases.",
            Task = ExperimentTask.MnistAutoencoder,
            Network = PaperNetwork.MnistAutoencoder,
            NoiseVariance = 1.0,
            Examples = 300_000,
            Seconds = 3600,
            SgdLearningRates = [0.0025, 0.005, 0.01, 0.02],
            InitialDamping = 1.0,
            EvaluateEvery = 10_000,
            Thresholds = [0.02, 0.015, 0.01],
        },
        new()
        {
            Id = "mnistclass",
            Description = "MNIST digit classification 784-400-200-10, tanh hidden layers, softmax output (cross-entropy), biases; " +
                "NGD against SGD and SGD with momentum.",
            Task = ExperimentTask.MnistClassification,
            Network = PaperNetwork.MnistClassifier,
            NoiseVariance = 1.0,
            Examples = 5 * 60_000,
            Seconds = 3600,
            SgdLearningRates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5],
            SgdBatch = 100,
            SgdMomentumLearningRates = [0.005, 0.01, 0.02, 0.05],
            DefaultOptimizers = "ngd,sgd,sgdm",
            InitialDamping = 1.0,
            EvaluateEvery = 10_000,
            Thresholds = [0.97],
        },
    ];

    /// <summary>
    /// A synthetic teacher-student run (Fig. 1A-C): the paper's target noise 1e-6 and budget of
    /// 2 x 10^5 examples, initial damping 1e-2, evaluation every 4,000 examples, thresholds at 10 and 2
    /// times the minimum loss.
    /// </summary>
    private static ExperimentSpec TeacherStudent(string id, string description, PaperNetwork network, double seconds, double[] sgdLearningRates) => new()
    {
        Id = id,
        Description = description,
        Task = ExperimentTask.TeacherStudent,
        Network = network,
        NoiseVariance = 1e-6,
        Examples = 200_000,
        Seconds = seconds,
        SgdLearningRates = sgdLearningRates,
        InitialDamping = 1e-2,
        EvaluateEvery = 4_000,
        Thresholds = [10, 2],
    };

    public static ExperimentSpec Get(string id) => All.Single(s => s.Id == id);
}
