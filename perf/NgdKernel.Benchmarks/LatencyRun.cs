using System.Diagnostics;
using System.Globalization;

namespace NgdKernel.Benchmarks;

/// <summary>
/// Step latency for embedded online learning: the small network of
/// <see cref="Architecture.Small"/> (4 tanh layers of width 32, biases) at M = 32, stepping
/// 10^5 times per optimizer after at least 10^3 warm-up steps and a second without JIT activity; reports p10, p50, p99 and max of the individual
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

    /// <summary>How long the JIT must have compiled nothing before the timed steps start.</summary>
    private static readonly TimeSpan QuietJitTime = TimeSpan.FromSeconds(1);

    /// <summary>The longest warm-up, in case a method keeps being compiled.</summary>
    private const int MaxWarmupSeconds = 30;

    /// <summary>Runs every optimizer in float and double and prints a Markdown table.</summary>
    public static void Run(int steps, TextWriter output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        output.WriteLine($"Network {string.Join('-', Architecture.Small.Widths)}, tanh hidden, biases, M = {Batch}, " +
            $"{steps:N0} timed steps per optimizer after at least {WarmupSteps:N0} warm-up steps and until the JIT had compiled nothing for {QuietJitTime.TotalSeconds:F0} s, the optimizers " +
            $"stepping in turn, 1 thread, path {BenchContext.Path}. T = {Architecture.AmortizedPeriod}: amortized curvature, " +
            $"each layer's inverses refreshed and the damping adapted every {Architecture.AmortizedPeriod} steps, running covariances " +
            $"updated every step, or with Tc = {Architecture.AmortizedPeriod} every {Architecture.AmortizedPeriod} steps. GCs count collections during all " +
            "optimizers' timed steps; Allocated sums the bytes each optimizer's own Step calls allocated.");
        output.WriteLine();
        output.WriteLine("| Precision | Optimizer | p10 (us) | p50 (us) | p99 (us) | max (us) | mean (us) | Ratio p50 to SGD | Ratio p99 to p50 | CPU p50 (us) | CPU p99 (us) | CPU ratio p99 to p50 | GCs (gen0/1/2) | Allocated |");
        output.WriteLine("|---------- |---------- |---------:|---------:|---------:|---------:|----------:|-----------------:|-----------------:|-------------:|-------------:|---------------------:|:--------------:|----------:|");
        (_, _, TimeSpan floatPause) = Run<float>("float", steps, output);
        (double sgd, double ngd, TimeSpan doublePause) = Run<double>("double", steps, output);

        // The ratio the p50 ratio would have if the NGD-only work ran at SGD's rate: a floor for the
        // per-step NGD row unless its own kernels outrun SGD's forward and backward products.
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Counted flops per step (`FlopsPerStep`; element-wise work not counted): SGD {sgd:N0}, NGD Cholesky {ngd:N0}, {ngd / sgd:F2}x SGD's."));
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Runtime pauses during the timed steps (`GC.GetTotalPauseDuration`, with or without a collection): float {floatPause.TotalMicroseconds:F0} us, double {doublePause.TotalMicroseconds:F0} us."));
    }

    /// <summary>
    /// One precision's rows; returns the counted flops of one SGD and one per-step NGD Cholesky step, and how
    /// long the runtime paused the threads during the timed steps.
    /// </summary>
    /// <remarks>Compiled optimized at once: left to tiering, this loop itself was replaced on the stack (OSR) during the timed steps.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (double Sgd, double Ngd, TimeSpan Pause) Run<T>(string precision, int steps, TextWriter output)
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

        // Warm up until tiered compilation has settled: at least WarmupSteps rounds, then rounds until
        // the JIT has compiled nothing for QuietJitTime. After 10^3 rounds alone, methods of the periodic
        // work (refreshes every 10 steps) were still being promoted during the timed steps, one step took
        // 4.5 ms, and now and then a step was charged 8,136 B (one allocation quantum) while the runtime
        // paused the thread without a collection (GC.GetTotalPauseDuration grew). With tiering off
        // (DOTNET_TieredCompilation=0: compiled once, as a Native AOT build is) six runs had neither;
        // with it on and this warm-up, two of six still had one such pause in the double rows.
        long compiled = -1;
        long quietSince = Stopwatch.GetTimestamp();
        long giveUp = quietSince + (MaxWarmupSeconds * Stopwatch.Frequency);
        for (int i = 0; i < WarmupSteps || Stopwatch.GetElapsedTime(quietSince) < QuietJitTime; i++)
        {
            foreach (IOptimizer<T> optimizer in optimizers)
            {
                ThreadCpuNanoseconds(); // the timed loop's own calls, compiled before it starts
                optimizer.Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
            }

            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                compiled = now;
                quietSince = Stopwatch.GetTimestamp();
            }

            if (Stopwatch.GetTimestamp() > giveUp)
            {
                break;
            }
        }

        bool clock = ThreadCpuNanoseconds() >= 0; // also binds the native call before anything is counted
        long[][] ticks = [.. optimizers.Select(_ => new long[steps])];
        long[][] cpu = [.. optimizers.Select(_ => new long[steps])];
        TimeSpan pauses = GC.GetTotalPauseDuration();
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

        pauses = GC.GetTotalPauseDuration() - pauses;
        string collections = $"{GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}";
        double sgdMedian = double.NaN;
        int p99Index = (int)Math.Min(steps - 1, (long)steps * 99 / 100);
        for (int o = 0; o < optimizers.Length; o++)
        {
            long[] times = ticks[o];
            double mean = Micro(times.Average());
            Array.Sort(times);
            double p10 = Micro(times[steps / 10]), p50 = Micro(times[steps / 2]), p99 = Micro(times[p99Index]);
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
                $"| {precision} | {cases[o].Name} | {p10:F1} | {p50:F1} | {p99:F1} | {max:F1} | {mean:F1} | {p50 / sgdMedian:F2} | {p99 / p50:F2} | {cpu50:F1} | {cpu99:F1} | {cpu99 / cpu50:F2} | {collections} | {allocated[o]} B |"));
        }

        return (((SgdOptimizer<T>)optimizers[0]).FlopsPerStep(Batch), ((NaturalGradientOptimizer<T>)optimizers[1]).FlopsPerStep(Batch), pauses);

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
