using System.Diagnostics;
using NgdKernel.Checkpoints;
using NgdKernel.Cli.Progress;

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

    /// <summary>Runs every optimizer of the experiment in turn.</summary>
    /// <param name="settings">The experiment.</param>
    /// <param name="progress">Where progress lines, recoveries and warnings go.</param>
    /// <param name="cancellation">Ctrl+C: the current run stops, writes its checkpoint and partial results.</param>
    /// <param name="trainers">Builds each run's trainer; null for the library's (<see cref="TrainerFactory"/>).</param>
    public static ExperimentResult Run(ExperimentSettings settings, IProgressSink progress, CancellationToken cancellation = default,
        ITrainerSource? trainers = null)
    {
        trainers ??= TrainerFactory.Library;
        return settings.Precision == Precision.Float
            ? Run<float>(settings, progress, trainers, cancellation)
            : Run<double>(settings, progress, trainers, cancellation);
    }

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
        if (spec.IsClassification)
        {
            DataSet<T> classes = mnist.Train.ToClassificationDataSet<T>();
            return new ExperimentData<T>(classes, classes.Take(MnistTrainEvaluationCount), mnist.Test.ToClassificationDataSet<T>(), null,
                "test log-loss");
        }

        DataSet<T> mnistTrain = mnist.Train.ToAutoencoderDataSet<T>();
        DataSet<T> trainEvaluation = mnistTrain.Take(MnistTrainEvaluationCount);
        return new ExperimentData<T>(mnistTrain, trainEvaluation, mnist.Test.ToAutoencoderDataSet<T>(), null, "test MSE");
    }

    public static IReadOnlyList<Threshold> Thresholds(ExperimentSpec spec, double? minLoss)
    {
        if (spec.IsClassification)
        {
            return [.. spec.Thresholds.Select(a => new Threshold(string.Create(CultureInfo.InvariantCulture, $"{100 * a:G}"), a, Accuracy: true))];
        }

        if (spec.Task == ExperimentTask.TeacherStudent)
        {
            double floor = minLoss ?? double.NaN;
            return [.. spec.Thresholds.Select(m => new Threshold(string.Create(CultureInfo.InvariantCulture, $"{m:G}xMin"), m * floor))];
        }

        return [.. spec.Thresholds.Select(v => new Threshold(string.Create(CultureInfo.InvariantCulture, $"Mse{v:G}"), v))];
    }

    private static ExperimentResult Run<T>(ExperimentSettings settings, IProgressSink progress, ITrainerSource trainers, CancellationToken cancellation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var grid = new List<(string Name, double Rate, int Batch)>();
        foreach (string optimizer in settings.Optimizers)
        {
            if (optimizer == "ngd")
            {
                grid.Add(("ngd", settings.NgdLearningRate, settings.NgdBatch));
            }
            else if (optimizer == "sgdm")
            {
                grid.AddRange(settings.SgdMomentumLearningRates.Select(rate => ("sgdm", rate, settings.SgdBatch)));
            }
            else
            {
                grid.AddRange(settings.SgdLearningRates.Select(rate => ("sgd", rate, settings.SgdBatch)));
            }
        }

        // A bad resume file is reported before any output.
        ResumeState? resume = settings.Checkpoint?.ResumePath is string resumePath ? ReadResumeState<T>(settings, grid, resumePath) : null;
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

        progress.Message(KernelPathLine.Describe(KernelPaths.Best)); // the path every run's context takes
        var runs = new List<OptimizerRun>();
        int first = 0;
        if (resume is not null)
        {
            runs.AddRange(resume.Runs.Take(resume.RunIndex));
            first = resume.RunIndex;
            progress.Message(string.Create(CultureInfo.InvariantCulture,
                $"resuming from {settings.Checkpoint!.ResumePath}: {grid[first].Name} run {first + 1} of {grid.Count} at {resume.Examples} examples"));
        }

        bool interrupted = false;
        string? failure = null;
        for (int index = first; index < grid.Count; index++)
        {
            (string name, double rate, int batch) = grid[index];
            var context = new RunContext(index, runs, index == first ? resume : null, trainers);
            OptimizerRun run = RunOptimizer(settings, data, name, rate, batch, progress, context, cancellation);
            runs.Add(run);
            if (run.StopReason == "interrupted")
            {
                interrupted = true;
                break;
            }

            if (context.Failure is not null)
            {
                failure = context.Failure;
                break;
            }
        }

        return new ExperimentResult
        {
            Settings = settings,
            MinLoss = data.MinLoss,
            LossName = data.LossName,
            Runs = runs,
            Thresholds = Thresholds(settings.Spec, data.MinLoss),
            Interrupted = interrupted,
            Failure = failure,
        };
    }

    /// <summary>
    /// Reads the CLI's resume state from a checkpoint. The state lives in the checkpoint's
    /// application data, which is returned by a load into an optimizer of the stored kind; the
    /// trainer of the right run is loaded again when the run starts.
    /// </summary>
    private static ResumeState ReadResumeState<T>(ExperimentSettings settings, List<(string Name, double Rate, int Batch)> grid, string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckpointInfo info = Checkpoint.ReadInfo(path);

        // SGD state is plain SGD's or, with momentum buffers, sgdm's: the load tells them apart.
        string[] kinds = info.Optimizer == CheckpointOptimizerKind.NaturalGradient ? ["ngd"] : ["sgd", "sgdm"];
        string[] candidates = [.. kinds.Where(k => grid.Exists(g => g.Name == k))];
        if (info.Optimizer is not (CheckpointOptimizerKind.NaturalGradient or CheckpointOptimizerKind.Sgd) || candidates.Length == 0)
        {
            throw new UsageException($"'{path}' holds {info.Optimizer} optimizer state, which is not among the optimizers of this run ({string.Join(',', settings.Optimizers)}).");
        }

        byte[]? application = null;
        string kind = candidates[0];
        for (int c = 0; application is null; c++)
        {
            kind = candidates[c];
            int probe = grid.FindIndex(g => g.Name == kind);
            using ITrainer<T> scratch = TrainerFactory.Create<T>(settings, kind, grid[probe].Rate, grid[probe].Batch);
            try
            {
                application = Checkpoint.Load(path, scratch.Optimizer);
            }
            catch (CheckpointFormatException) when (c + 1 < candidates.Length)
            {
                // Not this kind's state; the next candidate's load decides.
            }
        }

        ResumeState state = ResumeState.Read(application, path);
        string expected = ResumeState.FingerprintOf(settings);
        if (state.Fingerprint != expected)
        {
            throw new UsageException($"'{path}' was written with other options ({state.Fingerprint}); resume with the same experiment and options as the interrupted run.");
        }

        if (state.RunIndex >= grid.Count || grid[state.RunIndex].Name != kind || grid[state.RunIndex].Name != state.Runs[^1].Name
            || grid[state.RunIndex].Rate != state.Runs[^1].LearningRate)
        {
            throw new UsageException($"'{path}' does not match the optimizer grid of this run.");
        }

        return state;
    }

    /// <summary>What one run needs from the whole experiment: its place in the grid, the runs before it, a state to resume.</summary>
    private sealed class RunContext(int index, IReadOnlyList<OptimizerRun> finished, ResumeState? resume, ITrainerSource trainers)
    {
        public ITrainerSource Trainers { get; } = trainers;

        public int Index { get; } = index;

        public IReadOnlyList<OptimizerRun> Finished { get; } = finished;

        public ResumeState? Resume { get; } = resume;

        public string? Failure { get; set; }
    }

    private static OptimizerRun RunOptimizer<T>(
        ExperimentSettings settings,
        ExperimentData<T> data,
        string name,
        double learningRate,
        int batch,
        IProgressSink progress,
        RunContext context,
        CancellationToken cancellation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var run = new OptimizerRun(name, learningRate, batch);
        IRunProgress display = progress.StartRun(run.Label, settings.Examples, settings.Seconds);
        bool reportMse = settings.Spec.Task == ExperimentTask.MnistAutoencoder;
        bool classification = settings.Spec.IsClassification;
        CheckpointSettings? checkpoints = settings.Checkpoint;
        string? checkpointPath = checkpoints?.Path;
        long checkpointEvery = checkpoints?.Every ?? long.MaxValue;

        // Every run starts from the same initial weights (network seed) and sees its own batch order.
        using ITrainer<T> trainer = context.Trainers.Create<T>(settings, name, learningRate, batch);
        trainer.Recovered += (_, e) => progress.Message($"{run.Label}: {e.Message}");
        var sampler = new BatchSampler<T>(data.Train, batch, settings.Seed + 1000);
        var clock = new Stopwatch();
        double secondsBefore = 0;
        long examples = 0;
        long nextEvaluation = 0;
        long nextCheckpoint = checkpointEvery;
        double initialTest = double.NaN;

        if (context.Resume is ResumeState resume)
        {
            // Continue exactly where the checkpoint left off: weights and optimizer state, batch
            // order, examples, clock, evaluation schedule and the rows evaluated so far.
            Checkpoint.Load(checkpoints!.ResumePath!, trainer.Optimizer);
            sampler.Skip(resume.SamplerRows);
            examples = resume.Examples;
            nextEvaluation = resume.NextEvaluation;
            nextCheckpoint = resume.NextCheckpoint;
            secondsBefore = resume.Seconds;
            initialTest = resume.InitialTest;
            run.Points.AddRange(resume.Runs[^1].Points);
            if (run.Points.Count > 0)
            {
                EvaluationPoint last = run.Points[^1];
                display.Update(examples, secondsBefore, last.TestLoss, trainer.Damping);
            }
        }

        double Seconds() => secondsBefore + clock.Elapsed.TotalSeconds;

        void Save()
        {
            var state = new ResumeState(ResumeState.FingerprintOf(settings), RunIndex: context.Index, Examples: examples,
                SamplerRows: examples, NextEvaluation: nextEvaluation, NextCheckpoint: nextCheckpoint, Seconds: Seconds(),
                InitialTest: initialTest, Runs: [.. context.Finished, run]);
            var application = new ApplicationDataWriter();
            state.WriteTo(application);
            Checkpoint.Save(checkpointPath!, trainer.Optimizer, application.WrittenSpan);
        }

        // A checkpoint that cannot be written stops the experiment loudly: the file is replaced by an
        // atomic rename, so the previous checkpoint is intact, and the results so far are still written.
        bool TrySave()
        {
            try
            {
                Save();
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                run.StopReason = "failed";
                run.StopMessage = context.Failure = string.Create(CultureInfo.InvariantCulture,
                    $"{run.Label} stopped at {examples} examples: checkpoint '{checkpointPath}' could not be written ({e.Message}); the previous checkpoint, if any, is intact.");
                progress.Message(run.StopMessage);
                return false;
            }
        }

        while (true)
        {
            if (examples >= nextEvaluation)
            {
                Losses train = trainer.Evaluate(data.TrainEvaluation);
                Losses test = trainer.Evaluate(data.Test);
                double trainValue = reportMse ? train.MeanSquaredError : train.Loss;
                double testValue = reportMse ? test.MeanSquaredError : test.Loss;
                run.Points.Add(new EvaluationPoint(examples, Seconds(), trainValue, testValue, trainer.Damping,
                    classification ? train.Accuracy : null, classification ? test.Accuracy : null));
                display.Update(examples, Seconds(), testValue, trainer.Damping);
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

            if (Seconds() >= settings.Seconds)
            {
                run.StopReason = "seconds";
                break;
            }

            if (checkpointPath is not null && examples >= nextCheckpoint)
            {
                nextCheckpoint = ((examples / checkpointEvery) + 1) * checkpointEvery;
                if (!TrySave())
                {
                    break;
                }
            }

            if (cancellation.IsCancellationRequested)
            {
                // A step boundary: the state is consistent, so the final checkpoint resumes exactly.
                run.StopReason = "interrupted";
                if (checkpointPath is not null && !TrySave())
                {
                    run.StopReason = "interrupted"; // the failed checkpoint was reported; the run still ends as interrupted
                }

                break;
            }

            sampler.Next();
            clock.Start();
            try
            {
                trainer.Step(sampler.Inputs, sampler.Targets);
            }
            catch (StepFailedException e)
            {
                // The guard gave up; the network is as before the step and the rows so far stand. A
                // non-finite loss, update or weights is divergence, an ordinary outcome of a learning-rate
                // grid: recorded, and the experiment goes on. Anything else (a covariance that no damping
                // makes positive definite) is a failure that ends the experiment.
                clock.Stop();
                run.StopMessage = $"{run.Label} stopped at {examples} examples: {e.Message}";
                if (e.Quantity is StepQuantity.Loss or StepQuantity.LossAfter or StepQuantity.Update or StepQuantity.Weights)
                {
                    run.StopReason = "diverged";
                    progress.Message($"{run.StopMessage} Recorded as diverged; the experiment goes on.");
                }
                else
                {
                    run.StopReason = "failed";
                    context.Failure = run.StopMessage;
                }

                break;
            }

            clock.Stop();
            examples += batch;

            // Make the last evaluation land on the final example count.
            if (examples >= settings.Examples || Seconds() >= settings.Seconds)
            {
                nextEvaluation = Math.Min(nextEvaluation, examples);
            }
        }

        run.ExamplesSeen = examples;
        run.Seconds = Seconds();
        display.Complete(string.Create(
            CultureInfo.InvariantCulture,
            $"{run.StopReason}: {examples} ex, {run.Seconds:F1} s, loss {run.FinalTestLoss:G3}"));
        return run;
    }
}
