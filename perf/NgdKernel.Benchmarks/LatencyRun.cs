using System.Diagnostics;
using System.Globalization;

namespace NgdKernel.Benchmarks;

/// <summary>
/// Step latency for embedded online learning: the small network of
/// <see cref="Architecture.Small"/> (4 tanh layers of width 32, biases) at M = 32, stepping
/// 10^5 times per optimizer after 10^3 warm-up steps; reports p50, p99 and max of the individual
/// step times, the garbage collections and the bytes allocated during the timed steps.
/// BenchmarkDotNet reports means, not tails, so this is a plain timed loop
/// (<c>NgdKernel.Benchmarks latency [steps]</c>, run by <c>perf/run.sh Latency</c>).
/// </summary>
/// <remarks>
/// The optimizers, each on its own copy of the network, step in turn (SGD, NGD Cholesky,
/// NGD Sherman-Morrison, NGD with amortized curvature in two settings, SGD, ...), so a slow phase of the shared
/// machine falls on all of them alike and each ratio to SGD compares steps taken within microseconds of each other; run one
/// after another, 10^5 steps each, the SGD and NGD medians came from phases minutes apart and the
/// float NGD ratio read 3.62 and 3.90 in two runs on the Intel machine. The five networks and their
/// optimizer buffers together stay well inside the 2 MiB L2.
/// Allocated sums the thread's allocation counter read around each Step call alone, outside the
/// timed window: read around the whole loop, it once showed 12,336 B in double that no Step call
/// had allocated in a rerun counting each call.
/// <para>Each step is also timed in the thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>, read
/// just outside the wall-clock reads, so it includes them): time the thread spent off the core,
/// preempted by other processes on a shared machine, counts in the wall-clock tail but not in this
/// one, which is therefore the tail of the step's own work (refreshes, damping adaptations, cache
/// misses). NaN where that clock is not available.</para>
/// </remarks>
public static partial class LatencyRun
{
    private const int Batch = 32;

    private const int WarmupSteps = 1000;

    /// <summary>Runs every optimizer in float and double and prints a Markdown table.</summary>
    public static void Run(int steps, TextWriter output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        output.WriteLine($"Network {string.Join('-', Architecture.Small.Widths)}, tanh hidden, biases, M = {Batch}, " +
            $"{steps:N0} timed steps per optimizer after {WarmupSteps:N0} warm-up steps, the optimizers " +
            $"stepping in turn, 1 thread, path {BenchContext.Path}. T = {Architecture.AmortizedPeriod}: amortized curvature, " +
            $"each layer's inverses refreshed and the damping adapted every {Architecture.AmortizedPeriod} steps, running covariances " +
            $"updated every step, or with Tc = {Architecture.AmortizedPeriod} every {Architecture.AmortizedPeriod} steps. GCs count collections during all " +
            "optimizers' timed steps; Allocated sums the bytes each optimizer's own Step calls allocated.");
        output.WriteLine();
        output.WriteLine("| Precision | Optimizer | p50 (us) | p99 (us) | max (us) | mean (us) | Ratio p50 to SGD | Ratio p99 to p50 | CPU p50 (us) | CPU p99 (us) | CPU ratio p99 to p50 | GCs (gen0/1/2) | Allocated |");
        output.WriteLine("|---------- |---------- |---------:|---------:|---------:|----------:|-----------------:|-----------------:|-------------:|-------------:|---------------------:|:--------------:|----------:|");
        Run<float>("float", steps, output);
        Run<double>("double", steps, output);
    }

    private static void Run<T>(string precision, int steps, TextWriter output)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Architecture architecture = Architecture.Small;
        using var context = new KernelContext(1, BenchContext.Path);
        (Matrix<T> inputs, Matrix<T> targets) = StepData.Create<T>(architecture, Batch, context);
        // The first is the baseline of the ratio column.
        (string Name, StepMethod Method)[] cases =
        [
            ("SGD", StepMethod.Sgd), ("NGD Cholesky", StepMethod.NgdCholesky),
            ("NGD Sherman-Morrison", StepMethod.NgdShermanMorrison),
            ($"NGD T = {Architecture.AmortizedPeriod}", StepMethod.NgdAmortized),
            ($"NGD T = Tc = {Architecture.AmortizedPeriod}", StepMethod.NgdAmortizedStatistics),
        ];
        IOptimizer<T>[] optimizers = [.. cases.Select(c => architecture.CreateOptimizer(c.Method, new Network<T>(architecture.Options(seed: 1), context)))];

        for (int i = 0; i < WarmupSteps; i++)
        {
            foreach (IOptimizer<T> optimizer in optimizers)
            {
                optimizer.Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
            }
        }

        bool clock = ThreadCpuNanoseconds() >= 0; // also binds the native call before anything is counted
        long[][] ticks = [.. optimizers.Select(_ => new long[steps])];
        long[][] cpu = [.. optimizers.Select(_ => new long[steps])];
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long[] allocated = new long[optimizers.Length];
        for (int i = 0; i < steps; i++)
        {
            for (int o = 0; o < optimizers.Length; o++)
            {
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                long cpuStart = ThreadCpuNanoseconds();
                long start = Stopwatch.GetTimestamp();
                optimizers[o].Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
                long end = Stopwatch.GetTimestamp();
                cpu[o][i] = ThreadCpuNanoseconds() - cpuStart;
                allocated[o] += GC.GetAllocatedBytesForCurrentThread() - bytes;
                ticks[o][i] = end - start;
            }
        }

        string collections = $"{GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}";
        double sgdMedian = double.NaN;
        int p99Index = (int)Math.Min(steps - 1, (long)steps * 99 / 100);
        for (int o = 0; o < optimizers.Length; o++)
        {
            long[] times = ticks[o];
            double mean = Micro(times.Average());
            Array.Sort(times);
            double p50 = Micro(times[steps / 2]), p99 = Micro(times[p99Index]);
            double max = Micro(times[^1]);
            long[] own = cpu[o];
            Array.Sort(own);
            double cpu50 = clock ? own[steps / 2] / 1e3 : double.NaN;
            double cpu99 = clock ? own[p99Index] / 1e3 : double.NaN;
            if (o == 0)
            {
                sgdMedian = p50;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {precision} | {cases[o].Name} | {p50:F1} | {p99:F1} | {max:F1} | {mean:F1} | {p50 / sgdMedian:F2} | {p99 / p50:F2} | {cpu50:F1} | {cpu99:F1} | {cpu99 / cpu50:F2} | {collections} | {allocated[o]} B |"));
        }

        static double Micro(double ticks) => ticks * 1e6 / Stopwatch.Frequency;
    }

    /// <summary>The calling thread's CPU time in nanoseconds; -1 where the clock is unavailable (the table then shows NaN).</summary>
    private static long ThreadCpuNanoseconds()
    {
        const int threadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID
        if (!OperatingSystem.IsLinux() || ReadClock(threadCpuClock, out CpuTime now) != 0)
        {
            return -1;
        }

        return (now.Seconds * 1_000_000_000) + now.Nanoseconds;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ReadClock(int clock, out CpuTime time);

    /// <summary>The C <c>timespec</c> of 64-bit Linux.</summary>
    private struct CpuTime
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
