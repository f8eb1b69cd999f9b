namespace NgdKernel.Cli.Experiments;

/// <summary>Builds the network and optimizer of one run from the library's public API.</summary>
internal static class TrainerFactory
{
    /// <summary>The library's trainers, as an <see cref="ITrainerSource"/>.</summary>
    public static ITrainerSource Library { get; } = new LibrarySource();

    public static ITrainer<T> Create<T>(ExperimentSettings settings, string optimizer, double learningRate, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        new LibraryTrainer<T>(settings, optimizer, learningRate, batch);

    /// <summary>Seed of the student's initial weights: the same for every optimizer of a run.</summary>
    internal static ulong NetworkSeed(ulong seed) => unchecked((seed * 0x9E3779B97F4A7C15UL) + 0x5EED);

    /// <summary>The run's fresh network (the same initial weights for every optimizer of a run).</summary>
    internal static Network<T> CreateNetwork<T>(ExperimentSettings settings, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        new(settings.Spec.Network.Options(settings.ModelVariance, NetworkSeed(settings.Seed)), context);

    /// <summary>The SGD options of the run named <paramref name="name"/> ("sgd" or "sgdm", which adds momentum).</summary>
    internal static SgdOptions Sgd(ExperimentSettings settings, string name, double learningRate) => new()
    {
        LearningRate = learningRate,
        Momentum = name == "sgdm" ? settings.SgdMomentum : 0,
    };

    /// <summary>The natural-gradient options of a run.</summary>
    internal static NaturalGradientOptions NaturalGradient(ExperimentSettings settings, double learningRate, int batch)
    {
        // Factored damping is scale-free when lambda is in the units of the Fisher, which scale
        // as 1/s: --damping (and the default bounds) are lambda at s = 1.
        var defaults = new NaturalGradientOptions();
        double dampingScale = settings.DampingForm == DampingForm.Factored ? 1 / settings.ModelVariance : 1;
        return new NaturalGradientOptions
        {
            LearningRate = learningRate,
            SampleCount = settings.SampledPasses,
            Fisher = settings.ExactFisher ? FisherEstimate.Exact : FisherEstimate.Sampled,
            InitialDamping = settings.InitialDamping * dampingScale,
            MinDamping = defaults.MinDamping * dampingScale,
            MaxDamping = defaults.MaxDamping * dampingScale,
            DampingForm = settings.DampingForm,
            Inverse = settings.Inverse == InverseMethod.ShermanMorrison ? CurvatureInverse.ShermanMorrison : CurvatureInverse.Cholesky,
            Window = batch,
            InverseUpdatePeriod = settings.InverseUpdatePeriod,
            CurvatureUpdatePeriod = settings.CurvatureUpdatePeriod,
            DampingAdaptationInterval = settings.DampingAdaptationInterval,
            CurvatureDecay = settings.CurvatureDecay,
            Seed = unchecked(settings.Seed + 0xA5A5),
        };
    }

    private sealed class LibrarySource : ITrainerSource
    {
        public ITrainer<T> Create<T>(ExperimentSettings settings, string optimizer, double learningRate, int batch)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
            TrainerFactory.Create<T>(settings, optimizer, learningRate, batch);
    }

    private sealed class LibraryTrainer<T> : ITrainer<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly KernelContext context;
        private readonly IOptimizer<T> optimizer;
        private readonly GuardedOptimizer<T> guard;
        private readonly NaturalGradientOptimizer<T>? naturalGradient;
        private readonly Trainer<T> evaluator;
        private readonly double lossScale;
        private readonly bool classification;

        public LibraryTrainer(ExperimentSettings settings, string name, double learningRate, int batch)
        {
            ExperimentSpec spec = settings.Spec;
            context = new KernelContext(settings.Threads);
            var network = CreateNetwork<T>(settings, context);
            if (name == "ngd")
            {
                naturalGradient = new NaturalGradientOptimizer<T>(network, NaturalGradient(settings, learningRate, batch));
                optimizer = naturalGradient;
            }
            else
            {
                optimizer = new SgdOptimizer<T>(network, Sgd(settings, name, learningRate));
            }

            classification = spec.IsClassification;

            // Reported loss: Eq. 6 with the data's own SigmaT = s I for the synthetic task,
            // 0.5 nL MSE / s, whatever variance the optimizers use; MNIST reports the MSE.
            lossScale = spec.Task == ExperimentTask.TeacherStudent ? 0.5 * spec.Widths[^1] / spec.NoiseVariance : double.NaN;
            guard = new GuardedOptimizer<T>(optimizer);
            evaluator = new Trainer<T>(optimizer, new TrainerOptions { BatchSize = batch, EvaluationBatchSize = 1000 });
            BatchSize = batch;
        }

        public event EventHandler<StepRecoveredEventArgs>? Recovered
        {
            add => guard.Recovered += value;
            remove => guard.Recovered -= value;
        }

        public int BatchSize { get; }

        public IOptimizer<T> Optimizer => guard;

        public double? Damping => naturalGradient?.Damping;

        public void Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets) => guard.Step(inputs, targets);

        public Losses Evaluate(DataSet<T> data)
        {
            if (classification)
            {
                ClassificationMetrics metrics = evaluator.EvaluateClassification(data.Inputs, data.Targets);
                return new Losses(metrics.LogLoss, double.NaN, metrics.Accuracy);
            }

            LossValues values = evaluator.Evaluate(data.Inputs, data.Targets);
            double loss = double.IsNaN(lossScale) ? values.Loss : lossScale * values.MeanSquaredError;
            return new Losses(loss, values.MeanSquaredError);
        }

        public void Dispose() => context.Dispose();
    }
}
