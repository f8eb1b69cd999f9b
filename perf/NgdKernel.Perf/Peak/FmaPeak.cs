using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NgdKernel.Perf.Peak;

/// <summary>
/// The achieved FMA peak: <see cref="Accumulators"/> independent accumulator registers, each
/// updated by one fused multiply-add per iteration, so the loop is bound by FMA throughput and
/// not by its 4-cycle latency (Zen 5 has two 512-bit FMA pipes: 8 FMAs in flight suffice, 12
/// leave margin, and 12 + 2 constants fit the 32 zmm registers). No memory traffic.
/// </summary>
public static class FmaPeak
{
    /// <summary>Independent accumulators per loop iteration.</summary>
    public const int Accumulators = 12;

    /// <summary>Floating-point operations of one call of <see cref="RunVector512{T}"/>.</summary>
    public static double FlopsVector512<T>(long iterations)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        2.0 * Accumulators * Vector512<T>.Count * iterations;

    /// <summary>Floating-point operations of one call of <see cref="RunVector256{T}"/>.</summary>
    public static double FlopsVector256<T>(long iterations)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        2.0 * Accumulators * Vector256<T>.Count * iterations;

    /// <summary>Runs <paramref name="iterations"/> x 12 Vector512 FMAs; returns a value that depends on all of them.</summary>
    /// <remarks>
    /// Compiled fully optimised on first call: <see cref="Measure{T}"/> calls it fewer
    /// times than tiering needs to reach tier 1, and its tier-0/OSR code read 182 GFLOP/s float on
    /// Zen 5 against 214 optimised.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static T RunVector512<T>(long iterations)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // x <- x * m + a converges to a / (1 - m) = 1: no overflow, no denormals, no early exit.
        Vector512<T> m = Vector512.Create(T.CreateTruncating(0.999));
        Vector512<T> a = Vector512.Create(T.CreateTruncating(0.001));
        Vector512<T> x0 = Vector512.Create(T.CreateTruncating(0.10)), x1 = Vector512.Create(T.CreateTruncating(0.11));
        Vector512<T> x2 = Vector512.Create(T.CreateTruncating(0.12)), x3 = Vector512.Create(T.CreateTruncating(0.13));
        Vector512<T> x4 = Vector512.Create(T.CreateTruncating(0.14)), x5 = Vector512.Create(T.CreateTruncating(0.15));
        Vector512<T> x6 = Vector512.Create(T.CreateTruncating(0.16)), x7 = Vector512.Create(T.CreateTruncating(0.17));
        Vector512<T> x8 = Vector512.Create(T.CreateTruncating(0.18)), x9 = Vector512.Create(T.CreateTruncating(0.19));
        Vector512<T> x10 = Vector512.Create(T.CreateTruncating(0.20)), x11 = Vector512.Create(T.CreateTruncating(0.21));
        for (long i = 0; i < iterations; i++)
        {
            x0 = Fma(x0, m, a); x1 = Fma(x1, m, a); x2 = Fma(x2, m, a); x3 = Fma(x3, m, a);
            x4 = Fma(x4, m, a); x5 = Fma(x5, m, a); x6 = Fma(x6, m, a); x7 = Fma(x7, m, a);
            x8 = Fma(x8, m, a); x9 = Fma(x9, m, a); x10 = Fma(x10, m, a); x11 = Fma(x11, m, a);
        }

        Vector512<T> sum = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11));
        return Vector512.Sum(sum);
    }

    /// <summary>Runs <paramref name="iterations"/> x 12 Vector256 FMAs; returns a value that depends on all of them.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static T RunVector256<T>(long iterations)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector256<T> m = Vector256.Create(T.CreateTruncating(0.999));
        Vector256<T> a = Vector256.Create(T.CreateTruncating(0.001));
        Vector256<T> x0 = Vector256.Create(T.CreateTruncating(0.10)), x1 = Vector256.Create(T.CreateTruncating(0.11));
        Vector256<T> x2 = Vector256.Create(T.CreateTruncating(0.12)), x3 = Vector256.Create(T.CreateTruncating(0.13));
        Vector256<T> x4 = Vector256.Create(T.CreateTruncating(0.14)), x5 = Vector256.Create(T.CreateTruncating(0.15));
        Vector256<T> x6 = Vector256.Create(T.CreateTruncating(0.16)), x7 = Vector256.Create(T.CreateTruncating(0.17));
        Vector256<T> x8 = Vector256.Create(T.CreateTruncating(0.18)), x9 = Vector256.Create(T.CreateTruncating(0.19));
        Vector256<T> x10 = Vector256.Create(T.CreateTruncating(0.20)), x11 = Vector256.Create(T.CreateTruncating(0.21));
        for (long i = 0; i < iterations; i++)
        {
            x0 = Fma(x0, m, a); x1 = Fma(x1, m, a); x2 = Fma(x2, m, a); x3 = Fma(x3, m, a);
            x4 = Fma(x4, m, a); x5 = Fma(x5, m, a); x6 = Fma(x6, m, a); x7 = Fma(x7, m, a);
            x8 = Fma(x8, m, a); x9 = Fma(x9, m, a); x10 = Fma(x10, m, a); x11 = Fma(x11, m, a);
        }

        Vector256<T> sum = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11));
        return Vector256.Sum(sum);
    }

    /// <summary>The vector width <see cref="Measure{T}"/> uses, as an op name.</summary>
    public static string Width => Vector512.IsHardwareAccelerated ? "V512" : "V256";

    /// <summary>
    /// Best total GFLOP/s of the widest accelerated kernel over 10 runs of about 3 ms each with
    /// <paramref name="threads"/> threads at once: the peak is a maximum, so the best run is the
    /// least disturbed one on a shared machine.
    /// </summary>
    /// <remarks>
    /// The threads are started once and released together for every run by a barrier, so thread
    /// start-up is not timed (a <c>Parallel.For</c>, tried first, also left the second thread's
    /// share on the first). The first run, which includes the JIT, is not counted.
    /// </remarks>
    public static double Measure<T>(int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        const long iterations = 1_000_000;
        const int runs = 10;
        bool wide = Vector512.IsHardwareAccelerated;
        double flops = threads * (wide ? FlopsVector512<T>(iterations) : FlopsVector256<T>(iterations));

        // One barrier phase starts a run on every thread, the next one ends it; the caller times
        // from the first to the second.
        using var barrier = new Barrier(threads);
        var helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.Length; i++)
        {
            helpers[i] = new Thread(() =>
            {
                for (int run = 0; run <= runs; run++)
                {
                    barrier.SignalAndWait();
                    Consume(wide ? RunVector512<T>(iterations) : RunVector256<T>(iterations));
                    barrier.SignalAndWait();
                }
            })
            { IsBackground = true };
            helpers[i].Start();
        }

        double best = 0;
        for (int run = 0; run <= runs; run++)
        {
            barrier.SignalAndWait();
            long start = Stopwatch.GetTimestamp();
            Consume(wide ? RunVector512<T>(iterations) : RunVector256<T>(iterations));
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Consume<T>(T value) => _ = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> m, Vector512<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(x.AsSingle(), m.AsSingle(), a.AsSingle()).As<float, T>();
        }

        return typeof(T) == typeof(double)
            ? Vector512.FusedMultiplyAdd(x.AsDouble(), m.AsDouble(), a.AsDouble()).As<double, T>()
            : (x * m) + a;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> m, Vector256<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(x.AsSingle(), m.AsSingle(), a.AsSingle()).As<float, T>();
        }

        return typeof(T) == typeof(double)
            ? Vector256.FusedMultiplyAdd(x.AsDouble(), m.AsDouble(), a.AsDouble()).As<double, T>()
            : (x * m) + a;
    }
}
