using NgdKernel.Kernels;

namespace NgdKernel.Tests.Kernels;

public sealed class KernelPathTests
{
    [Fact]
    public void KernelPaths_Best_IsWidestUnlessForced()
    {
        string? forced = Environment.GetEnvironmentVariable(KernelPaths.EnvironmentVariable);
        KernelPath expected = string.IsNullOrWhiteSpace(forced)
            ? KernelPaths.Widest
            : Enum.Parse<KernelPath>(forced, ignoreCase: true);

        Assert.Equal(expected, KernelPaths.Best);
        Assert.Equal(KernelPaths.Best, KernelContext.Default.Path);
        Assert.True(KernelPaths.IsSupported(KernelPaths.Best));
    }

    [Fact]
    public void KernelPaths_Supported_ListsScalarFirstAndOnlySupportedPaths()
    {
        Assert.Equal(KernelPath.Scalar, KernelPaths.Supported[0]);
        Assert.All(KernelPaths.Supported, p => Assert.True(KernelPaths.IsSupported(p)));
        Assert.Contains(KernelPaths.Widest, KernelPaths.Supported);
    }
}
