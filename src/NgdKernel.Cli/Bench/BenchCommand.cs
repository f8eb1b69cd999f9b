using System.CommandLine;
using NgdKernel.Perf.Cases;
using NgdKernel.Perf.OpenBlas;
using NgdKernel.Perf.Peak;

namespace NgdKernel.Cli.Bench;

/// <summary>
/// <c>ngd bench [gemm|syrk|chol|step|peak|all] [--precision float|double|both] [--threads N]
/// [--json FILE] [--openblas auto|env] [--shape MxKxN]</c>: a quick (under a minute) table of GFLOP/s, OpenBLAS's
/// GFLOP/s on the same case when <c>libopenblas0</c> is installed, and the fraction of the measured
/// FMA peak. BenchmarkDotNet's suite in <c>perf/</c> is the place for publishable numbers.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Builds the <c>bench</c> command; its action writes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var kernels = new Argument<string[]>("kernels")
        {
            Description = "What to time: gemm, syrk, chol, step, peak or all (default all). " +
                "The FMA peak always runs, as the yardstick for the fraction of peak.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        kernels.AcceptOnlyFromAmong("gemm", "syrk", "chol", "step", "peak", "all");

        var precision = new Option<string>("--precision")
        {
            Description = "Element type: float, double or both.",
            DefaultValueFactory = _ => "both",
            HelpName = "float|double|both",
        };
        precision.AcceptOnlyFromAmong("float", "double", "both");

        var threads = new Option<int>("--threads")
        {
            Description = "Threads for NgdKernel and OpenBLAS.",
            DefaultValueFactory = _ => 1,
            HelpName = "N",
        };
        threads.Validators.Add(result =>
        {
            if (!result.Implicit && result.GetValueOrDefault<int>() is < 1 or > KernelContext.MaxThreadCount)
            {
                result.AddError($"--threads must be between 1 and {KernelContext.MaxThreadCount}.");
            }
        });

        var json = new Option<string?>("--json")
        {
            Description = "Also write the rows as a JSON array to FILE.",
            HelpName = "FILE",
        };

        var openBlas = new Option<string>("--openblas")
        {
            Description = "auto: unset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE before loading OpenBLAS, so it picks " +
                "its kernels for this CPU (the faster, so the fair bar); env: keep the environment's settings.",
            DefaultValueFactory = _ => "auto",
            HelpName = "auto|env",
        };
        openBlas.AcceptOnlyFromAmong("auto", "env");

        var shape = new Option<string?>("--shape")
        {
            Description = "Only the GEMM cases of this shape (e.g. 1000x784x400), for quick repeated comparisons.",
            HelpName = "MxKxN",
        };

        var command = new Command("bench", "Quick GFLOP/s table of the kernels and a training step, against OpenBLAS " +
            "when installed and as a fraction of the measured FMA peak (under a minute).")
        {
            kernels, precision, threads, json, openBlas, shape,
        };
        command.SetAction(parse => Run(
            parse.GetValue(kernels) ?? [], parse.GetValue(precision) ?? "both", parse.GetValue(threads),
            parse.GetValue(json), parse.GetValue(openBlas) != "env", output, parse.GetValue(shape)));
        return command;
    }

    /// <summary>Runs the benchmarks; returns the exit code.</summary>
    public static int Run(IReadOnlyCollection<string> kernelNames, string precision, int threads, string? jsonPath,
        bool automatic, TextWriter output, string? gemmShape = null)
    {
        HashSet<string> kernels = [.. kernelNames];
        if (kernels.Count == 0 || kernels.Contains("all"))
        {
            kernels = ["gemm", "syrk", "chol", "step"];
        }

        OpenBlasProbe probe = OpenBlasLibrary.Load(
            automatic ? OpenBlasCoreSelection.Automatic : OpenBlasCoreSelection.Environment, threads);
        string? openBlas = probe.IsInstalled
            ? $"OpenBLAS core {probe.CoreName} ({(probe.Settings.Count == 0 ? "no OPENBLAS_* settings" : string.Join(' ', probe.Settings))}), {threads} thread(s)"
            : null;
        output.WriteLine(openBlas ?? $"OpenBLAS not installed (no OpenBLAS columns); install it with: {OpenBlasLibrary.InstallHint}");

        KernelPath path = BenchContext.Path;
        output.WriteLine($"NgdKernel path {path}, {threads} thread(s), {Environment.ProcessorCount} cores");
        using var context = new KernelContext(threads, path);
        output.WriteLine(KernelPathLine.Describe(context.Path));
        output.WriteLine();
        output.WriteLine(BenchRow.Header);

        List<BenchRow> rows = [];
        foreach (string name in (string[])["float", "double"])
        {
            if (precision != "both" && precision != name)
            {
                continue;
            }

            var settings = new BenchSettings(name, threads, context, openBlas, gemmShape);
            IEnumerable<BenchRow> results = name == "float"
                ? RunPrecision<float>(kernels, settings)
                : RunPrecision<double>(kernels, settings);
            foreach (BenchRow row in results)
            {
                output.WriteLine(row.ToLine());
                rows.Add(row);
            }
        }

        if (rows.Any(r => r.FractionOfPeak > 1))
        {
            output.WriteLine($"{BenchRow.AbovePeakMark} above the FMA peak measured on the same path: the peak run was " +
                "slowed (another process on the core, or a clock change); the fraction shows 100 %. Rerun on a quiet machine.");
        }

        WriteStepRatios(rows, output);
        if (jsonPath is not null)
        {
            using FileStream file = File.Create(jsonPath);
            BenchRow.WriteJson(file, rows);
            output.WriteLine($"wrote {rows.Count} rows to {jsonPath}");
        }

        return 0;
    }

    /// <summary>
    /// Per precision and NGD optimizer: the step time against SGD's at equal batch,
    /// and the step's counted GFLOP/s against the rate of its own matrix products (row
    /// <c>gemm step-shapes</c>), so the cost of everything that is not a GEMM reads as one number.
    /// </summary>
    private static void WriteStepRatios(List<BenchRow> rows, TextWriter output)
    {
        foreach (string name in (string[])["float", "double"])
        {
            BenchRow? sgd = rows.Find(r => r.Kernel == "step" && r.Op == "sgd" && r.Precision == name);
            BenchRow? products = rows.Find(r => r.Kernel == "gemm" && r.Op == "step-shapes" && r.Precision == name);
            foreach (BenchRow row in rows.Where(r => r.Kernel == "step" && r.Op != "sgd" && r.Precision == name))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name} {row.Op} / sgd step time at M={row.M}: {row.Seconds / sgd!.Seconds:F2}"));
            }

            foreach (BenchRow row in rows.Where(r => r.Kernel == "step" && r.Op != "sgd" && r.Precision == name))
            {
                // Sherman-Morrison steps have no flop count (their rank-1 updates vary from step to step).
                string rate = double.IsFinite(row.Gflops) && products is { Gflops: > 0 }
                    ? (row.Gflops / products.Gflops).ToString("F2", CultureInfo.InvariantCulture)
                    : "- (no flop count)";
                output.WriteLine($"{name} {row.Op}: NGD step rate / GEMM rate at the step's shapes: {rate}");
            }
        }
    }

    private static IEnumerable<BenchRow> RunPrecision<T>(HashSet<string> kernels, BenchSettings settings)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelCases.LetOpenBlasThreadsPark(settings); // after the other precision's OpenBLAS cases
        double peak = FmaPeak.Measure<T>(settings.Threads, settings.Context.Path);
        yield return new BenchRow("peak", FmaPeak.Width(settings.Context.Path), settings.PrecisionName, 0, 0, 0, settings.Threads,
            peak, null, peak, 0);

        foreach ((string name, Func<BenchSettings, double, IEnumerable<BenchRow>> cases) in Cases<T>())
        {
            if (kernels.Contains(name))
            {
                foreach (BenchRow row in cases(settings, peak))
                {
                    yield return row;
                }
            }
        }
    }

    private static (string Name, Func<BenchSettings, double, IEnumerable<BenchRow>> Cases)[] Cases<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        [("gemm", KernelCases.Gemm<T>), ("syrk", KernelCases.Syrk<T>), ("chol", KernelCases.Cholesky<T>), ("step", StepCases.Run<T>)];
}
