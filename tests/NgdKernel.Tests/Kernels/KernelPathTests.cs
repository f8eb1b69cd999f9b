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

    [Fact]
    public void KernelPaths_Hardware_IsAtLeastWhatThisProcessRuns()
    {
        Assert.True(KernelPaths.Hardware >= KernelPaths.Widest);
        Assert.Equal(KernelPaths.Best < KernelPaths.Hardware, KernelPaths.NarrowerThanHardware);
        Assert.Equal(KernelPaths.NarrowerThanHardware, KernelPaths.NarrowingReason is not null);
        Assert.Null(KernelPaths.DescribeNarrowing(KernelPaths.Hardware));
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector256)]
    public void KernelPaths_DescribeNarrowing_NamesThePathAndTheWayOut(KernelPath path)
    {
        string? reason = KernelPaths.DescribeNarrowing(path);
        if (path >= KernelPaths.Hardware)
        {
            Assert.Null(reason);
            return;
        }

        Assert.NotNull(reason);
        Assert.Contains(path < KernelPaths.Widest ? KernelPaths.EnvironmentVariable : "DOTNET_", reason, StringComparison.Ordinal);
        Assert.Equal(reason, new KernelContext(1, path).NarrowingReason);
    }

    [Theory]
    [InlineData("Vector512", KernelPath.Vector256, KernelPath.Vector512, "does not accelerate Vector512")]
    [InlineData("vector512", KernelPath.Scalar, KernelPath.Vector256, "lacks the instruction sets of Vector512")]
    [InlineData("Vector256", KernelPath.Scalar, KernelPath.Vector512, "does not accelerate Vector256")]
    [InlineData("Wide", KernelPath.Vector512, KernelPath.Vector512, "not a kernel path")]
    [InlineData("7", KernelPath.Vector512, KernelPath.Vector512, "not a kernel path")]
    public void KernelPaths_Choose_UnrunnablePath_NamesVariableValueAndReason(string value, KernelPath widest, KernelPath hardware, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => KernelPaths.Choose(value, widest, hardware));
        Assert.Contains($"{KernelPaths.EnvironmentVariable}='{value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, KernelPath.Vector256)]
    [InlineData(" ", KernelPath.Vector256)]
    [InlineData("scalar", KernelPath.Scalar)]
    [InlineData("Vector256", KernelPath.Vector256)]
    public void KernelPaths_Choose_RunnableOrUnsetValue_GivesThatPath(string? value, KernelPath expected) =>
        Assert.Equal(expected, KernelPaths.Choose(value, KernelPath.Vector256, KernelPath.Vector512));
}
