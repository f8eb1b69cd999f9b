using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using NgdKernel.Cli.Progress;
using NgdKernel.Data;

namespace NgdKernel.Cli.Experiments;

/// <summary>The data an experiment trains and evaluates on, in the run's element type.</summary>
internal sealed record ExperimentData<T>(
    DataSet<T> Train,
    DataSet<T> TrainEvaluation,
    DataSet<T> Test,
    double? MinLoss,
    string LossName)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// Runs one experiment: loads or generates its data, trains every requested optimizer (each SGD
/// learning rate of the grid separately) from the same initial weights, evaluates train and test
/// loss at regular example counts, and collects the curves.
/// </summary>
/// <remarks>
/// Wall-clock seconds count training steps only: evaluation and progress display are excluded, as
/// in the authors' code. The reported loss is Eq. 6 (with SigmaT^-1) for the synthetic tasks, whose
/// minimum is the teacher's loss on the test set, and the mean squared error per pixel for MNIST.
/// </remarks>
internal static class ExperimentRunner
{
    /// <summary>
    /// The train loss is measured on the first this-many training examples (synthetic: 2000 of 10^4,
    /// MNIST: 2000 of 6 x 10^4), so that evaluating the train loss costs at most twice the test set.
    /// </summary>
    public const int SyntheticTrainEvaluationCount = 2_000;

    /// <inheritdoc cref="SyntheticTrainEvaluationCount"/>
    public const int MnistTrainEvaluationCount = 2_000;

    public static ExperimentResult Run(ExperimentSettings settings, IProgressSink progress, CancellationToken cancellation = default) =>
        settings.Precision == Precision.Float
            ? Run<float>(settings, progress, cancellation)
            : Run<double>(settings, progress, cancellation);

    public static ExperimentData<T> LoadData<T>(ExperimentSettings settings)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ExperimentSpec spec = settings.Spec;
        if (spec.Task == ExperimentTask.TeacherStudent)
        {
            TeacherStudentProblem problem = TeacherStudentProblem.Generate(new TeacherStudentOptions
            {
                Widths = spec.Widths,
                NoiseVariance = spec.NoiseVariance,
                Seed = settings.Seed,
            });
            DataSet<T> train = problem.Train.Convert<T>();
            return new ExperimentData<T>(
                train, train.Take(SyntheticTrainEvaluationCount), problem.Test.Convert<T>(), problem.TeacherTestLoss, "test loss (Eq. 6)");
        }

        MnistData mnist = MnistData.Load(settings.DataDirectory);
        DataSet<T> mnistTrain = mnist.Train.ToAutoencoderDataSet<T>();
        DataSet<T> trainEvaluation = mnistTrain.Take(MnistTrainEvaluationCount);
        return new ExperimentData<T>(mnistTrain, trainEvaluation, mnist.Test.ToAutoencoderDataSet<T>(), null, "test MSE");
    }

    public static IReadOnlyList<Threshold> Thresholds(ExperimentSpec spec, double? minLoss)
    {
        if (spec.Task == ExperimentTask.TeacherStudent)
        {
            double floor = minLoss ?? double.NaN;
            return [.. spec.Thresholds.Select(m => new Threshold(string.Create(CultureInfo.InvariantCulture, $"{m:G}xMin"), m * floor))];
        }

        return [.. spec.Thresholds.Select(v => new Threshold(string.Create(CultureInfo.InvariantCulture, $"Mse{v:G}"), v))];
    }

    private static ExperimentResult Run<T>(ExperimentSettings settings, IProgressSink progress, CancellationToken cancellation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ExperimentData<T> data = LoadData<T>(settings);
        if (data.MinLoss is double floor)
        {
            progress.Message(string.Create(
                CultureInfo.InvariantCulture,
                $"{settings.Spec.Id}: {data.Train.Count} train / {data.Test.Count} test examples, minimum test loss (teacher) {floor:G6}"));
        }
        else
        {
            progress.Message(string.Create(
                CultureInfo.InvariantCulture, $"{settings.Spec.Id}: {data.Train.Count} train / {data.Test.Count} test examples"));
        }

        var runs = new List<OptimizerRun>();
        foreach (string optimizer in settings.Optimizers)
        {
            if (optimizer == "ngd")
            {
                runs.Add(RunOptimizer(settings, data, "ngd", settings.NgdLearningRate, settings.NgdBatch, progress, cancellation));
            }
            else
            {
                foreach (double rate in settings.SgdLearningRates)
                {
                    runs.Add(RunOptimizer(settings, data, "sgd", rate, settings.SgdBatch, progress, cancellation));
                }
            }
        }

        return new ExperimentResult
        {
            Settings = settings,
            MinLoss = data.MinLoss,
            LossName = data.LossName,
            Runs = runs,
            Thresholds = Thresholds(settings.Spec, data.MinLoss),
        };
    }

    private static OptimizerRun RunOptimizer<T>(
        ExperimentSettings settings,
        ExperimentData<T> data,
        string name,
        double learningRate,
        int batch,
        IProgressSink progress,
        CancellationToken cancellation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var run = new OptimizerRun(name, learningRate, batch);
        IRunProgress display = progress.StartRun(run.Label, settings.Examples, settings.Seconds);
        bool reportMse = settings.Spec.Task == ExperimentTask.MnistAutoencoder;

        // Every run starts from the same initial weights (network seed) and sees its own batch order.
        using ITrainer<T> trainer = TrainerFactory.Create<T>(settings, name, learningRate, batch);
        var sampler = new BatchSampler<T>(data.Train, batch, settings.Seed + 1000);
        var clock = new Stopwatch();
        long examples = 0;
        long nextEvaluation = 0;
        double initialTest = double.NaN;

        // ---- Reserved for checkpoints (issue 6): --resume restores trainer, sampler, examples and
        // clock here; --checkpoint-every saves after the evaluation below. ----
        while (true)
        {
            if (examples >= nextEvaluation)
            {
                Losses train = trainer.Evaluate(data.TrainEvaluation);
                Losses test = trainer.Evaluate(data.Test);
                double trainValue = reportMse ? train.MeanSquaredError : train.Loss;
                double testValue = reportMse ? test.MeanSquaredError : test.Loss;
                run.Points.Add(new EvaluationPoint(examples, clock.Elapsed.TotalSeconds, trainValue, testValue, trainer.Damping));
                display.Update(examples, clock.Elapsed.TotalSeconds, testValue, trainer.Damping);
                if (run.Points.Count == 1)
                {
                    initialTest = testValue;
                }

                nextEvaluation += settings.EvaluateEvery;
                if (!double.IsFinite(testValue) || testValue > 1e6 * Math.Max(initialTest, double.Epsilon))
                {
                    run.StopReason = "diverged";
                    break;
                }
            }

            if (examples >= settings.Examples)
            {
                run.StopReason = "examples";
                break;
            }

            if (clock.Elapsed.TotalSeconds >= settings.Seconds)
            {
                run.StopReason = "seconds";
                break;
            }

            cancellation.ThrowIfCancellationRequested();
            sampler.Next();
            clock.Start();
            trainer.Step(sampler.Inputs, sampler.Targets);
            clock.Stop();
            examples += batch;

            // Make the last evaluation land on the final example count.
            if (examples >= settings.Examples || clock.Elapsed.TotalSeconds >= settings.Seconds)
            {
                nextEvaluation = Math.Min(nextEvaluation, examples);
            }
        }

        run.ExamplesSeen = examples;
        run.Seconds = clock.Elapsed.TotalSeconds;
        display.Complete(string.Create(
            CultureInfo.InvariantCulture,
            $"{run.StopReason}: {examples} ex, {run.Seconds:F1} s, loss {run.FinalTestLoss:G3}"));
        return run;
    }
}
