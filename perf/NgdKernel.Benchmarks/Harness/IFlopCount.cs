namespace NgdKernel.Benchmarks.Harness;

/// <summary>
/// A benchmark parameter that knows how many floating-point operations one invocation performs,
/// so <see cref="GflopsColumn"/> can turn the mean time into GFLOP/s.
/// </summary>
public interface IFlopCount
{
    /// <summary>Floating-point operations of one benchmark invocation (an FMA counts as 2).</summary>
    double Flops { get; }

    /// <summary>Threads the invocation runs on, for the fraction of peak.</summary>
    int Threads { get; }
}
