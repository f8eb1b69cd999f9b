using System.CommandLine;
using System.CommandLine.Parsing;

namespace NgdKernel.Cli;

/// <summary>
/// The options of one experiment command, with that experiment's defaults (shown by --help), and
/// their translation into <see cref="ExperimentSettings"/>. Values are validated while parsing, so
/// a bad value is a parse error (one line, exit code 2).
/// </summary>
internal sealed class ExperimentOptions
{
    private readonly ExperimentSpec spec;

    public ExperimentOptions(ExperimentSpec spec)
    {
        this.spec = spec;
        Optimizers = Define("--optimizers", "Comma-separated optimizers to run: ngd, sgd, sgdm (SGD with momentum).",
            spec.DefaultOptimizers, "list",
            v => ParseOptimizers(v) is null ? "expected a comma-separated list of 'ngd', 'sgd' and 'sgdm'" : null);
        Examples = Define("--examples", "Budget of training examples seen, per optimizer run.", spec.Examples, "N", AtLeastOne);
        Epochs = new Option<double?>("--epochs")
        {
            Description = string.Create(CultureInfo.InvariantCulture,
                $"Budget in passes over the {spec.TrainCount} training examples, per optimizer run (replaces --examples)."),
            HelpName = "E",
        };
        Epochs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is double e && !(e > 0 && e * spec.TrainCount <= long.MaxValue / 2))
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"Invalid value '{e}' for --epochs: must be a positive number."));
            }
        });
        Seconds = Define("--seconds", "Wall-clock cap in seconds per optimizer run (training time; evaluation excluded).",
            spec.Seconds, "S", PositiveNumber);
        Seed = Define("--seed", "Seed of data, initial weights, batch order and sampling.", 1UL, null);
        PrecisionOption = Define("--precision", "Element type: float or double.", "double", "float|double");
        PrecisionOption.AcceptOnlyFromAmong("float", "double");
        Threads = Define("--threads", "Kernel worker threads.", 1, "N", v => v is >= 1 and <= 256 ? null : "must be between 1 and 256");
        Workers = Define("--workers", "Data-parallel training on P silos in this process over loopback TCP (0: one process, no cluster).",
            0, "P", v => v is >= 0 and <= 64 ? null : "must be between 0 and 64");
        Cluster = Define<string?>("--cluster",
            "Gateways HOST:PORT,... of silos started with 'ngd silo' on other machines: --workers P trains there instead of in this process.",
            null, "HOST:PORT,...");
        Out = Define("--out", "Output folder for <experiment>.csv, .png and .json.", "out", "DIR");
        SgdLearningRates = Define("--sgd-lr", "SGD learning rate, or a comma-separated grid searched by final test loss.",
            string.Join(',', spec.SgdLearningRates.Select(v => v.ToString("R", CultureInfo.InvariantCulture))), "list",
            v => ParsePositiveList(v) is null ? "expected positive numbers separated by commas" : null);
        SgdBatch = Define("--sgd-batch", "SGD minibatch size M (also of sgdm).", spec.SgdBatch, "M", AtLeastOne);
        SgdMomentumLearningRates = Define("--sgdm-lr", "Learning rates of SGD with momentum (sgdm), a grid searched like --sgd-lr.",
            string.Join(',', spec.SgdMomentumGrid.Select(v => v.ToString("R", CultureInfo.InvariantCulture))), "list",
            v => ParsePositiveList(v) is null ? "expected positive numbers separated by commas" : null);
        Momentum = Define("--momentum", "Heavy-ball momentum mu of sgdm.", 0.9, "mu",
            v => v is >= 0 and < 1 ? null : "must be in [0, 1)");
        NgdLearningRate = Define("--ngd-lr", "NGD learning rate alpha.", spec.NgdLearningRate, "alpha", PositiveNumber);
        Batch = Define("--batch", "NGD minibatch size M.", spec.NgdBatch, "M", AtLeastOne);
        SampledPasses = Define("--k", "NGD backward passes with targets sampled from the model (K).", spec.SampledPasses, "K", AtLeastOne);
        Fisher = Define("--fisher", "NGD's error covariance: K sampled passes (Eq. 20), or the exact expectation over the output density.",
            "sampled", "sampled|exact");
        Fisher.AcceptOnlyFromAmong("sampled", "exact");
        Inverse = Define("--inverse", "How NGD inverts the damped covariances.", "cholesky", "cholesky|sherman-morrison");
        Inverse.AcceptOnlyFromAmong("cholesky", "sherman-morrison");
        Damping = Define("--damping", "Initial adaptive damping lambda of NGD.", spec.InitialDamping, "lambda", PositiveNumber);
        InversePeriod = Define("--inverse-period",
            "NGD (Cholesky) steps between refreshes of each layer's damped inverses; 1 refactors every step (Eq. 20 exactly).",
            1, "T", AtLeastOne);
        CurvaturePeriod = Define("--curvature-period",
            "NGD (Cholesky) steps between updates of the running covariances (with --inverse-period > 1 or alone).",
            1, "Tc", AtLeastOne);
        CurvatureDecay = Define("--curvature-decay",
            "NGD (amortized): weight of the old running covariance per update, beta in [0, 1).", 0.95, "beta",
            v => v is >= 0 and < 1 ? null : "must be in [0, 1)");
        DampingInterval = Define("--damping-interval", "NGD steps between damping adaptations (Eq. 21).", 1, "N", AtLeastOne);
        DampingFormOption = Define("--damping-form",
            "How NGD damps the two covariances: paper (sqrt(lambda) on both, Eq. 20) or factored (K-FAC's pi split; " +
            "--damping is then lambda at model variance 1 and is divided by the variance, so runs do not depend on it).",
            "paper", "paper|factored");
        DampingFormOption.AcceptOnlyFromAmong("paper", "factored");
        ModelVariance = Define("--model-variance",
            "Variance s of the student's output density N(x_L, s I) used by the optimizers (authors' code: 1).",
            spec.ModelVariance, "s", PositiveNumber);
        EvaluateEvery = Define("--eval-every", "Evaluate train and test loss every N training examples.", spec.EvaluateEvery, "N", AtLeastOne);
        Data = Define("--data", spec.UsesMnist
                ? "Folder with the four MNIST IDX files (fetch: scripts/get-mnist.sh)."
                : "Folder with the MNIST IDX files (used by 'mnist' and 'mnistclass' only).",
            Path.Combine("data", "mnist"), "DIR");
        CheckpointFile = new Option<string?>("--checkpoint")
        {
            Description = "Checkpoint file (network, optimizer state and the run's progress), rewritten atomically every " +
                "--checkpoint-every examples and on Ctrl+C. Default: none, or the --resume file when resuming.",
            HelpName = "FILE",
        };
        CheckpointEvery = Define("--checkpoint-every",
            "Training examples between checkpoints (needs --checkpoint or --resume); default: 10 evaluations.",
            10 * spec.EvaluateEvery, "N", AtLeastOne);
        Resume = new Option<string?>("--resume")
        {
            Description = "Continue the interrupted run saved in this checkpoint (same experiment, options, precision and --threads " +
                "for bit-identical results); checkpoints then go to the same file unless --checkpoint is given.",
            HelpName = "FILE",
        };
    }

    public Option<string> Optimizers { get; }

    public Option<long> Examples { get; }

    public Option<double?> Epochs { get; }

    public Option<string> SgdMomentumLearningRates { get; }

    public Option<double> Momentum { get; }

    public Option<double> Seconds { get; }

    public Option<ulong> Seed { get; }

    public Option<string> PrecisionOption { get; }

    public Option<int> Threads { get; }

    public Option<int> Workers { get; }

    public Option<string?> Cluster { get; }

    public Option<string> Out { get; }

    public Option<string> SgdLearningRates { get; }

    public Option<int> SgdBatch { get; }

    public Option<double> NgdLearningRate { get; }

    public Option<int> Batch { get; }

    public Option<int> SampledPasses { get; }

    public Option<string> Inverse { get; }

    public Option<string> Fisher { get; }

    public Option<double> Damping { get; }

    public Option<int> InversePeriod { get; }

    public Option<int> CurvaturePeriod { get; }

    public Option<int> DampingInterval { get; }

    public Option<double> CurvatureDecay { get; }

    public Option<double> ModelVariance { get; }

    public Option<string> DampingFormOption { get; }

    public Option<long> EvaluateEvery { get; }

    public Option<string> Data { get; }

    public Option<string?> CheckpointFile { get; }

    public Option<long> CheckpointEvery { get; }

    public Option<string?> Resume { get; }

    public IEnumerable<Option> All =>
    [
        Optimizers, Examples, Epochs, Seconds, Seed, PrecisionOption, Threads, Out, SgdLearningRates, SgdBatch,
        SgdMomentumLearningRates, Momentum,
        NgdLearningRate, Batch, SampledPasses, Fisher, Inverse, Damping, DampingFormOption, InversePeriod, CurvaturePeriod,
        CurvatureDecay, DampingInterval, ModelVariance, EvaluateEvery, Data,
        CheckpointFile, CheckpointEvery, Resume, Workers, Cluster,
    ];

    public void AddTo(Command command)
    {
        foreach (Option option in All)
        {
            command.Add(option);
        }
    }

    public ExperimentSettings ToSettings(ParseResult parse)
    {
        if (parse.GetValue(Inverse) == "sherman-morrison" && (parse.GetValue(InversePeriod) > 1 || parse.GetValue(CurvaturePeriod) > 1))
        {
            throw new UsageException("--inverse-period and --curvature-period above 1 need --inverse cholesky (Sherman-Morrison inverses keep their own running average).");
        }

        return ToCheckedSettings(parse);
    }

    private ExperimentSettings ToCheckedSettings(ParseResult parse) => new()
    {
        Spec = spec,
        Optimizers = ParseOptimizers(parse.GetValue(Optimizers)!)!,
        Examples = parse.GetValue(Epochs) is double epochs ? (long)Math.Ceiling(epochs * spec.TrainCount) : parse.GetValue(Examples),
        Seconds = parse.GetValue(Seconds),
        Seed = parse.GetValue(Seed),
        Precision = parse.GetValue(PrecisionOption) == "float" ? Precision.Float : Precision.Double,
        Threads = parse.GetValue(Threads),
        OutputDirectory = parse.GetValue(Out)!,
        SgdLearningRates = ParsePositiveList(parse.GetValue(SgdLearningRates)!)!,
        SgdBatch = parse.GetValue(SgdBatch),
        SgdMomentumLearningRates = ParsePositiveList(parse.GetValue(SgdMomentumLearningRates)!)!,
        SgdMomentum = parse.GetValue(Momentum),
        NgdLearningRate = parse.GetValue(NgdLearningRate),
        NgdBatch = parse.GetValue(Batch),
        SampledPasses = parse.GetValue(SampledPasses),
        ExactFisher = parse.GetValue(Fisher) == "exact",
        Inverse = parse.GetValue(Inverse) == "sherman-morrison" ? InverseMethod.ShermanMorrison : InverseMethod.Cholesky,
        InitialDamping = parse.GetValue(Damping),
        InverseUpdatePeriod = parse.GetValue(InversePeriod),
        CurvatureUpdatePeriod = parse.GetValue(CurvaturePeriod),
        DampingAdaptationInterval = parse.GetValue(DampingInterval),
        CurvatureDecay = parse.GetValue(CurvatureDecay),
        DampingForm = parse.GetValue(DampingFormOption) == "factored" ? NgdKernel.Optimizers.DampingForm.Factored : NgdKernel.Optimizers.DampingForm.Paper,
        ModelVariance = parse.GetValue(ModelVariance),
        EvaluateEvery = parse.GetValue(EvaluateEvery),
        DataDirectory = parse.GetValue(Data)!,
        Checkpoint = ToCheckpointSettings(parse),
        Workers = parse.GetValue(Workers),
        Cluster = parse.GetValue(Cluster),
    };

    private CheckpointSettings? ToCheckpointSettings(ParseResult parse)
    {
        string? path = parse.GetValue(CheckpointFile);
        string? resume = parse.GetValue(Resume);
        bool everyGiven = parse.GetResult(CheckpointEvery) is { Implicit: false };
        if (path is null && resume is null)
        {
            if (everyGiven)
            {
                throw new UsageException("--checkpoint-every needs --checkpoint FILE (or --resume FILE).");
            }

            return null;
        }

        if (path is not null && string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException("--checkpoint needs a file name.");
        }

        if (resume is not null && string.IsNullOrWhiteSpace(resume))
        {
            throw new UsageException("--resume needs a file name.");
        }

        return new CheckpointSettings(path ?? resume, parse.GetValue(CheckpointEvery), resume);
    }

    internal static IReadOnlyList<string>? ParseOptimizers(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is not ("ngd" or "sgd" or "sgdm")) || parts.Distinct().Count() != parts.Length)
        {
            return null;
        }

        return parts;
    }

    internal static IReadOnlyList<double>? ParsePositiveList(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new List<double>();
        foreach (string part in parts)
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || !double.IsFinite(v))
            {
                return null;
            }

            values.Add(v);
        }

        return values.Count == 0 ? null : values;
    }

    private static string? AtLeastOne<TValue>(TValue value)
        where TValue : System.Numerics.IBinaryInteger<TValue> => value >= TValue.One ? null : "must be at least 1";

    private static string? PositiveNumber(double value) => value > 0 && double.IsFinite(value) ? null : "must be a positive number";

    /// <summary>An option with its default (shown by --help) and, when given, a check run while parsing.</summary>
    private static Option<TValue> Define<TValue>(string name, string description, TValue defaultValue, string? helpName,
        Func<TValue, string?>? check = null)
    {
        var option = new Option<TValue>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            HelpName = helpName,
        };
        if (check is not null)
        {
            option.Validators.Add(r => Validate(r, option, check));
        }

        return option;
    }

    private static void Validate<TValue>(OptionResult result, Option<TValue> option, Func<TValue, string?> check)
    {
        if (result.Implicit)
        {
            return;
        }

        TValue? value;
        try
        {
            value = result.GetValueOrDefault<TValue>();
        }
        catch (InvalidOperationException)
        {
            // Not convertible to TValue: the parser reports that error itself.
            return;
        }

        string? problem = value is null ? "is missing" : check(value);
        if (problem is not null)
        {
            string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            result.AddError($"Invalid value '{token}' for {option.Name}: {problem}.");
        }
    }
}
