namespace NgdKernel.Kernels;

/// <summary>
/// Work that <see cref="KernelContext.Run"/> splits into parts over the context's worker threads:
/// a preallocated object whose fields hold the job's inputs, so a run allocates nothing.
/// </summary>
public interface IParallelJob
{
    /// <summary>
    /// Runs part <paramref name="part"/> of <paramref name="partCount"/>. Parts must be independent
    /// (no part reads what another writes) and each must compute the same bits whichever thread
    /// runs it: a busy pool runs every part on the caller, one after another.
    /// </summary>
    void Execute(int part, int partCount);
}
