using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>
/// The exact natural gradient of Eq. 10 against the full P x P Fisher matrix
/// <c>F = &lt;J^T SigmaT^-1 J&gt;</c> of small linear networks over a fixed input set (float64).
/// </summary>
/// <remarks>
/// Parameters are vectorised row-major per layer, so <c>vec(A X B) = (A (x) B^T) vec(X)</c> and the
/// Fisher block is <c>F_ij = &lt;e_i e_j^T&gt; (x) &lt;x_{i-1} x_{j-1}^T&gt;</c>; Eq. 23 becomes
/// <c>(F^g)_ij = (1/L^2) &lt;e_j e_i^T&gt;^-1 (x) &lt;x_{j-1} x_{i-1}^T&gt;^-1</c>.
/// Tolerances are <c>c P eps</c> times the conditioning of the matrices inverted, computed per case
/// and printed with the measured error.
/// </remarks>
public sealed class FisherTests(ITestOutputHelper output)
{
    private const double RankCutoff = 1e-10;

    private sealed record Case(ReferenceNetwork Reference, double[,] Inputs, double[,] Sigma, double[,] Yx,
        double[][,] Gradient, double[][,] Eq10Step, double[,] Fisher)
    {
        public int Layers => Reference.LayerCount;
    }

    /// <summary>Builds a linear network, a batch, the library's Eq. 10 step (alpha = 1) and the reference Fisher.</summary>
    private static Case Build(int[] widths, int seed)
    {
        int n0 = widths[0], nL = widths[^1];
        double[,] r = Gaussian(nL, nL, seed + 100);
        double[,] sigmaT = Dense.Add(Dense.Scale(Dense.Multiply(r, Dense.Transpose(r)), 0.2 / nL), Dense.Identity(nL), 0.5);
        var network = new Network<double>(new NetworkOptions
        {
            Widths = widths,
            OutputCovariance = OutputCovariance.Full(sigmaT),
            Seed = (ulong)seed,
        });
        int m = (2 * n0) + 3;
        double[,] x = Gaussian(m, n0, seed + 1);
        double[,] y = Gaussian(m, nL, seed + 2);
        var optimizer = new ExactNaturalGradientOptimizer<double>(network, new ExactNaturalGradientOptions { ErrorCovariance = CovarianceSource.Model });
        optimizer.ComputeDirections(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        int layers = widths.Length - 1;
        var step = new double[layers][,];
        for (int l = 0; l < layers; l++)
        {
            step[l] = Dense.Scale(ToDouble(optimizer.Direction(l)), 1.0 / layers);
        }

        var reference = ReferenceNetwork.From(network);
        double[,] sigma = Dense.Scale(Dense.Multiply(Dense.Transpose(x), x), 1.0 / m);
        double[,] yx = Dense.Scale(Dense.Multiply(Dense.Transpose(y), x), 1.0 / m);
        return new Case(reference, x, sigma, yx, reference.NegativeGradient(x, y), step, reference.Fisher(x));
    }

    private static double[] Apply(double[,] a, double[] v)
    {
        var r = new double[a.Rows()];
        for (int i = 0; i < r.Length; i++)
        {
            for (int j = 0; j < v.Length; j++)
            {
                r[i] += a[i, j] * v[j];
            }
        }

        return r;
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    /// <summary>Ratio of largest to smallest kept eigenvalue, and the rank, of a PSD matrix.</summary>
    private static (double Condition, int Rank) PseudoCondition(double[,] a)
    {
        double[] values = Dense.SymmetricEigen(a).Values;
        double max = values[^1];
        double[] kept = [.. values.Where(v => v > RankCutoff * max)];
        return (max / kept[0], kept.Length);
    }

    /// <summary>(a) Square invertible layers: Eq. 23 is a generalized inverse and Eq. 10 = F^g g.</summary>
    [Theory]
    [InlineData(new[] { 3, 3, 3, 3 }, 1)]
    [InlineData(new[] { 4, 4, 4, 4 }, 2)]
    [InlineData(new[] { 2, 2 }, 3)]
    public void ExactNaturalGradient_SquareLayers_IsEq23GeneralizedInverseTimesGradient(int[] widths, int seed)
    {
        Case c = Build(widths, seed);
        int layers = c.Layers;
        ReferenceNetwork net = c.Reference;
        int p = net.ParameterCount;
        var fg = new double[p, p];
        int rowOffset = 0;
        for (int i = 0; i < layers; i++)
        {
            int colOffset = 0;
            for (int j = 0; j < layers; j++)
            {
                double[,] eji = Dense.Multiply(Dense.Transpose(net.Above(j)), net.Precision, net.Above(i)); // <e_j e_i^T>
                double[,] xji = Dense.Multiply(net.Below(j), c.Sigma, Dense.Transpose(net.Below(i)));       // <x_{j-1} x_{i-1}^T>
                double[,] block = Dense.Scale(Dense.Kronecker(Dense.Inverse(eji), Dense.Inverse(xji)), 1.0 / (layers * layers));
                for (int a = 0; a < block.Rows(); a++)
                {
                    for (int b = 0; b < block.Cols(); b++)
                    {
                        fg[rowOffset + a, colOffset + b] = block[a, b];
                    }
                }

                colOffset += net.Weights[j].Length;
            }

            rowOffset += net.Weights[i].Length;
        }

        double[,] f = c.Fisher;
        double scale = Dense.FrobeniusNorm(f) * Dense.FrobeniusNorm(fg);
        double bound = 10 * p * Tolerances.Epsilon<double>() * scale;
        double residual = Dense.FrobeniusNorm(Dense.Add(Dense.Multiply(f, fg, f), f, -1)) / Dense.FrobeniusNorm(f);
        output.WriteLine($"widths [{string.Join(",", widths)}], P = {p}: ||F Fg F - F||/||F|| = {residual:E2} (bound {bound:E2}, ||F|| ||Fg|| = {scale:E2})");
        Assert.True(residual <= bound, $"F Fg F != F: {residual:E3} > {bound:E3}");

        double[] g = ReferenceNetwork.Flatten(c.Gradient);
        double[] natural = Apply(fg, g);
        double[] eq10 = ReferenceNetwork.Flatten(c.Eq10Step);
        double error = Norm([.. natural.Select((v, k) => v - eq10[k])]) / Norm(natural);
        output.WriteLine($"  ||Eq10 - Fg g|| / ||Fg g|| = {error:E2}");
        Assert.True(error <= bound, $"Eq. 10 != Fg g: {error:E3} > {bound:E3}");
    }

    /// <summary>(b) Hidden widths >= max(n0, nL): the product moves exactly as under F^+ g (Eq. 17).</summary>
    [Theory]
    [InlineData(new[] { 4, 4, 4, 4 }, 4)]
    [InlineData(new[] { 3, 5, 3 }, 5)]
    [InlineData(new[] { 2, 5, 3 }, 6)]
    [InlineData(new[] { 2, 3, 4, 3, 2 }, 7)]
    public void ExactNaturalGradient_WideHiddenLayers_ProductChangeEqualsMoorePenrose(int[] widths, int seed)
    {
        Case c = Build(widths, seed);
        (double condition, int rank) = PseudoCondition(c.Fisher);
        Assert.Equal(widths[0] * widths[^1], rank); // only n0 nL directions change the output
        double[,] fPlus = Dense.PseudoInverse(c.Fisher, RankCutoff, out _);
        double[][,] mp = c.Reference.Unflatten(Apply(fPlus, ReferenceNetwork.Flatten(c.Gradient)));
        double[,] expected = c.Reference.ProductChange(mp);
        double[,] actual = c.Reference.ProductChange(c.Eq10Step);
        double error = Dense.RelativeDifference(actual, expected);
        int p = c.Reference.ParameterCount;
        double bound = 10 * p * Tolerances.Epsilon<double>() * condition;
        output.WriteLine($"widths [{string.Join(",", widths)}]: P = {p}, rank F = {rank}, kappa+(F) = {condition:E2}; " +
                         $"product change Eq10 vs F^+ g: {error:E2} relative (bound {bound:E2})");
        Assert.True(error <= bound, $"{error:E3} > {bound:E3}");
    }

    /// <summary>
    /// (c) Bottlenecks: Eq. 10 is a descent direction and its product change is Eq. 19 exactly;
    /// the gap to the Moore-Penrose natural gradient is measured and reported, not asserted.
    /// </summary>
    [Theory]
    [InlineData(new[] { 3, 2, 3 }, 8)]
    [InlineData(new[] { 3, 4, 2, 3 }, 9)]
    [InlineData(new[] { 6, 3, 1, 3, 6 }, 10)]
    [InlineData(new[] { 5, 3, 2 }, 11)]
    [InlineData(new[] { 2, 3, 5 }, 12)]
    public void ExactNaturalGradient_Bottleneck_IsDescentAndFollowsEq19(int[] widths, int seed)
    {
        Case c = Build(widths, seed);
        ReferenceNetwork net = c.Reference;
        int layers = c.Layers;
        double[] g = ReferenceNetwork.Flatten(c.Gradient);
        double[] step = ReferenceNetwork.Flatten(c.Eq10Step);
        double descent = g.Select((v, k) => v * step[k]).Sum(); // -dL/dtheta . dtheta
        Assert.True(descent > 0, $"Eq. 10 is not a descent direction: g . step = {descent}");

        // Eq. 19: dW = -W + (1/L) sum_i P_i^a <y x^T> Sigma^-1 P_i^b.
        double[,] s = net.Precision;
        double[,] target = Dense.Multiply(c.Yx, Dense.Inverse(c.Sigma));
        double[,] eq19 = Dense.Scale(net.Product(), -1);
        double conditioning = Dense.Condition(c.Sigma);
        for (int i = 0; i < layers; i++)
        {
            double[,] a = net.Above(i);
            double[,] b = net.Below(i);
            double[,] ata = Dense.Multiply(Dense.Transpose(a), s, a);
            double[,] bsb = Dense.Multiply(b, c.Sigma, Dense.Transpose(b));
            conditioning = Math.Max(conditioning, PseudoCondition(ata).Condition * PseudoCondition(bsb).Condition);
            double[,] pa = Dense.Multiply(a, Dense.PseudoInverse(ata, RankCutoff, out _), Dense.Transpose(a), s);
            double[,] pb = Dense.Multiply(c.Sigma, Dense.Transpose(b), Dense.PseudoInverse(bsb, RankCutoff, out _), b);
            eq19 = Dense.Add(eq19, Dense.Multiply(pa, target, pb), 1.0 / layers);
        }

        double[,] actual = net.ProductChange(c.Eq10Step);
        double error = Dense.RelativeDifference(actual, eq19);
        int p = net.ParameterCount;
        double bound = 10 * p * Tolerances.Epsilon<double>() * conditioning;

        double[,] fPlus = Dense.PseudoInverse(c.Fisher, RankCutoff, out int rank);
        double[,] mp = net.ProductChange(net.Unflatten(Apply(fPlus, g)));
        double gap = Dense.RelativeDifference(actual, mp);
        output.WriteLine($"widths [{string.Join(",", widths)}]: P = {p}, rank F = {rank}; descent g.step = {descent:E3}; " +
                         $"Eq10 vs Eq19: {error:E2} (bound {bound:E2}); measured gap Eq10 vs F^+ g product change: {gap:P1}");
        Assert.True(error <= bound, $"Eq. 19: {error:E3} > {bound:E3}");
    }
}
