using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NgdKernel.Benchmarks.Harness;

/// <summary>
/// GFLOP/s of a case: the <see cref="IFlopCount.Flops"/> of its parameter divided by the mean
/// time (Sep's MB/s column, for flops). Shows "-" for cases without a flop count.
/// </summary>
public sealed class GflopsColumn() : MetricColumn("GFLOP/s", 0)
{
    /// <summary>The single instance.</summary>
    public static readonly GflopsColumn Instance = new();

    /// <inheritdoc/>
    public override string Legend =>
        "Billions of floating-point operations per second: the case's flop count (GEMM 2mnk, SYRK n(n+1)k, " +
        "Cholesky + two-sided solve n^3/3 + 4n^3, peak 2 x lanes x FMAs) over the mean time";

    /// <inheritdoc/>
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        Format(Gflops(summary, benchmarkCase));

    /// <summary>GFLOP/s of the case, or NaN when it has no flop count or no result.</summary>
    public static double Gflops(Summary summary, BenchmarkCase benchmarkCase)
    {
        double flops = double.NaN;
        foreach (var item in benchmarkCase.Parameters.Items)
        {
            if (item.Value is IFlopCount count)
            {
                flops = count.Flops;
            }
            else if (item.Value is IMethodFlopCount perMethod)
            {
                flops = perMethod.FlopsFor(benchmarkCase.Descriptor.WorkloadMethod.Name);
            }
        }

        var statistics = summary[benchmarkCase]?.ResultStatistics;
        return double.IsNaN(flops) || statistics is null || statistics.Mean <= 0
            ? double.NaN
            : flops / statistics.Mean; // flops per nanosecond = GFLOP/s
    }

    internal static string Format(double value) =>
        double.IsNaN(value) ? "-" : value.ToString(value >= 100 ? "F1" : "F2", System.Globalization.CultureInfo.InvariantCulture);
}
