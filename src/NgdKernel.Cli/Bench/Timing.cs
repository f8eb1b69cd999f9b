using System.Diagnostics;

namespace NgdKernel.Cli.Bench;

/// <summary>
/// Times one operation for <c>ngd bench</c>: a 0.3 s warm-up (tiered JIT, caches, OpenBLAS buffers),
/// then up to 5 batches sized to about <see cref="BatchSeconds"/> each; the median batch gives the time
/// per call. Quick and robust to one disturbed batch, not BenchmarkDotNet's statistics: use
/// <c>perf/run.sh</c> for numbers to publish.
/// </summary>
internal static class Timing
{
    /// <summary>Target length of one measured batch.</summary>
    public const double BatchSeconds = 0.03;

    /// <summary>Median seconds per call of <paramref name="operation"/>.</summary>
    public static double SecondsPerCall(Action operation)
    {
        // Warm-up: 0.3 s (at least 2 calls). The tiered JIT waits 100 ms of quiet before it
        // recompiles hot methods, so a shorter warm-up times tier-0 code for fast calls.
        long start = Stopwatch.GetTimestamp();
        int calls = 0;
        while (calls < 2 || Stopwatch.GetElapsedTime(start).TotalSeconds < 0.3)
        {
            operation();
            calls++;
        }

        double estimate = Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
        int repetitions = Math.Max(1, (int)Math.Min(1_000_000, BatchSeconds / Math.Max(estimate, 1e-9)));

        // Slow calls (a whole NGD step, or a loaded machine) get fewer batches, to keep the whole
        // command under a minute.
        Span<double> batches = stackalloc double[estimate > 0.25 ? 1 : estimate > 0.05 ? 3 : 5];
        for (int batch = 0; batch < batches.Length; batch++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < repetitions; i++)
            {
                operation();
            }

            batches[batch] = Stopwatch.GetElapsedTime(t0).TotalSeconds / repetitions;
        }

        batches.Sort();
        return batches[batches.Length / 2];
    }
}
