using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NgdKernel.Cli.Bench;

/// <summary>
/// The achieved FMA peak, the yardstick for "fraction of peak": 12 independent accumulators (FMA
/// latency 4 cycles x 2 pipes needs 8 in flight; 16 measured the same), widest accelerated vector,
/// no memory traffic, on every thread the kernels use at once. Same kernel as <c>PeakBench</c> in
/// <c>perf/</c>.
/// </summary>
/// <remarks>
/// The loops are compiled fully optimised up front (<see cref="MethodImplOptions.AggressiveOptimization"/>):
/// a handful of calls never reach tier 1, and the tier-0/OSR code read 182 GFLOP/s float against 214
/// (Zen 5, one thread). Each run lasts a few milliseconds and the threads are started once and
/// released together for every run, so thread start-up (a <c>Parallel.For</c> earlier, which also
/// left the second thread's share on the first) is not timed.
/// </remarks>
internal static class FmaPeak
{
    /// <summary>Iterations of 12 FMAs per run and thread: about 3 ms at Vector512.</summary>
    private const long Iterations = 1_000_000;

    private const int Runs = 8;

    /// <summary>Best total GFLOP/s over <see cref="Runs"/> runs with <paramref name="threads"/> threads at once.</summary>
    public static double Measure<T>(int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool wide = Vector512.IsHardwareAccelerated;
        int lanes = wide ? Vector512<T>.Count : Vector256<T>.Count;
        double flops = 2.0 * 12 * lanes * Iterations * threads;

        // One barrier phase starts a run on every thread, the next one ends it; the caller times
        // from the first to the second. Warm-up run excluded.
        using var barrier = new Barrier(threads);
        var helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.Length; i++)
        {
            helpers[i] = new Thread(() =>
            {
                for (int run = 0; run <= Runs; run++)
                {
                    barrier.SignalAndWait();
                    Consume(wide ? Run512<T>() : Run256<T>());
                    barrier.SignalAndWait();
                }
            })
            { IsBackground = true };
            helpers[i].Start();
        }

        double best = 0;
        for (int run = 0; run <= Runs; run++)
        {
            barrier.SignalAndWait();
            long start = Stopwatch.GetTimestamp();
            Consume(wide ? Run512<T>() : Run256<T>());
            barrier.SignalAndWait();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (run > 0)
            {
                best = Math.Max(best, flops / seconds / 1e9);
            }
        }

        foreach (Thread helper in helpers)
        {
            helper.Join();
        }

        return best;
    }

    /// <summary>The vector width the peak uses, as an op name.</summary>
    public static string Width => Vector512.IsHardwareAccelerated ? "V512" : "V256";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Consume<T>(T value) => _ = value;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static T Run512<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> m = Vector512.Create(T.CreateTruncating(0.999)), a = Vector512.Create(T.CreateTruncating(0.001));
        Vector512<T> x0 = m, x1 = a, x2 = m + a, x3 = m - a, x4 = m * a, x5 = a + a;
        Vector512<T> x6 = m + m, x7 = a * a, x8 = m * m, x9 = x2 + a, x10 = x3 + a, x11 = x4 + a;
        for (long i = 0; i < Iterations; i++)
        {
            x0 = F(x0, m, a); x1 = F(x1, m, a); x2 = F(x2, m, a); x3 = F(x3, m, a);
            x4 = F(x4, m, a); x5 = F(x5, m, a); x6 = F(x6, m, a); x7 = F(x7, m, a);
            x8 = F(x8, m, a); x9 = F(x9, m, a); x10 = F(x10, m, a); x11 = F(x11, m, a);
        }

        return Vector512.Sum(((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static T Run256<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> m = Vector256.Create(T.CreateTruncating(0.999)), a = Vector256.Create(T.CreateTruncating(0.001));
        Vector256<T> x0 = m, x1 = a, x2 = m + a, x3 = m - a, x4 = m * a, x5 = a + a;
        Vector256<T> x6 = m + m, x7 = a * a, x8 = m * m, x9 = x2 + a, x10 = x3 + a, x11 = x4 + a;
        for (long i = 0; i < Iterations; i++)
        {
            x0 = F(x0, m, a); x1 = F(x1, m, a); x2 = F(x2, m, a); x3 = F(x3, m, a);
            x4 = F(x4, m, a); x5 = F(x5, m, a); x6 = F(x6, m, a); x7 = F(x7, m, a);
            x8 = F(x8, m, a); x9 = F(x9, m, a); x10 = F(x10, m, a); x11 = F(x11, m, a);
        }

        return Vector256.Sum(((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> F<T>(Vector512<T> x, Vector512<T> m, Vector512<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(x.AsSingle(), m.AsSingle(), a.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(x.AsDouble(), m.AsDouble(), a.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> F<T>(Vector256<T> x, Vector256<T> m, Vector256<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(x.AsSingle(), m.AsSingle(), a.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(x.AsDouble(), m.AsDouble(), a.AsDouble()).As<double, T>();
}
