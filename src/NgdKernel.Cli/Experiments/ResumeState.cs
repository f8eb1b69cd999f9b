using System.Globalization;
using System.Text;

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
internal sealed class ResumeState
{
    private const string Magic = "ngd-cli-resume/1";

    /// <summary>The options that decide the results; a resume must use the same ones.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Index of the run in progress in the order of the grid (ngd, then each SGD rate).</summary>
    public required int RunIndex { get; init; }

    public required long Examples { get; init; }

    /// <summary>Rows of the training set drawn by the batch sampler so far.</summary>
    public required long SamplerRows { get; init; }

    public required long NextEvaluation { get; init; }

    public required long NextCheckpoint { get; init; }

    public required double Seconds { get; init; }

    public required double InitialTest { get; init; }

    /// <summary>Finished runs, then the run in progress (its points so far).</summary>
    public required IReadOnlyList<OptimizerRun> Runs { get; init; }

    public static string FingerprintOf(ExperimentSettings s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Spec.Id} seed={s.Seed} precision={s.Precision} optimizers={string.Join(',', s.Optimizers)} " +
        $"sgd-lr={string.Join(',', s.SgdLearningRates.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))} sgd-batch={s.SgdBatch} " +
        $"ngd-lr={s.NgdLearningRate:R} batch={s.NgdBatch} k={s.SampledPasses} inverse={s.Inverse} damping={s.InitialDamping:R} " +
        $"model-variance={s.ModelVariance:R} eval-every={s.EvaluateEvery}");

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
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
                }
            }
        }

        return stream.ToArray();
    }

    /// <summary>Reads the state written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="UsageException">The bytes are not a resume state of this version of ngd.</exception>
    public static ResumeState FromBytes(byte[] bytes, string file)
    {
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            if (r.ReadString() != Magic)
            {
                throw new InvalidDataException("unknown resume-state tag");
            }

            string fingerprint = r.ReadString();
            int runIndex = r.ReadInt32();
            long examples = r.ReadInt64();
            long samplerRows = r.ReadInt64();
            long nextEvaluation = r.ReadInt64();
            long nextCheckpoint = r.ReadInt64();
            double seconds = r.ReadDouble();
            double initialTest = r.ReadDouble();
            int count = r.ReadInt32();
            if (count < 1 || count > 10_000 || runIndex != count - 1 || examples < 0 || samplerRows < 0)
            {
                throw new InvalidDataException("inconsistent run counters");
            }

            var runs = new List<OptimizerRun>(count);
            for (int i = 0; i < count; i++)
            {
                var run = new OptimizerRun(r.ReadString(), r.ReadDouble(), r.ReadInt32())
                {
                    ExamplesSeen = r.ReadInt64(),
                    Seconds = r.ReadDouble(),
                    StopReason = r.ReadString(),
                };
                int points = r.ReadInt32();
                if (points < 0 || points > (bytes.Length - stream.Position) / 40)
                {
                    throw new InvalidDataException("bad point count");
                }

                for (int j = 0; j < points; j++)
                {
                    long ex = r.ReadInt64();
                    double sec = r.ReadDouble();
                    double train = r.ReadDouble();
                    double test = r.ReadDouble();
                    bool hasLambda = r.ReadBoolean();
                    double lambda = r.ReadDouble();
                    run.Points.Add(new EvaluationPoint(ex, sec, train, test, hasLambda ? lambda : null));
                }

                runs.Add(run);
            }

            if (stream.Position != bytes.Length)
            {
                throw new InvalidDataException("trailing bytes");
            }

            return new ResumeState
            {
                Fingerprint = fingerprint,
                RunIndex = runIndex,
                Examples = examples,
                SamplerRows = samplerRows,
                NextEvaluation = nextEvaluation,
                NextCheckpoint = nextCheckpoint,
                Seconds = seconds,
                InitialTest = initialTest,
                Runs = runs,
            };
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException or FormatException)
        {
            throw new UsageException($"'{file}' is a valid checkpoint but holds no resume state of 'ngd' ({e.Message}).");
        }
    }
}
