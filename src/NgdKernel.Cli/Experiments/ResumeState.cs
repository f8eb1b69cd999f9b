using NgdKernel.Checkpoints;

namespace NgdKernel.Cli.Experiments;

/// <summary>Where checkpoints go and where a run resumes from (<c>--checkpoint</c>, <c>--checkpoint-every</c>, <c>--resume</c>).</summary>
/// <param name="Path">Checkpoint file written every <paramref name="Every"/> examples and on Ctrl+C, or null.</param>
/// <param name="Every">Training examples between checkpoints.</param>
/// <param name="ResumePath">Checkpoint to continue from, or null.</param>
internal sealed record CheckpointSettings(string? Path, long Every, string? ResumePath);

/// <summary>
/// The CLI's own resume state, stored in a checkpoint's application-data section: which run of the
/// grid is in progress, its examples, clock, batch-order position and evaluation schedule, and the
/// rows of every run evaluated so far (so the outputs of a resumed run are complete).
/// </summary>
/// <param name="Fingerprint">The options that decide the results; a resume must use the same ones.</param>
/// <param name="RunIndex">Index of the run in progress in the order of the grid (ngd, then each SGD rate).</param>
/// <param name="Examples">Training examples seen by the run in progress.</param>
/// <param name="SamplerRows">Rows of the training set drawn by the batch sampler so far.</param>
/// <param name="NextEvaluation">Example count of the next evaluation.</param>
/// <param name="NextCheckpoint">Example count of the next checkpoint.</param>
/// <param name="Seconds">Training seconds of the run in progress.</param>
/// <param name="InitialTest">The first test loss (the divergence test's reference).</param>
/// <param name="Runs">Finished runs, then the run in progress (its points so far).</param>
internal sealed record ResumeState(string Fingerprint, int RunIndex, long Examples, long SamplerRows, long NextEvaluation,
    long NextCheckpoint, double Seconds, double InitialTest, IReadOnlyList<OptimizerRun> Runs)
{
    private const string Magic = "ngd-cli-resume/3";

    public static string FingerprintOf(ExperimentSettings s) => Common(s) + AmortizedFingerprint(s);

    private static string Common(ExperimentSettings s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Spec.Id} seed={s.Seed} precision={s.Precision} optimizers={string.Join(',', s.Optimizers)} " +
        $"sgd-lr={string.Join(',', s.SgdLearningRates.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))} sgd-batch={s.SgdBatch} " +
        $"ngd-lr={s.NgdLearningRate:R} batch={s.NgdBatch} k={s.SampledPasses} inverse={s.Inverse} damping={s.InitialDamping:R} " +
        $"model-variance={s.ModelVariance:R} eval-every={s.EvaluateEvery}{(s.ExactFisher ? " fisher=exact" : string.Empty)}" +
        $"{(s.Optimizers.Contains("sgdm") ? $" sgdm-lr={string.Join(',', s.SgdMomentumLearningRates.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))} momentum={s.SgdMomentum:R}" : string.Empty)}")
        + (s.DampingForm == NgdKernel.Optimizers.DampingForm.Paper ? string.Empty : " damping-form=" + s.DampingForm);

    /// <summary>The amortized-curvature periods, only when one differs from 1 (so earlier fingerprints stay valid).</summary>
    private static string AmortizedFingerprint(ExperimentSettings s) =>
        s.InverseUpdatePeriod == 1 && s.CurvatureUpdatePeriod == 1 && s.DampingAdaptationInterval == 1
            ? ""
            : string.Create(CultureInfo.InvariantCulture,
                $" inverse-period={s.InverseUpdatePeriod} curvature-period={s.CurvatureUpdatePeriod} curvature-decay={s.CurvatureDecay:R} damping-interval={s.DampingAdaptationInterval}");

    /// <summary>Writes the state in the checkpoint's application-data encoding.</summary>
    public void WriteTo(ApplicationDataWriter w)
    {
        w.Write(Magic);
        w.Write(Fingerprint);
        w.Write(RunIndex);
        w.Write(Examples);
        w.Write(SamplerRows);
        w.Write(NextEvaluation);
        w.Write(NextCheckpoint);
        w.Write(Seconds);
        w.Write(InitialTest);
        w.Write(Runs.Count);
        foreach (OptimizerRun run in Runs)
        {
            w.Write(run.Name);
            w.Write(run.LearningRate);
            w.Write(run.Batch);
            w.Write(run.ExamplesSeen);
            w.Write(run.Seconds);
            w.Write(run.StopReason);
            w.Write(run.Points.Count);
            foreach (EvaluationPoint p in run.Points)
            {
                w.Write(p.Examples);
                w.Write(p.Seconds);
                w.Write(p.TrainLoss);
                w.Write(p.TestLoss);
                w.Write(p.Lambda.HasValue);
                w.Write(p.Lambda ?? 0.0);
                w.Write(p.TestAccuracy.HasValue);
                w.Write(p.TrainAccuracy ?? 0.0);
                w.Write(p.TestAccuracy ?? 0.0);
            }
        }
    }

    /// <summary>Reads the state written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="UsageException">The bytes are not a resume state of this version of ngd.</exception>
    public static ResumeState Read(ReadOnlySpan<byte> bytes, string file)
    {
        try
        {
            var r = new ApplicationDataReader(bytes, file);
            if (r.ReadString("resume-state tag") != Magic)
            {
                throw new UsageException($"'{file}' is a valid checkpoint but holds no resume state of 'ngd' (unknown resume-state tag).");
            }

            string fingerprint = r.ReadString("fingerprint");
            int runIndex = r.ReadInt32("run index", 0, 9_999);
            long examples = r.ReadInt64("examples", 0);
            long samplerRows = r.ReadInt64("sampler rows", 0);
            long nextEvaluation = r.ReadInt64("next evaluation");
            long nextCheckpoint = r.ReadInt64("next checkpoint");
            double seconds = r.ReadDouble("seconds");
            double initialTest = r.ReadDouble("initial test loss");
            int count = r.ReadInt32("run count", runIndex + 1, runIndex + 1);
            var runs = new List<OptimizerRun>(count);
            for (int i = 0; i < count; i++)
            {
                var run = new OptimizerRun(r.ReadString("run name"), r.ReadDouble("learning rate"), r.ReadInt32("batch"))
                {
                    ExamplesSeen = r.ReadInt64("examples seen"),
                    Seconds = r.ReadDouble("run seconds"),
                    StopReason = r.ReadString("stop reason"),
                };

                // An evaluation point is 58 bytes, so the count cannot promise more than remains.
                int points = r.ReadInt32("point count", 0, r.Remaining / 58);
                for (int j = 0; j < points; j++)
                {
                    long ex = r.ReadInt64("point examples");
                    double sec = r.ReadDouble("point seconds");
                    double train = r.ReadDouble("train loss");
                    double test = r.ReadDouble("test loss");
                    bool hasLambda = r.ReadBoolean("has lambda");
                    double lambda = r.ReadDouble("lambda");
                    bool hasAccuracy = r.ReadBoolean("has accuracy");
                    double trainAccuracy = r.ReadDouble("train accuracy");
                    double testAccuracy = r.ReadDouble("test accuracy");
                    run.Points.Add(new EvaluationPoint(ex, sec, train, test, hasLambda ? lambda : null,
                        hasAccuracy ? trainAccuracy : null, hasAccuracy ? testAccuracy : null));
                }

                runs.Add(run);
            }

            r.EnsureEnd();
            return new ResumeState(fingerprint, runIndex, examples, samplerRows, nextEvaluation, nextCheckpoint, seconds,
                initialTest, runs);
        }
        catch (CheckpointFormatException e)
        {
            throw new UsageException($"'{file}' is a valid checkpoint but holds no resume state of 'ngd' ({e.Message}).");
        }
    }
}
