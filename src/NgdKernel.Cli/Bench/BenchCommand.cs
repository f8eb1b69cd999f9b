using System.Globalization;
using System.Numerics;
using NgdKernel.Kernels;

namespace NgdKernel.Cli.Bench;

/// <summary>
/// <c>ngd bench [gemm|syrk|chol|step|peak|all] [--precision float|double|both] [--threads N]
/// [--json FILE] [--openblas auto|env]</c>: a quick (under a minute) table of GFLOP/s, OpenBLAS's
/// GFLOP/s on the same case when <c>libopenblas0</c> is installed, and the fraction of the measured
/// FMA peak. BenchmarkDotNet's suite in <c>perf/</c> is the place for publishable numbers.
/// </summary>
internal static class BenchCommand
{
    private const string Usage = """
        usage: ngd bench [gemm|syrk|chol|step|peak|all] [--precision float|double|both]
                         [--threads N] [--json FILE] [--openblas auto|env]

          kernels      what to time (default all); peak always runs, as the yardstick
          --precision  element type (default both)
          --threads    threads for NgdKernel and OpenBLAS (default 1)
          --json FILE  also write the rows as a JSON array
          --openblas   auto: unset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE before loading it, so OpenBLAS
                       picks its kernels for this CPU (default; the faster, so the fair bar);
                       env: keep the environment's settings
        """;

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        HashSet<string> kernels = [];
        string precision = "both";
        int threads = 1;
        string? jsonPath = null;
        bool automatic = true;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (arg)
            {
                case "gemm" or "syrk" or "chol" or "step" or "peak" or "all":
                    kernels.Add(arg);
                    break;
                case "--precision" when Next() is string p && p is "float" or "double" or "both":
                    precision = p;
                    break;
                case "--threads" when int.TryParse(Next(), CultureInfo.InvariantCulture, out int t)
                                      && t >= 1 && t <= KernelContext.MaxThreadCount:
                    threads = t;
                    break;
                case "--json" when Next() is string file:
                    jsonPath = file;
                    break;
                case "--openblas" when Next() is string mode && mode is "auto" or "env":
                    automatic = mode == "auto";
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"ngd bench: unexpected or invalid argument '{arg}'.");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        if (kernels.Count == 0 || kernels.Contains("all"))
        {
            kernels = ["gemm", "syrk", "chol", "step"];
        }

        string? openBlas = OpenBlasInterop.Load(automatic, threads);
        Console.WriteLine(openBlas ?? $"OpenBLAS not installed (no OpenBLAS columns); install it with: {OpenBlasInterop.InstallHint}");
        // The widest path unless NGD_KERNEL_PATH forces one (named explicitly, not left to a default).
        KernelPath path = string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KernelPaths.EnvironmentVariable))
            ? KernelPaths.Widest
            : KernelPaths.Best;
        Console.WriteLine($"NgdKernel path {path}, {threads} thread(s), {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine(BenchRow.Header);

        List<BenchRow> rows = [];
        using var context = new KernelContext(threads, path);
        foreach (string name in (string[])["float", "double"])
        {
            if (precision != "both" && precision != name)
            {
                continue;
            }

            var settings = new BenchSettings(name, threads, context, openBlas);
            IEnumerable<BenchRow> results = name == "float"
                ? RunPrecision<float>(kernels, settings)
                : RunPrecision<double>(kernels, settings);
            foreach (BenchRow row in results)
            {
                Console.WriteLine(row.ToLine());
                rows.Add(row);
            }
        }

        if (jsonPath is not null)
        {
            using FileStream file = File.Create(jsonPath);
            BenchRow.WriteJson(file, rows);
            Console.WriteLine($"wrote {rows.Count} rows to {jsonPath}");
        }

        return 0;
    }

    private static IEnumerable<BenchRow> RunPrecision<T>(HashSet<string> kernels, BenchSettings settings)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double peak = FmaPeak.Measure<T>(settings.Threads);
        yield return new BenchRow("peak", FmaPeak.Width, settings.PrecisionName, 0, 0, 0, settings.Threads,
            peak, null, peak, 0);

        if (kernels.Contains("gemm"))
        {
            foreach (BenchRow row in KernelCases.Gemm<T>(settings, peak))
            {
                yield return row;
            }
        }

        if (kernels.Contains("syrk"))
        {
            foreach (BenchRow row in KernelCases.Syrk<T>(settings, peak))
            {
                yield return row;
            }
        }

        if (kernels.Contains("chol"))
        {
            foreach (BenchRow row in KernelCases.Cholesky<T>(settings, peak))
            {
                yield return row;
            }
        }

        if (kernels.Contains("step"))
        {
            foreach (BenchRow row in StepCases.Run<T>(settings, peak))
            {
                yield return row;
            }
        }
    }
}
