namespace NgdKernel.Perf.Cases;

/// <summary>
/// A benchmark parameter that knows how many floating-point operations one invocation performs,
/// so the GFLOP/s column can turn the mean time into GFLOP/s.
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

/// <summary>
/// A parameter whose flop count depends on the benchmark method (an SGD step and an NGD step on the
/// same network and batch); NaN where no count is defined.
/// </summary>
public interface IMethodFlopCount
{
    /// <summary>Floating-point operations of one invocation of the method named <paramref name="method"/>.</summary>
    double FlopsFor(string method);
}
