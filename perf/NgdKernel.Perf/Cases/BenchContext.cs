using NgdKernel.Kernels;

namespace NgdKernel.Perf.Cases;

/// <summary>The kernel context every NgdKernel benchmark case runs with.</summary>
public static class BenchContext
{
    /// <summary>
    /// The forced path when <c>NGD_KERNEL_PATH</c> is set (a whole-suite run per path, as Sep
    /// does), else the widest path the hardware accelerates. Named explicitly rather than left to
    /// <see cref="KernelPaths.Best"/>, so the table always says what it measured.
    /// </summary>
    public static KernelPath Path { get; } =
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KernelPaths.EnvironmentVariable))
            ? KernelPaths.Widest
            : KernelPaths.Best;

    /// <summary>A context with <paramref name="threads"/> workers on <see cref="Path"/>.</summary>
    public static KernelContext Create(int threads)
    {
        Console.WriteLine($"// NgdKernel path {Path}, {threads} thread(s)");
        return new KernelContext(threads, Path);
    }
}
