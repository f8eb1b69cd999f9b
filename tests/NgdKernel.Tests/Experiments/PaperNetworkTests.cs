using NgdKernel.Experiments;

namespace NgdKernel.Tests.Experiments;

public class PaperNetworkTests
{
    /// <summary>The architectures as the paper's Section 5 and Fig. 1 state them.</summary>
    [Fact]
    public void PaperNetwork_Figure1_AsStatedInThePaper()
    {
        Assert.Equal(["fig1a", "fig1b", "fig1c", "mnist"], PaperNetwork.Figure1.Select(n => n.Name));

        // A: L = 16, all widths 20. B: L = 16, widths rising by 10 to 100 and back. C: L = 12, bottleneck of 2.
        Assert.Equal(16, PaperNetwork.Fig1A.LayerCount);
        Assert.All(PaperNetwork.Fig1A.Widths, w => Assert.Equal(20, w));
        Assert.Equal(16, PaperNetwork.Fig1B.LayerCount);
        Assert.Equal(100, PaperNetwork.Fig1B.Widths.Max());
        Assert.Equal(PaperNetwork.Fig1B.Widths, PaperNetwork.Fig1B.Widths.Reverse());
        Assert.Equal(12, PaperNetwork.Fig1C.LayerCount);
        Assert.Equal(2, PaperNetwork.Fig1C.Widths.Min());
        Assert.Equal(PaperNetwork.Fig1C.Widths, PaperNetwork.Fig1C.Widths.Reverse());
        Assert.All(PaperNetwork.Figure1.Take(3), n => Assert.False(n.TanhHidden || n.Bias));

        // D: 784-400-200-100-50-100-200-400-784, tanh hidden, biases.
        Assert.Equal([784, 400, 200, 100, 50, 100, 200, 400, 784], PaperNetwork.MnistAutoencoder.Widths);
        Assert.True(PaperNetwork.MnistAutoencoder.TanhHidden && PaperNetwork.MnistAutoencoder.Bias);
    }

    [Fact]
    public void PaperNetwork_Options_BuildTheArchitecture()
    {
        NetworkOptions options = PaperNetwork.MnistAutoencoder.Options(outputVariance: 0.5, seed: 9);
        var network = new Network<float>(options);
        Assert.Equal(PaperNetwork.MnistAutoencoder.Widths, network.Widths.ToArray());
        Assert.True(network.HasBias);
        Assert.Equal(Activation.Tanh, network.ActivationOf(0));
        Assert.Equal(Activation.Identity, network.ActivationOf(network.LayerCount - 1));
        Assert.Equal(9UL, options.Seed);
        Assert.Same(PaperNetwork.Small, PaperNetwork.Get("small"));
        ArgumentException e = Assert.Throws<ArgumentException>(() => PaperNetwork.Get("fig2"));
        Assert.Contains("'fig2'", e.Message, StringComparison.Ordinal);
    }
}
