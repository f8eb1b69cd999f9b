using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using NgdKernel.Benchmarks.Harness;
using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

namespace NgdKernel.Benchmarks;

/// <summary>
/// Step latency for embedded online learning (issue 5, item 7): the small network of
/// <see cref="Architecture.Small"/> (4 tanh layers of width 32, biases) at M = 32, stepping
/// 10^5 times per optimizer after 10^3 warm-up steps; reports p50, p99 and max of the individual
/// step times, the garbage collections and the bytes allocated during the timed steps.
/// BenchmarkDotNet reports means, not tails, so this is a plain timed loop
/// (<c>NgdKernel.Benchmarks latency [steps]</c>, run by <c>perf/run.sh Latency</c>).
/// </summary>
public static class LatencyRun
{
    private const int Batch = 32;

    /// <summary>Runs every optimizer in float and double and prints a Markdown table.</summary>
    public static void Run(int steps, TextWriter output)
    {
        output.WriteLine($"Network {string.Join('-', Architecture.Small.Widths)}, tanh hidden, biases, M = {Batch}, " +
            $"{steps:N0} timed steps after 1,000 warm-up steps, 1 thread, path {BenchContext.Path}.");
        output.WriteLine();
        output.WriteLine("| Precision | Optimizer | p50 (us) | p99 (us) | max (us) | mean (us) | Ratio p50 to SGD | GCs (gen0/1/2) | Allocated |");
        output.WriteLine("|---------- |---------- |---------:|---------:|---------:|----------:|-----------------:|:--------------:|----------:|");
        Run<float>("float", steps, output);
        Run<double>("double", steps, output);
    }

    private static void Run<T>(string precision, int steps, TextWriter output)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Architecture architecture = Architecture.Small;
        using var context = new KernelContext(1, BenchContext.Path);
        (Matrix<T> inputs, Matrix<T> targets) = StepData.Create<T>(architecture, Batch, context);
        double sgdMedian = double.NaN;
        foreach (string name in (string[])["SGD", "NGD Cholesky", "NGD Sherman-Morrison"])
        {
            var network = new Network<T>(architecture.Options(seed: 1), context);
            IOptimizer<T> optimizer = name switch
            {
                "SGD" => new SgdOptimizer<T>(network, new SgdOptions { LearningRate = architecture.SgdLearningRate }),
                "NGD Cholesky" => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions
                { InitialDamping = architecture.InitialDamping, Inverse = CurvatureInverse.Cholesky }),
                _ => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions
                { InitialDamping = architecture.InitialDamping, Inverse = CurvatureInverse.ShermanMorrison }),
            };

            for (int i = 0; i < 1000; i++)
            {
                optimizer.Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
            }

            long[] ticks = new long[steps];
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < steps; i++)
            {
                long start = Stopwatch.GetTimestamp();
                optimizer.Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
                ticks[i] = Stopwatch.GetTimestamp() - start;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            string collections = $"{GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}";
            double mean = ticks.Average() * 1e6 / Stopwatch.Frequency;
            Array.Sort(ticks);
            double Micro(long t) => t * 1e6 / Stopwatch.Frequency;
            double p50 = Micro(ticks[steps / 2]), p99 = Micro(ticks[(int)Math.Min(steps - 1, (long)steps * 99 / 100)]);
            double max = Micro(ticks[^1]);
            if (name == "SGD")
            {
                sgdMedian = p50;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {precision} | {name} | {p50:F1} | {p99:F1} | {max:F1} | {mean:F1} | {p50 / sgdMedian:F2} | {collections} | {allocated} B |"));
        }
    }
}
