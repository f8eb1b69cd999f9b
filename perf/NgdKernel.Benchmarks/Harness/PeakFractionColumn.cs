using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NgdKernel.Perf.Peak;

namespace NgdKernel.Benchmarks.Harness;

/// <summary>
/// GFLOP/s as a fraction of the machine's FMA peak for the case's element type and thread count:
/// threads x the single-thread peak that <see cref="FmaPeak.Measure{T}(int)"/> measures
/// in the host process (the best of several short runs of the widest vector kernel with 12
/// independent accumulators, the same kernel as <c>PeakBench</c>).
/// </summary>
public sealed class PeakFractionColumn() : MetricColumn("Peak", 1)
{
    /// <summary>The single instance.</summary>
    public static readonly PeakFractionColumn Instance = new();

    private static readonly Lazy<double> FloatPeak = new(() => FmaPeak.Measure<float>());
    private static readonly Lazy<double> DoublePeak = new(() => FmaPeak.Measure<double>());

    /// <inheritdoc/>
    public override string Legend =>
        $"GFLOP/s as a fraction of threads x the single-thread FMA peak measured by the host " +
        $"(float {FloatPeak.Value:F1}, double {DoublePeak.Value:F1} GFLOP/s per thread)";

    /// <inheritdoc/>
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        double gflops = GflopsColumn.Gflops(summary, benchmarkCase);
        Type? element = ElementType(benchmarkCase);
        if (double.IsNaN(gflops) || element is null)
        {
            return "-";
        }

        double peak = (element == typeof(float) ? FloatPeak.Value : DoublePeak.Value) * Threads(benchmarkCase);
        return (gflops / peak).ToString("P0", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The case's thread count: an <see cref="IThreadCount"/> parameter, else an <c>int</c>
    /// parameter named <c>Threads</c>, else 1.</summary>
    public static int Threads(BenchmarkCase benchmarkCase)
    {
        foreach (var item in benchmarkCase.Parameters.Items)
        {
            if (item.Value is IThreadCount count)
            {
                return count.Threads;
            }

            if (item.Name == "Threads" && item.Value is int threads)
            {
                return threads;
            }
        }

        return 1;
    }

    private static Type? ElementType(BenchmarkCase benchmarkCase)
    {
        Type type = benchmarkCase.Descriptor.Type;
        Type[] arguments = type.IsGenericType ? type.GetGenericArguments() : [];
        return arguments is [Type t] && (t == typeof(float) || t == typeof(double)) ? t : null;
    }
}
