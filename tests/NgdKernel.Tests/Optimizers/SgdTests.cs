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
}
