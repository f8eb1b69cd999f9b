using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>Eq. 18 and Eq. 19: the dynamics of the end-to-end product under exact NGD (float64).</summary>
public sealed class ExactNaturalGradientDynamicsTests(ITestOutputHelper output)
{
    /// <summary>Inputs with a non-trivial covariance: columns scaled by exp(-j/2) and mixed.</summary>
    private static double[,] CorrelatedInputs(int rows, int n, int seed)
    {
        double[,] z = Gaussian(rows, n, seed);
        double[,] mix = Gaussian(n, n, seed + 1, 0.3);
        for (int j = 0; j < n; j++)
        {
            mix[j, j] += Math.Exp(-j / 2.0);
        }

        return Dense.Multiply(z, mix);
    }

    private static (double[,] Sigma, double[,] Optimum, double MinimumLoss) LeastSquares(double[,] x, double[,] y, double[,] precision)
    {
        int m = x.Rows();
        double[,] sigma = Dense.Scale(Dense.Multiply(Dense.Transpose(x), x), 1.0 / m);
        double[,] optimum = Dense.Multiply(Dense.Scale(Dense.Multiply(Dense.Transpose(y), x), 1.0 / m), Dense.Inverse(sigma));
        var lsq = new ReferenceNetwork([optimum], [Activation.Identity], false, precision);
        return (sigma, optimum, lsq.Loss(x, y));
    }

    /// <summary>
    /// Square invertible layers: one Eq. 10 step moves the product by exactly
    /// <c>alpha (-W + &lt;y x^T&gt; Sigma^-1)</c> to first order (Eq. 18), and the excess loss decays
    /// exponentially. Near the optimum the second-order terms of the discrete step are quadratic in
    /// the product error, so the excess loss contracts by exactly (1 - alpha)^2 per step
    /// asymptotically: rate -2 ln(1 - alpha) per step, 2 alpha per unit time in continuous time
    /// (the product error itself decays as exp(-alpha t)).
    /// </summary>
    [Fact]
    public void ExactNaturalGradient_SquareNetwork_FollowsEq18AndDecaysExponentially()
    {
        int[] widths = [3, 3, 3, 3];
        const double alpha = 0.05;
        const int rows = 200;
        var options = new NetworkOptions { Widths = widths, Seed = 21 };
        var network = new Network<double>(options);

        // Eq. 18 moves the product along the straight line from W_0 to W_opt, and Eq. 10 needs
        // every layer invertible on the way (A_i^-1, B_i^-1): a teacher whose determinant has the
        // other sign forces the path through a singular matrix, where the discrete step blows up
        // (seen with a random teacher: the loss jumps by 1e9 at the crossing). So the teacher is
        // W* = 2 W_0 + eps R with eps ||R|| = sigma_min(W_0) / 2: the path (1 + s) W_0 + s eps R
        // keeps sigma_min >= sigma_min(W_0) / 2 for s in [0, 1].
        double[,] w0 = ReferenceNetwork.From(network).Product();
        double[,] r = Gaussian(3, 3, seed: 33);
        double sigmaMin = Math.Sqrt(Dense.SymmetricEigen(Dense.Multiply(Dense.Transpose(w0), w0)).Values[0]);
        double rNorm = Math.Sqrt(Dense.SpectralNorm(Dense.Multiply(Dense.Transpose(r), r)));
        double[,] teacher = Dense.Add(Dense.Scale(w0, 2), r, 0.5 * sigmaMin / rNorm);
        output.WriteLine($"sigma_min(W_0) = {sigmaMin:F4}");
        double[,] x = CorrelatedInputs(rows, 3, seed: 31);
        double[,] y = Dense.Add(Dense.Multiply(x, Dense.Transpose(teacher)), Gaussian(rows, 3, seed: 32, scale: 0.1));
        var optimizer = new ExactNaturalGradientOptimizer<double>(network, new ExactNaturalGradientOptions { LearningRate = alpha });
        var inputs = new ReadOnlySpan2D<double>(x);
        var targets = new ReadOnlySpan2D<double>(y);
        var precision = Dense.Identity(3);
        (double[,] sigma, double[,] optimum, double minimum) = LeastSquares(x, y, precision);

        // Eq. 18, first order: sum_i A_i (N_i / L) B_i = -W + <y x^T> Sigma^-1.
        optimizer.ComputeDirections(inputs, targets);
        var reference = ReferenceNetwork.From(network);
        double[][,] steps = [.. Enumerable.Range(0, 3).Select(l => Dense.Scale(ToDouble(optimizer.Direction(l)), 1.0 / 3))];
        double[,] change = reference.ProductChange(steps);
        double[,] eq18 = Dense.Add(optimum, reference.Product(), -1);
        double kappa = Dense.Condition(sigma) * reference.Weights.Select(w => Dense.Condition(Dense.Multiply(w, Dense.Transpose(w)))).Max();
        double eq18Error = Dense.RelativeDifference(change, eq18);
        double eq18Bound = 100 * 27 * Tolerances.Epsilon<double>() * kappa;
        output.WriteLine($"Eq. 18 first-order product change: relative error {eq18Error:E2} (bound {eq18Bound:E2})");
        Assert.True(eq18Error <= eq18Bound);

        var excess = new List<double>();
        for (int t = 0; t < 400; t++)
        {
            excess.Add(optimizer.Step(inputs, targets).Loss - minimum);
        }

        output.WriteLine(string.Join(" ", excess.Where((e, t) => t % 20 == 0).Select(e => e.ToString("E2", System.Globalization.CultureInfo.InvariantCulture))));
        // Fit ln(excess) against t where the excess is between 1e-4 and 1e-10 of its start: late
        // enough for the linearised map, early enough to stay far above roundoff (eps L_min).
        var window = excess.Select((e, t) => (t, e)).Where(p => p.e < 1e-4 * excess[0] && p.e > 1e-10 * excess[0]).ToArray();
        Assert.True(window.Length > 20, $"only {window.Length} points in the fit window");
        double meanT = window.Average(p => p.t), meanLog = window.Average(p => Math.Log(p.e));
        double slope = window.Sum(p => (p.t - meanT) * (Math.Log(p.e) - meanLog)) / window.Sum(p => (p.t - meanT) * (p.t - meanT));
        double fitted = -slope;
        double theory = -2 * Math.Log(1 - alpha);
        output.WriteLine($"excess loss: start {excess[0]:E3}, after 400 steps {excess[^1]:E3} (L_min = {minimum:E6})");
        output.WriteLine($"fitted decay rate {fitted:F6} per step over steps {window[0].t}..{window[^1].t}; theory -2 ln(1 - alpha) = {theory:F6} " +
                         $"(continuous time 2 alpha = {2 * alpha}); relative difference {Math.Abs(fitted / theory - 1):E2}");

        // The neglected terms are quadratic in the product error, i.e. of relative size
        // sqrt(excess / excess_0) <= 1e-2 at the window's start and shrinking along it.
        Assert.True(Math.Abs((fitted / theory) - 1) <= 1e-2, $"fitted {fitted} vs theory {theory}");
        Assert.True(excess[^1] >= -1e3 * Tolerances.Epsilon<double>() * minimum, "loss went below the least-squares minimum");
    }

    /// <summary>
    /// Eq. 19: a bottleneck network converges to the best solution of rank r (the bottleneck width),
    /// reduced-rank regression for <c>SigmaT = I</c>: <c>L_r = L_min + 0.5 sum_{k&gt;r} mu_k</c> with
    /// <c>mu_k</c> the eigenvalues of <c>W_opt Sigma W_opt^T</c>, and never goes below it.
    /// </summary>
    [Fact]
    public void ExactNaturalGradient_Bottleneck_ConvergesToBestLowRankSolution()
    {
        int[] widths = [5, 4, 2, 4, 5];
        const int rows = 300;
        double[,] x = CorrelatedInputs(rows, 5, seed: 41);
        double[,] w = Gaussian(5, 5, seed: 42);
        double[,] y = Dense.Add(Dense.Multiply(x, Dense.Transpose(w)), Gaussian(rows, 5, seed: 43, scale: 0.1));
        var network = new Network<double>(new NetworkOptions { Widths = widths, Seed = 44 });
        var optimizer = new ExactNaturalGradientOptimizer<double>(network, new ExactNaturalGradientOptions { LearningRate = 0.5 });
        (double[,] sigma, double[,] optimum, double minimum) = LeastSquares(x, y, Dense.Identity(5));
        double[] mu = Dense.SymmetricEigen(Dense.Multiply(optimum, sigma, Dense.Transpose(optimum))).Values; // ascending
        double lowRank = minimum + (0.5 * mu.Take(5 - 2).Sum());

        var inputs = new ReadOnlySpan2D<double>(x);
        var targets = new ReadOnlySpan2D<double>(y);
        double lowest = double.PositiveInfinity, last = 0;
        for (int t = 0; t < 300; t++)
        {
            last = optimizer.Step(inputs, targets).Loss;
            lowest = Math.Min(lowest, last);
            if (t % 30 == 0)
            {
                output.WriteLine($"t {t}: loss - L_2 = {last - lowRank:E3}");
            }
        }

        double gap = (last - lowRank) / lowRank;
        output.WriteLine($"L_min (full rank) = {minimum:F6}, best rank-2 L_2 = {lowRank:F6}, after 300 steps {last:F9} (relative gap {gap:E2}), lowest seen {lowest:F9}");

        // Never below the rank-2 optimum (up to the roundoff of a loss evaluation, ~ P eps L).
        Assert.True(lowest >= lowRank * (1 - (1e3 * Tolerances.Epsilon<double>())), $"{lowest} < {lowRank}");
        Assert.True(gap <= 1e-6, $"did not reach the rank-2 optimum: gap {gap:E2}");
    }
}
