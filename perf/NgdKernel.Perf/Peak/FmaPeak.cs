using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NgdKernel.Kernels;

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
    public static T RunVector512<T>(long iterations)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Run<T, Vector512<T>, Width512<T>>(iterations);

    /// <summary>Runs <paramref name="iterations"/> x 12 Vector256 FMAs; returns a value that depends on all of them.</summary>
    public static T RunVector256<T>(long iterations)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Run<T, Vector256<T>, Width256<T>>(iterations);

    /// <summary>The vector width <see cref="Measure{T}(int, KernelPath)"/> uses on <paramref name="path"/>, as an op name.</summary>
    public static string Width(KernelPath path) => path switch
    {
        KernelPath.Vector512 => "V512",
        KernelPath.Vector256 => "V256",
        _ => "scalar",
    };

    /// <summary>Best total GFLOP/s of the widest accelerated vector, see <see cref="Measure{T}(int, KernelPath)"/>.</summary>
    public static double Measure<T>(int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Measure<T>(threads, Vector512.IsHardwareAccelerated ? KernelPath.Vector512 : KernelPath.Vector256);

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
    /// <remarks>
    /// Measured on the kernels' own path: a peak measured on another path than the one the kernels
    /// run is no yardstick (a Native AOT build without AVX once timed emulated 256-bit vectors at
    /// 0.65 GFLOP/s against scalar kernels at 9, and printed 1,423 % of "peak").
    /// </remarks>
    public static double Measure<T>(int threads, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        const long iterations = 1_000_000;
        const int runs = 10;
        int lanes = path switch
        {
            KernelPath.Vector512 => Vector512<T>.Count,
            KernelPath.Vector256 => Vector256<T>.Count,
            _ => 1,
        };
        double flops = 2.0 * Accumulators * lanes * iterations * threads;

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
                    Consume(RunOn<T>(path, iterations));
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
            Consume(RunOn<T>(path, iterations));
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

    private static T RunOn<T>(KernelPath path, long iterations)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => path switch
        {
            KernelPath.Vector512 => RunVector512<T>(iterations),
            KernelPath.Vector256 => RunVector256<T>(iterations),
            _ => Run<T, T, WidthScalar<T>>(iterations),
        };

    /// <summary>The FMA loop, one body for every vector width.</summary>
    /// <remarks>
    /// Compiled fully optimised on first call: <see cref="Measure{T}(int, KernelPath)"/> calls it fewer times than
    /// tiering needs to reach tier 1, and its tier-0/OSR code read 182 GFLOP/s float on Zen 5
    /// against 214 optimised. The width is a struct type argument, so each instantiation is
    /// compiled separately with its vector operations inlined.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static T Run<T, TVector, TWidth>(long iterations)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVector : struct
        where TWidth : struct, IWidth<T, TVector>
    {
        // x <- x * m + a converges to a / (1 - m) = 1: no overflow, no denormals, no early exit.
        TVector m = TWidth.Create(0.999), a = TWidth.Create(0.001);
        TVector x0 = TWidth.Create(0.10), x1 = TWidth.Create(0.11), x2 = TWidth.Create(0.12), x3 = TWidth.Create(0.13);
        TVector x4 = TWidth.Create(0.14), x5 = TWidth.Create(0.15), x6 = TWidth.Create(0.16), x7 = TWidth.Create(0.17);
        TVector x8 = TWidth.Create(0.18), x9 = TWidth.Create(0.19), x10 = TWidth.Create(0.20), x11 = TWidth.Create(0.21);
        for (long i = 0; i < iterations; i++)
        {
            x0 = TWidth.Fma(x0, m, a); x1 = TWidth.Fma(x1, m, a); x2 = TWidth.Fma(x2, m, a); x3 = TWidth.Fma(x3, m, a);
            x4 = TWidth.Fma(x4, m, a); x5 = TWidth.Fma(x5, m, a); x6 = TWidth.Fma(x6, m, a); x7 = TWidth.Fma(x7, m, a);
            x8 = TWidth.Fma(x8, m, a); x9 = TWidth.Fma(x9, m, a); x10 = TWidth.Fma(x10, m, a); x11 = TWidth.Fma(x11, m, a);
        }

        TVector left = TWidth.Add(TWidth.Add(TWidth.Add(x0, x1), TWidth.Add(x2, x3)), TWidth.Add(TWidth.Add(x4, x5), TWidth.Add(x6, x7)));
        return TWidth.Sum(TWidth.Add(left, TWidth.Add(TWidth.Add(x8, x9), TWidth.Add(x10, x11))));
    }

    /// <summary>The vector operations of one width.</summary>
    private interface IWidth<T, TVector>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        static abstract TVector Create(double value);

        static abstract TVector Fma(TVector x, TVector m, TVector a);

        static abstract TVector Add(TVector x, TVector y);

        static abstract T Sum(TVector x);
    }

    private readonly struct Width512<T> : IWidth<T, Vector512<T>>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static Vector512<T> Create(double value) => Vector512.Create(T.CreateTruncating(value));

        public static Vector512<T> Add(Vector512<T> x, Vector512<T> y) => x + y;

        public static T Sum(Vector512<T> x) => Vector512.Sum(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Fma(Vector512<T> x, Vector512<T> m, Vector512<T> a) => typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(x.AsSingle(), m.AsSingle(), a.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(x.AsDouble(), m.AsDouble(), a.AsDouble()).As<double, T>();
    }

    /// <summary>The scalar path: a multiply and an add, as the scalar kernels compute.</summary>
    private readonly struct WidthScalar<T> : IWidth<T, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static T Create(double value) => T.CreateTruncating(value);

        public static T Add(T x, T y) => x + y;

        public static T Sum(T x) => x;

        public static T Fma(T x, T m, T a) => (x * m) + a;
    }

    private readonly struct Width256<T> : IWidth<T, Vector256<T>>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static Vector256<T> Create(double value) => Vector256.Create(T.CreateTruncating(value));

        public static Vector256<T> Add(Vector256<T> x, Vector256<T> y) => x + y;

        public static T Sum(Vector256<T> x) => Vector256.Sum(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Fma(Vector256<T> x, Vector256<T> m, Vector256<T> a) => typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(x.AsSingle(), m.AsSingle(), a.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(x.AsDouble(), m.AsDouble(), a.AsDouble()).As<double, T>();
    }
}
