using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Networks;

public sealed class NetworkTests
{
    /// <summary>
    /// Gradient (Eq. 7-8) against central finite differences of the loss (Eq. 6), float64.
    /// Central differences with step h have truncation error h^2 |L'''|/6 and rounding error
    /// eps |L| / h; h = eps^(1/3) balances them at about eps^(2/3) = 4e-11 relative. The bound
    /// allows 100 times that on the scale of the loss and the gradient.
    /// </summary>
    [Theory, Combinations]
    public void Network_GradientMatchesCentralFiniteDifferences(Activation activation, bool bias)
    {
        var options = new NetworkOptions
        {
            Widths = [3, 4, 2, 2],
            HiddenActivation = activation,
            OutputActivation = activation,
            Bias = bias,
            OutputCovariance = OutputCovariance.Full(new double[,] { { 0.5, 0.1 }, { 0.1, 0.3 } }),
            Seed = 11,
        };
        var network = new Network<double>(options);
        double[,] x = Gaussian(5, 3, seed: 1);
        double[,] y = Gaussian(5, 2, seed: 2);
        NetworkWorkspace<double> workspace = network.CreateWorkspace(5);
        network.ComputeGradient(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y), workspace);

        var reference = ReferenceNetwork.From(network);
        AssertGradientMatchesFiniteDifferences(workspace, reference, () => reference.Loss(x, y), string.Empty);
    }

    [Theory, Combinations]
    public void Network_ForwardAndLossMatchReference_Float(Activation activation, bool bias)
    {
        var options = new NetworkOptions { Widths = [5, 7, 3], HiddenActivation = activation, Bias = bias, Seed = 5, OutputCovariance = OutputCovariance.Isotropic(0.25) };
        var network = new Network<float>(options);
        double[,] x = Gaussian(9, 5, seed: 3);
        double[,] y = Gaussian(9, 3, seed: 4);
        NetworkWorkspace<float> workspace = network.CreateWorkspace(16);
        LossValues loss = network.Evaluate(new ReadOnlySpan2D<float>(Convert<float>(x)), new ReadOnlySpan2D<float>(Convert<float>(y)), workspace);
        var reference = ReferenceNetwork.From(network);
        double expected = reference.Loss(x, y);

        // float: each output sums 8 products per layer over 2 layers; the loss adds 9 x 3 squares.
        double bound = 64 * 30 * Tolerances.Epsilon<float>() * Math.Max(expected, 1);
        Assert.InRange(loss.Loss, expected - bound, expected + bound);

        double mse = 0;
        for (int m = 0; m < 9; m++)
        {
            double[] o = reference.Forward(ReferenceNetwork.Row(x, m)).Output;
            for (int k = 0; k < 3; k++)
            {
                mse += (y[m, k] - o[k]) * (y[m, k] - o[k]) / 27;
            }
        }

        Assert.InRange(loss.MeanSquaredError, mse - bound, mse + bound);
        Assert.Equal(2 * expected * 0.25 / 3, mse, 1e-5); // isotropic: NLL = 0.5 n_L MSE / sigma^2
    }

    [Fact]
    public void Network_Initialization_IsSeededWithFanInVariance()
    {
        var a = new Network<double>(new NetworkOptions { Widths = [400, 300], Seed = 1 });
        var b = new Network<double>(new NetworkOptions { Widths = [400, 300], Seed = 1 });
        var c = new Network<double>(new NetworkOptions { Widths = [400, 300], Seed = 2 });
        double[,] wa = ToDouble<double>(a.Weights(0));
        Assert.Equal(wa, ToDouble<double>(b.Weights(0)));
        Assert.NotEqual(wa, ToDouble<double>(c.Weights(0)));
        double variance = wa.Cast<double>().Select(v => v * v).Average();

        // 120000 draws of variance 1/400: the sample variance has relative sd sqrt(2/120000) = 0.004.
        Assert.InRange(variance * 400, 1 - (5 * 0.0041), 1 + (5 * 0.0041));
    }

    [Fact]
    public void NetworkOptions_InvalidValues_NameTheParameter()
    {
        Assert.Equal("Widths", Assert.ThrowsAny<ArgumentException>(() => new Network<double>(new NetworkOptions { Widths = [3] })).ParamName);
        var e = Assert.ThrowsAny<ArgumentException>(() => new Network<double>(new NetworkOptions { Widths = [3, 0, 2] }));
        Assert.Equal("Widths", e.ParamName);
        Assert.Contains("Widths[1]", e.Message, StringComparison.Ordinal);
        Assert.Equal("Activations", Assert.ThrowsAny<ArgumentException>(() => new Network<double>(
            new NetworkOptions { Widths = [3, 2], Activations = [Activation.Tanh, Activation.Tanh] })).ParamName);
        Assert.Equal("OutputCovariance", Assert.ThrowsAny<ArgumentException>(() => new Network<double>(
            new NetworkOptions { Widths = [3, 3], OutputCovariance = OutputCovariance.Full(new double[,] { { 1, 0 }, { 0, 1 } }) })).ParamName);
        Assert.Equal("variance", Assert.ThrowsAny<ArgumentException>(() => OutputCovariance.Isotropic(-1)).ParamName);
        Assert.Equal("covariance", Assert.ThrowsAny<ArgumentException>(() => OutputCovariance.Full(new double[,] { { 1, 2 }, { 2, 1 } })).ParamName);
    }

    [Fact]
    public void Network_ShapeMismatch_NamesBothShapes()
    {
        var network = new Network<double>(new NetworkOptions { Widths = [3, 2] });
        NetworkWorkspace<double> workspace = network.CreateWorkspace(4);
        var e = Assert.Throws<ArgumentException>(() => network.Evaluate(new ReadOnlySpan2D<double>(new double[4, 3]), new ReadOnlySpan2D<double>(new double[4, 5]), workspace));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("4x5", e.Message, StringComparison.Ordinal);
        Assert.Contains("4x3", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => network.Evaluate(new ReadOnlySpan2D<double>(new double[5, 3]), new ReadOnlySpan2D<double>(new double[5, 2]), workspace));
        Assert.Equal("inputs", e.ParamName);
    }
}
