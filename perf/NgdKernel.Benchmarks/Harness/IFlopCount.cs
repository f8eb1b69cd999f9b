namespace NgdKernel.Benchmarks.Harness;

/// <summary>
/// A benchmark parameter that knows how many floating-point operations one invocation performs,
/// so <see cref="GflopsColumn"/> can turn the mean time into GFLOP/s.
/// </summary>
public interface IFlopCount
{
    /// <summary>Floating-point operations of one benchmark invocation (an FMA counts as 2).</summary>
    double Flops { get; }
}

/// <summary>
/// A parameter that carries its own thread count (otherwise the fraction of peak reads an
/// <c>int</c> parameter named <c>Threads</c>, and 1 without one).
/// </summary>
public interface IThreadCount
{
    /// <summary>Threads one invocation runs on.</summary>
    int Threads { get; }
}
