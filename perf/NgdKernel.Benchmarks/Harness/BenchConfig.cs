using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Reports;
using NgdKernel.Perf.OpenBlas;

namespace NgdKernel.Benchmarks.Harness;

/// <summary>
/// The configuration every benchmark runs with: allocations, GFLOP/s and fraction of peak,
/// GitHub-flavoured Markdown, and OpenBLAS cases dropped (with a note) when it is not installed.
/// Job settings (warm-up, iterations) come from the command line, fixed by <c>perf/run.sh</c>.
/// </summary>
public static class BenchConfig
{
    /// <summary>Category of the benchmarks that call OpenBLAS.</summary>
    public const string OpenBlasCategory = "OpenBLAS";

    /// <summary>Builds the configuration.</summary>
    public static IConfig Create()
    {
        ManualConfig config = ManualConfig.Create(DefaultConfig.Instance)
            .AddDiagnoser(MemoryDiagnoser.Default)
            // The generated project builds while five others compile on the same two cores.
            .WithBuildTimeout(TimeSpan.FromMinutes(10))
            .AddColumn(GflopsColumn.Instance, PeakFractionColumn.Instance)
            .HideColumns(Column.Error, Column.StdDev, Column.Gen0, Column.RatioSD, Column.AllocRatio)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value))
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(
                BenchmarkDotNet.Order.SummaryOrderPolicy.Declared, BenchmarkDotNet.Order.MethodOrderPolicy.Declared));

        if (!OpenBlasLibrary.IsInstalled())
        {
            Console.WriteLine(
                $"note: OpenBLAS is not installed, so its benchmarks are skipped; install it with: {OpenBlasLibrary.InstallHint}");
            config = config.AddFilter(new SimpleFilter(c => !c.Descriptor.Categories.Contains(OpenBlasCategory)));
        }

        return config;
    }
}
