namespace NgdKernel.Kernels;

/// <summary>
/// Options shared by the kernels (thread count, instruction-set path) and the persistent worker
/// threads that run them. Create one per application (or per independent pipeline) and reuse it.
/// </summary>
/// <remarks>
/// <para>
/// A context with <see cref="ThreadCount"/> &gt; 1 starts <c>ThreadCount - 1</c> background threads once,
/// in the constructor; kernel calls then allocate nothing. The calling thread always does a share of
/// the work. Kernels split work so that every output element is computed by the same sequence of
/// operations whatever the thread count: results are bit-identical across thread counts and runs on
/// one <see cref="Path"/>.
/// </para>
/// <para>
/// A context may be shared between threads. If two calls overlap, the second runs single-threaded on
/// its caller (same result, no blocking).
/// </para>
/// <para>No global mutable state: options are explicit, <see cref="Default"/> is read-only.</para>
/// </remarks>
public sealed class KernelContext : IDisposable
{
    /// <summary>The largest accepted <see cref="ThreadCount"/>.</summary>
    public const int MaxThreadCount = 256;

    private readonly WorkerPool? pool;
    private readonly bool isDefault;
    private volatile bool disposed;

    /// <summary>Creates a context and starts its worker threads.</summary>
    /// <param name="threadCount">Threads a kernel call may use, the caller included (1 = no workers).</param>
    /// <param name="path">Instruction-set path; <see langword="null"/> selects <see cref="KernelPaths.Best"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threadCount"/> is not in [1, <see cref="MaxThreadCount"/>].</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not supported by this machine.</exception>
    public KernelContext(int threadCount = 1, KernelPath? path = null)
        : this(threadCount, path, isDefault: false)
    {
    }

    private KernelContext(int threadCount, KernelPath? path, bool isDefault)
    {
        if (threadCount is < 1 or > MaxThreadCount)
        {
            ThrowHelper.ThrowArgumentOutOfRange_ThreadCount(nameof(threadCount), threadCount, MaxThreadCount);
        }

        KernelPath chosen = path ?? KernelPaths.Best;
        Check.PathSupported(chosen, nameof(path));
        ThreadCount = threadCount;
        Path = chosen;
        this.isDefault = isDefault;
        pool = threadCount > 1 ? new WorkerPool(threadCount - 1) : null;
    }

    // Created on first use, not by a static initialiser: a bad NGD_KERNEL_PATH then surfaces as
    // KernelPaths.Best's own InvalidOperationException, not wrapped in a TypeInitializationException.
    private static KernelContext? defaultContext;

    /// <summary>One thread, <see cref="KernelPaths.Best"/>; used when a kernel gets no context. Never disposed.</summary>
    /// <exception cref="InvalidOperationException">As <see cref="KernelPaths.Best"/> (a bad <see cref="KernelPaths.EnvironmentVariable"/>).</exception>
    public static KernelContext Default => defaultContext ?? CreateDefault();

    /// <summary>
    /// Why <see cref="Path"/> is narrower than the CPU allows (<see cref="KernelPaths.Hardware"/>),
    /// or <see langword="null"/> when it is not; see <see cref="KernelPaths.DescribeNarrowing"/>.
    /// </summary>
    public string? NarrowingReason => KernelPaths.DescribeNarrowing(Path);

    /// <summary>Threads a kernel call may use, the calling thread included.</summary>
    public int ThreadCount { get; }

    /// <summary>The instruction-set path the kernels run on.</summary>
    public KernelPath Path { get; }

    private static KernelContext CreateDefault()
    {
        // Losing the race leaves one unused single-thread context (no workers) to the collector.
        Interlocked.CompareExchange(ref defaultContext, new KernelContext(1, null, isDefault: true), null);
        return defaultContext;
    }

    /// <summary>The worker pool, or null for a single-threaded context.</summary>
    internal WorkerPool? Pool
    {
        get
        {
            if (disposed)
            {
                ThrowHelper.ThrowObjectDisposed(this);
            }

            return pool;
        }
    }

    /// <summary>
    /// Runs <c>job.Execute(part, partCount)</c> for every part in [0, <paramref name="partCount"/>),
    /// spread over the worker threads with part 0 on the caller; when the pool is busy (another
    /// call on this context overlaps) or absent, every part runs on the caller, in order. Either way
    /// each part runs once with the same <paramref name="partCount"/>, so a job whose parts are
    /// independent gives the same bits. Allocates nothing.
    /// </summary>
    /// <param name="job">A preallocated job; see <see cref="IParallelJob.Execute"/>.</param>
    /// <param name="partCount">Parts, at most <see cref="ThreadCount"/>.</param>
    /// <returns>Whether the parts ran on more than one thread.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partCount"/> is not in [1, <see cref="ThreadCount"/>].</exception>
    public bool Run(IParallelJob job, int partCount)
    {
        if ((uint)(partCount - 1) >= (uint)ThreadCount)
        {
            ThrowHelper.ThrowArgumentOutOfRange_ThreadCount(nameof(partCount), partCount, ThreadCount);
        }

        if (partCount > 1 && Pool is WorkerPool workers && workers.TryRun(job, partCount))
        {
            return true;
        }

        for (int part = 0; part < partCount; part++)
        {
            job.Execute(part, partCount);
        }

        return false;
    }

    /// <summary>
    /// Stops the worker threads. Call it only when no kernel call is running on this context.
    /// <see cref="Default"/> ignores this call.
    /// </summary>
    public void Dispose()
    {
        if (isDefault || disposed)
        {
            return;
        }

        disposed = true;
        pool?.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"KernelContext(threads: {ThreadCount}, path: {Path})";
}
