namespace NgdKernel.Tests.Networks;

/// <summary>
/// The network checks its own weights against <see cref="NetworkOptions.MemoryLimit"/> and against one
/// array's capacity before allocating, with the same estimate and exception as the optimizers.
/// </summary>
public sealed class NetworkMemoryLimitTests(ITestOutputHelper output)
{
    [Fact]
    public void Network_MemoryLimit_LayerBeyondOneArrayNamesTheWidths()
    {
        var options = new NetworkOptions { Widths = [100_000, 100_000, 10], Bias = true };
        var e = Assert.Throws<MemoryLimitException>(() => new Network<float>(options));
        output.WriteLine(e.Message);
        Assert.Equal("options", e.ParamName);
        Assert.Contains("layer 0's weights of 100000 x 100001 = 10000100000 elements", e.Message, StringComparison.Ordinal);
        Assert.Contains($"more than one .NET array holds ({Array.MaxLength})", e.Message, StringComparison.Ordinal);
        Assert.Contains("Widths[0] = 100000 + 1 for the bias and Widths[1] = 100000", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'columns'", e.Message, StringComparison.Ordinal);

        // Above the array limit even with no byte limit at all.
        e = Assert.Throws<MemoryLimitException>(() => new Network<double>(options with { MemoryLimit = long.MaxValue }));
        Assert.False(e.Estimate!.Items[0].FitsOneArray);
        Assert.True(e.Estimate.Items[1].FitsOneArray);
    }

    [Theory, Combinations]
    public void Network_MemoryLimit_EstimateIsTheBoundaryOfTheCheck(bool fullCovariance)
    {
        var options = new NetworkOptions
        {
            Widths = [50, 40, 3],
            Bias = true,
            OutputCovariance = fullCovariance ? OutputCovariance.Full(new double[,] { { 2, 0.5, 0 }, { 0.5, 1, 0 }, { 0, 0, 1 } }) : OutputCovariance.Identity,
        };
        MemoryEstimate estimate = Network<double>.EstimateMemory(options);
        output.WriteLine(estimate.ToString());
        long weights = ((40 * 51) + (3 * 41)) * sizeof(double);
        long precision = fullCovariance ? 2 * 3 * 3 * sizeof(double) : 0;
        Assert.Equal(weights + precision, estimate.TotalBytes);
        Assert.Equal(fullCovariance ? 4 : 2, estimate.Items.Count);
        Assert.Equal(estimate.TotalBytes / 2, Network<float>.EstimateMemory(options).TotalBytes);

        _ = new Network<double>(options with { MemoryLimit = estimate.TotalBytes });
        var e = Assert.Throws<MemoryLimitException>(() => new Network<double>(options with { MemoryLimit = estimate.TotalBytes - 1 }));
        output.WriteLine(e.Message);
        Assert.Equal("options", e.ParamName);
        Assert.Contains("NetworkOptions.MemoryLimit", e.Message, StringComparison.Ordinal);
        Assert.Contains("layer 0's weights, 40 x 51", e.Message, StringComparison.Ordinal);
        Assert.Contains("Widths[0] = 50 + 1 for the bias and Widths[1] = 40", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Network_MemoryLimit_MustBePositive()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Network<double>(new NetworkOptions { Widths = [2, 1], MemoryLimit = 0 }));
        Assert.Equal("MemoryLimit", e.ParamName);
    }
}
