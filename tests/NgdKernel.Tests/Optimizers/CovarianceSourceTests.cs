using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>Where the model covariances come from: closed form (Eq. 14, 15) against samples.</summary>
public sealed class CovarianceSourceTests(ITestOutputHelper output)
{
    /// <summary>
    /// Eq. 15 in closed form, <c>Lambda_i = B_i Sigma B_i^T</c> from a given input covariance, equals
    /// the batch estimate <c>&lt;x_{i-1} x_{i-1}^T&gt;</c> when Sigma is that batch's covariance.
    /// </summary>
    [Fact]
    public void ExactNaturalGradient_InputCovarianceClosedForm_EqualsBatchActivations()
    {
        var options = new NetworkOptions { Widths = [4, 6, 5, 3], Seed = 8 };
        double[,] x = Gaussian(20, 4, 1);
        double[,] y = Gaussian(20, 3, 2);
        double[,] sigma = Dense.Scale(Dense.Multiply(Dense.Transpose(x), x), 1.0 / 20);
        var closed = new ExactNaturalGradientOptimizer<double>(new Network<double>(options), new ExactNaturalGradientOptions
        {
            InputCovariance = [.. sigma.Cast<double>()],
        });
        var batch = new ExactNaturalGradientOptimizer<double>(new Network<double>(options));
        closed.ComputeDirections(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        batch.ComputeDirections(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        for (int l = 0; l < 3; l++)
        {
            double[,] a = ToDouble(closed.InputCovarianceOf(l)), b = ToDouble(batch.InputCovarianceOf(l));
            double error = Dense.RelativeDifference(a, b);
            Assert.True(error <= 100 * 20 * Tolerances.Epsilon<double>(), $"layer {l}: {error:E2}");
        }

        // Directions agree up to the pseudo-inverses' sensitivity to that rounding.
        for (int l = 0; l < 3; l++)
        {
            double error = Dense.RelativeDifference(ToDouble(closed.Direction(l)), ToDouble(batch.Direction(l)));
            double kappa = Dense.PseudoCondition(ToDouble(batch.ErrorCovarianceOf(l))) * Dense.PseudoCondition(ToDouble(batch.InputCovarianceOf(l)));
            double bound = 100 * 20 * Tolerances.Epsilon<double>() * kappa;
            output.WriteLine($"layer {l}: direction difference {error:E2} (bound {bound:E2})");
            Assert.True(error <= bound);
        }
    }

    /// <summary>
    /// Model-sampled output errors have covariance <c>S = SigmaT^-1</c> (Eq. 14 at the last layer of a
    /// linear output): with N samples each entry of the sample covariance has standard deviation
    /// <c>sqrt((S_ii S_jj + S_ij^2) / N)</c>; every entry lies within 5 of them.
    /// </summary>
    [Fact]
    public void NaturalGradient_SampledOutputErrors_HaveCovarianceSigmaTInverse()
    {
        double[,] sigmaT = { { 2.0, 0.6, 0.0 }, { 0.6, 1.0, -0.3 }, { 0.0, -0.3, 0.5 } };
        var network = new Network<double>(new NetworkOptions
        {
            Widths = [2, 3],
            OutputCovariance = OutputCovariance.Full(sigmaT),
            Seed = 3,
        });
        const int rows = 50, samples = 200;
        var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            SampleCount = samples,
            SampleSpace = SampleSpacePolicy.Never,
            Seed = 5,
        });
        optimizer.ComputeDirections(new ReadOnlySpan2D<double>(Gaussian(rows, 2, 1)), new ReadOnlySpan2D<double>(Gaussian(rows, 3, 2)));
        double[,] estimate = ToDouble<double>(optimizer.Curvature(0).ErrorCovariance.ReadOnlySpan);
        double[,] s = Dense.Inverse(sigmaT);
        int n = rows * samples;
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                double sd = Math.Sqrt(((s[i, i] * s[j, j]) + (s[i, j] * s[i, j])) / n);
                output.WriteLine($"[{i},{j}] estimate {estimate[i, j]:F4}, S {s[i, j]:F4}, sd {sd:F4}");
                Assert.InRange(estimate[i, j], s[i, j] - (5 * sd), s[i, j] + (5 * sd));
            }
        }
    }
}
