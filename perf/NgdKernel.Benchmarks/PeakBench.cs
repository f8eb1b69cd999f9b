using System.Runtime.Intrinsics;
using BenchmarkDotNet.Configs;
using NgdKernel.Perf.Peak;

namespace NgdKernel.Benchmarks;

/// <summary>One peak measurement: vector width and thread count.</summary>
/// <param name="Width">Vector width in bits (512 or 256).</param>
/// <param name="Threads">Threads running the FMA loop at once.</param>
/// <param name="Flops">Floating-point operations of one invocation, over all threads.</param>
public sealed record PeakCase(int Width, int Threads, double Flops) : IFlopCount, IThreadCount
{
    /// <inheritdoc/>
    public override string ToString() => $"V{Width} x{Threads}";
}

/// <summary>
/// The achieved FMA peak (the yardstick for every "fraction of peak"): 12 independent
/// accumulators, Vector512 and Vector256, on 1 and 2 threads, as GFLOP/s.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class PeakBench<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>FMA iterations per invocation and thread (about 1 ms at Vector512).</summary>
    public const long Iterations = 200_000;

    private SecondThread? second;
    private T sink;

    /// <summary>The case being measured.</summary>
    [ParamsSource(nameof(Cases))]
    public PeakCase Case { get; set; } = null!;

    /// <summary>Every width this machine accelerates, on 1 and 2 threads.</summary>
    public static IEnumerable<PeakCase> Cases()
    {
        foreach (int threads in (int[])[1, 2])
        {
            if (Vector512.IsHardwareAccelerated)
            {
                yield return new(512, threads, threads * FmaPeak.FlopsVector512<T>(Iterations));
            }

            yield return new(256, threads, threads * FmaPeak.FlopsVector256<T>(Iterations));
        }
    }

    /// <summary>Starts the second thread for two-thread cases.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (Case.Threads == 2)
        {
            second = new SecondThread(Case.Width == 512 ? RunVector512 : RunVector256);
        }
    }

    /// <summary>Runs the FMA loop on <see cref="PeakCase.Threads"/> threads.</summary>
    [Benchmark]
    public void Fma()
    {
        if (second is not null)
        {
            second.RunBoth();
        }
        else if (Case.Width == 512)
        {
            RunVector512();
        }
        else
        {
            RunVector256();
        }
    }

    /// <summary>Stops the second thread.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        second?.Dispose();
        second = null;
        GC.SuppressFinalize(this);
    }

    private void RunVector512() => sink = FmaPeak.RunVector512<T>(Iterations);

    private void RunVector256() => sink = FmaPeak.RunVector256<T>(Iterations);

    /// <inheritdoc/>
    public override string ToString() => $"{sink}";
}
