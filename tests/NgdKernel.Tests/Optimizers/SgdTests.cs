using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

public sealed class SgdTests
{
    /// <summary>
    /// One SGD step is <c>W + alpha G</c> with the reference gradient; momentum accumulates
    /// <c>V = mu V + G</c>. Elementwise bound: the gradient's rounding, <c>c n eps</c> of its scale.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void Sgd_Step_AddsLearningRateTimesNegativeGradient(double momentum)
    {
        var network = new Network<double>(new NetworkOptions { Widths = [3, 5, 2], HiddenActivation = Activation.Logistic, Bias = true, Seed = 4 });
        var optimizer = new SgdOptimizer<double>(network, new SgdOptions { LearningRate = 0.3, Momentum = momentum });
        double[,] x = Gaussian(7, 3, 1), y = Gaussian(7, 2, 2);
        double[][,] velocity = [new double[5, 4], new double[2, 6]];
        for (int step = 0; step < 2; step++)
        {
            var reference = ReferenceNetwork.From(network);
            double[][,] g = reference.NegativeGradient(x, y);
            StepResult r = optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            Assert.Equal(reference.Loss(x, y), r.Loss, 12);
            for (int l = 0; l < 2; l++)
            {
                velocity[l] = Dense.Add(Dense.Scale(velocity[l], momentum), g[l]);
                double[,] expected = Dense.Add(reference.Weights[l], velocity[l], 0.3);
                double bound = 100 * 7 * Tolerances.Epsilon<double>() * (Dense.FrobeniusNorm(reference.Weights[l]) + Dense.FrobeniusNorm(velocity[l]));
                Assert.True(Dense.FrobeniusNorm(Dense.Add(ToDouble<double>(network.Weights(l)), expected, -1)) <= bound);
            }
        }

        optimizer.Rollback();
        Assert.Equal(1, optimizer.StepCount);
    }

    /// <summary>
    /// The state a run stepped elsewhere hands over: momentum read with GetVelocity and set with
    /// RestoreState on a fresh optimizer continues bit for bit, as a checkpoint would.
    /// </summary>
    [Fact]
    public void Sgd_RestoreStateFromVelocity_ContinuesBitIdentical()
    {
        var options = new SgdOptions { LearningRate = 0.2, Momentum = 0.7 };
        var network = new Network<double>(new NetworkOptions { Widths = [3, 5, 2], HiddenActivation = Activation.Tanh, Bias = true, Seed = 4 });
        var optimizer = new SgdOptimizer<double>(network, options);
        double[,] x = Gaussian(6, 3, 1), y = Gaussian(6, 2, 2);
        for (int step = 0; step < 3; step++)
        {
            optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        }

        var copy = new Network<double>(network.Options);
        for (int l = 0; l < network.LayerCount; l++)
        {
            network.Weights(l).CopyTo(copy.Weights(l));
        }

        var velocity = new List<double>();
        for (int l = 0; l < network.LayerCount; l++)
        {
            var values = new double[network.Widths[l + 1] * network.InputWidth(l)];
            optimizer.GetVelocity(l, values);
            Assert.Contains(values, v => v != 0);
            velocity.AddRange(values);
        }

        var restored = new SgdOptimizer<double>(copy, options);
        restored.RestoreState(3, velocity.ToArray());
        Assert.Equal(3, restored.StepCount);
        Assert.Throws<InvalidOperationException>(restored.Rollback); // the undo point is cleared
        double[,] x2 = Gaussian(6, 3, 5), y2 = Gaussian(6, 2, 6);
        optimizer.Step(new ReadOnlySpan2D<double>(x2), new ReadOnlySpan2D<double>(y2));
        restored.Step(new ReadOnlySpan2D<double>(x2), new ReadOnlySpan2D<double>(y2));
        for (int l = 0; l < network.LayerCount; l++)
        {
            Assert.Equal(network.Weights(l).ToArray().Cast<double>(), copy.Weights(l).ToArray().Cast<double>());
        }
    }

    [Fact]
    public void Sgd_VelocityState_ArgumentsCheckedAndNamed()
    {
        var network = new Network<double>(new NetworkOptions { Widths = [3, 5, 2], Bias = true, Seed = 4 });
        var withMomentum = new SgdOptimizer<double>(network, new SgdOptions { Momentum = 0.5 });
        var plain = new SgdOptimizer<double>(network);
        Assert.Throws<InvalidOperationException>(() => plain.GetVelocity(0, new double[20]));
        Assert.Throws<ArgumentOutOfRangeException>(() => withMomentum.GetVelocity(2, new double[12]));
        Assert.Throws<ArgumentOutOfRangeException>(() => withMomentum.GetVelocity(-1, new double[20]));
        ArgumentException shortDestination = Assert.Throws<ArgumentException>(() => withMomentum.GetVelocity(0, new double[19]));
        Assert.Equal("destination", shortDestination.ParamName);

        Assert.Throws<ArgumentOutOfRangeException>(() => withMomentum.RestoreState(-1, new double[32]));
        ArgumentException wrongLength = Assert.Throws<ArgumentException>(() => withMomentum.RestoreState(1, new double[31]));
        Assert.Contains("32", wrongLength.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => plain.RestoreState(1, new double[32]));
        var values = new double[32];
        values[20 + 3] = double.NaN;
        ArgumentException nonFinite = Assert.Throws<ArgumentException>(() => withMomentum.RestoreState(4, values));
        Assert.Contains("value 3 of layer 1", nonFinite.Message, StringComparison.Ordinal);
        Assert.Equal(0, withMomentum.StepCount); // nothing changed

        plain.RestoreState(7, []);
        Assert.Equal(7, plain.StepCount);
    }
}
