using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NgdKernel.Kernels;

namespace NgdKernel.Cli.Bench;

/// <summary>
/// The achieved FMA peak, the yardstick for "fraction of peak": 12 independent accumulators (FMA
/// latency 4 cycles x 2 pipes needs 8 in flight; 16 measured the same), widest accelerated vector,
/// no memory traffic, on every thread the kernels use at once. Same kernel as <c>PeakBench</c> in
/// <c>perf/</c>. Measured on the kernels' own path: a peak measured on another path than the one
/// the kernels run is no yardstick (a Native AOT build without AVX once timed emulated 256-bit
/// vectors at 0.65 GFLOP/s against scalar kernels at 9, and printed 1,423 % of "peak").
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

    /// <summary>Best total GFLOP/s on <paramref name="path"/> over <see cref="Runs"/> runs with <paramref name="threads"/> threads at once.</summary>
    public static double Measure<T>(int threads, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = path switch
        {
            KernelPath.Vector512 => Vector512<T>.Count,
            KernelPath.Vector256 => Vector256<T>.Count,
            _ => 1,
        };
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
                    Consume(RunOn<T>(path));
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
            Consume(RunOn<T>(path));
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

    /// <summary>The vector width the peak uses on <paramref name="path"/>, as an op name.</summary>
    public static string Width(KernelPath path) => path switch
    {
        KernelPath.Vector512 => "V512",
        KernelPath.Vector256 => "V256",
        _ => "scalar",
    };

    private static T RunOn<T>(KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => path switch
        {
            KernelPath.Vector512 => Run512<T>(),
            KernelPath.Vector256 => Run256<T>(),
            _ => RunScalar<T>(),
        };

    /// <summary>
    /// The scalar kernels' own operation, a multiply then an add (they do not fuse: a fused
    /// multiply-add is a library call where the instruction set lacks FMA), two flops each.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static T RunScalar<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T m = T.CreateTruncating(0.999), a = T.CreateTruncating(0.001);
        T x0 = m, x1 = a, x2 = m + a, x3 = m - a, x4 = m * a, x5 = a + a;
        T x6 = m + m, x7 = a * a, x8 = m * m, x9 = x2 + a, x10 = x3 + a, x11 = x4 + a;
        for (long i = 0; i < Iterations; i++)
        {
            x0 = (x0 * m) + a; x1 = (x1 * m) + a; x2 = (x2 * m) + a; x3 = (x3 * m) + a;
            x4 = (x4 * m) + a; x5 = (x5 * m) + a; x6 = (x6 * m) + a; x7 = (x7 * m) + a;
            x8 = (x8 * m) + a; x9 = (x9 * m) + a; x10 = (x10 * m) + a; x11 = (x11 * m) + a;
        }

        return ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11));
    }

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
