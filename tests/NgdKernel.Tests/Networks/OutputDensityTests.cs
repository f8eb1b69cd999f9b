using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Networks;

/// <summary>
/// The categorical (softmax) and Bernoulli (logistic) output densities against naive double-precision
/// formulas: loss, gradient by central finite differences, predictions, accuracy, and the errors for
/// targets they do not take.
/// </summary>
public sealed class OutputDensityTests
{
    public enum Targets
    {
        CategoricalLabels,
        CategoricalOneHot,
        CategoricalSoft,
        Bernoulli,
    }

    /// <summary>A small tanh network with <paramref name="density"/> at its output, weights large enough to saturate some units.</summary>
    internal static NetworkOptions TanhOptions(OutputDensity density, bool bias = true) => new()
    {
        Widths = [4, 6, 5],
        HiddenActivation = Activation.Tanh,
        Bias = bias,
        OutputDensity = density,
        Seed = 9,
        InitScale = 2,
    };

    internal static OutputDensity DensityOf(Targets targets) =>
        targets == Targets.Bernoulli ? OutputDensity.Bernoulli : OutputDensity.Categorical;

    /// <summary>Seeded targets of each kind for <paramref name="rows"/> examples and <paramref name="classes"/> outputs.</summary>
    internal static double[,] MakeTargets(Targets kind, int rows, int classes, int seed)
    {
        var random = new Random(seed);
        if (kind == Targets.CategoricalLabels)
        {
            var labels = new double[rows, 1];
            for (int r = 0; r < rows; r++)
            {
                labels[r, 0] = random.Next(classes);
            }

            return labels;
        }

        var y = new double[rows, classes];
        for (int r = 0; r < rows; r++)
        {
            if (kind == Targets.CategoricalOneHot)
            {
                y[r, random.Next(classes)] = 1;
                continue;
            }

            double total = 0;
            for (int j = 0; j < classes; j++)
            {
                y[r, j] = kind == Targets.Bernoulli && j % 2 == 0 ? random.Next(2) : random.NextDouble();
                total += y[r, j];
            }

            for (int j = 0; kind == Targets.CategoricalSoft && j < classes; j++)
            {
                y[r, j] /= total;
            }
        }

        return y;
    }

    /// <summary>Softmax in double, the textbook way (inputs here are moderate: no shift needed).</summary>
    internal static double[] Softmax(double[] z)
    {
        double[] e = [.. z.Select(Math.Exp)];
        double s = e.Sum();
        return [.. e.Select(v => v / s)];
    }

    internal static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Mean negative log-likelihood, from the definitions: <c>-sum y log p</c>, or the binary cross-entropy.</summary>
    internal static double ReferenceLoss(ReferenceNetwork reference, OutputDensity density, double[,] inputs, double[,] targets)
    {
        double total = 0;
        for (int m = 0; m < inputs.Rows(); m++)
        {
            double[] x = reference.Forward(ReferenceNetwork.Row(inputs, m)).Output;
            if (density == OutputDensity.Categorical)
            {
                double[] p = Softmax(x);
                if (targets.Cols() == 1)
                {
                    total -= Math.Log(p[(int)targets[m, 0]]);
                }
                else
                {
                    for (int j = 0; j < p.Length; j++)
                    {
                        total -= targets[m, j] * Math.Log(p[j]);
                    }
                }
            }
            else
            {
                for (int j = 0; j < x.Length; j++)
                {
                    double p = Sigmoid(x[j]);
                    total -= (targets[m, j] * Math.Log(p)) + ((1 - targets[m, j]) * Math.Log(1 - p));
                }
            }
        }

        return total / inputs.Rows();
    }

    public static TheoryData<Targets, Activation, bool> GradientCases()
    {
        var data = new TheoryData<Targets, Activation, bool>();
        foreach (Targets t in Enum.GetValues<Targets>())
        {
            data.Add(t, Activation.Identity, true);
            data.Add(t, Activation.Tanh, false);
        }

        return data;
    }

    /// <summary>
    /// Categorical and Bernoulli gradients (Eq. 7-8 with <c>e_L = -dloss/dx_L</c>) against central finite
    /// differences of the reference loss, float64: step <c>h = eps^(1/3)</c> balances truncation
    /// <c>h^2 |L'''| / 6</c> and rounding <c>eps |L| / h</c> at about <c>eps^(2/3)</c>; the bound allows 100
    /// times that on the scale of the loss and the gradient (as for the Gaussian). The loss itself
    /// must match the reference within <c>c n eps</c> of its magnitude.
    /// </summary>
    [Theory]
    [MemberData(nameof(GradientCases))]
    public void CategoricalBernoulli_GradientMatchesCentralFiniteDifferences(Targets kind, Activation outputActivation, bool bias)
    {
        OutputDensity density = DensityOf(kind);
        var options = new NetworkOptions
        {
            Widths = [3, 5, 4],
            HiddenActivation = Activation.Tanh,
            OutputActivation = outputActivation,
            Bias = bias,
            OutputDensity = density,
            Seed = 17,
            InitScale = 1.5,
        };
        var network = new Network<double>(options);
        double[,] x = Gaussian(6, 3, seed: 21);
        double[,] y = MakeTargets(kind, 6, 4, seed: 22);
        NetworkWorkspace<double> workspace = network.CreateWorkspace(6);
        LossValues loss = network.ComputeGradient(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y), workspace);

        var reference = ReferenceNetwork.From(network);
        double expectedLoss = ReferenceLoss(reference, density, x, y);
        double eps = Tolerances.Epsilon<double>();
        Assert.True(Math.Abs(loss.Loss - expectedLoss) <= 10 * 4 * eps * Math.Max(1, Math.Abs(expectedLoss)),
            $"loss {loss.Loss} but reference {expectedLoss}");

        AssertGradientMatchesFiniteDifferences(workspace, reference, () => ReferenceLoss(reference, density, x, y), $"{kind} ");
    }

    /// <summary>
    /// Logits of order 1e4 (where <c>exp</c> overflows even in double) give the loss of log-sum-exp,
    /// <c>max + log sum exp(z - max) - z_y</c>, computed here in double, within a few eps of the logits' size.
    /// </summary>
    [Theory]
    [InlineData(OutputDensity.Categorical)]
    [InlineData(OutputDensity.Bernoulli)]
    public void CategoricalBernoulli_LargeLogits_LossIsFiniteAndStable(OutputDensity density)
    {
        var network = new Network<float>(new NetworkOptions { Widths = [2, 3], OutputDensity = density, Seed = 1 });
        Span2D<float> w = network.Weights(0);
        float[,] weights = { { 4000, 0 }, { 0, -3000 }, { 2500, 2500 } };
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 2; c++)
            {
                w[r, c] = weights[r, c];
            }
        }

        float[,] x = { { 1, 1 }, { -1, 2 } };
        float[,] y = density == OutputDensity.Categorical ? new float[,] { { 1 }, { 0 } } : new float[,] { { 1, 0, 1 }, { 0, 1, 0 } };
        LossValues loss = network.Evaluate(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(y), network.CreateWorkspace(2));

        double expected = 0;
        for (int m = 0; m < 2; m++)
        {
            double[] z = [.. Enumerable.Range(0, 3).Select(j => (weights[j, 0] * (double)x[m, 0]) + (weights[j, 1] * (double)x[m, 1]))];
            if (density == OutputDensity.Categorical)
            {
                double max = z.Max();
                expected += max + Math.Log(z.Sum(v => Math.Exp(v - max))) - z[(int)y[m, 0]];
            }
            else
            {
                expected += z.Select((v, j) => Math.Max(v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v))) - (y[m, j] * v)).Sum();
            }
        }

        expected /= 2;
        Assert.True(double.IsFinite(loss.Loss));
        Assert.True(Math.Abs(loss.Loss - expected) <= 10 * Tolerances.Epsilon<float>() * 1e4, $"loss {loss.Loss}, expected {expected}");
    }

    /// <summary>
    /// <see cref="Network{T}.Predict"/> gives softmax (categorical) or sigmoid (Bernoulli) probabilities of
    /// the reference outputs, and <see cref="Trainer{T}.EvaluateClassification"/> counts what the naive argmax
    /// (or side of 1/2) counts; float, with a bound of a few eps per probability.
    /// </summary>
    [Theory]
    [InlineData(Targets.CategoricalLabels)]
    [InlineData(Targets.CategoricalOneHot)]
    [InlineData(Targets.Bernoulli)]
    public void CategoricalBernoulli_PredictAndAccuracy_MatchReference(Targets kind)
    {
        OutputDensity density = DensityOf(kind);
        var network = new Network<float>(TanhOptions(density) with { Widths = [4, 7, 5], Seed = 3 });
        const int rows = 37;
        double[,] x = Gaussian(rows, 4, seed: 5);
        double[,] y = MakeTargets(kind, rows, 5, seed: 6);
        ReadOnlySpan2D<float> p = network.Predict(new ReadOnlySpan2D<float>(Convert<float>(x)), network.CreateWorkspace(rows));
        var reference = ReferenceNetwork.From(network);
        int correct = 0, total = 0;
        for (int m = 0; m < rows; m++)
        {
            double[] z = reference.Forward(ReferenceNetwork.Row(x, m)).Output;
            double[] expected = density == OutputDensity.Categorical ? Softmax(z) : [.. z.Select(Sigmoid)];
            for (int j = 0; j < 5; j++)
            {
                Assert.True(Math.Abs(p[m, j] - expected[j]) <= 20 * Tolerances.Epsilon<float>() * Math.Max(1, Math.Abs(z[j])),
                    $"row {m} class {j}: {p[m, j]} vs {expected[j]}");
            }

            if (density == OutputDensity.Categorical)
            {
                int label = y.Cols() == 1 ? (int)y[m, 0] : Enumerable.Range(0, 5).MaxBy(j => y[m, j]);
                correct += Array.IndexOf(expected, expected.Max()) == label ? 1 : 0;
                total++;
            }
            else
            {
                for (int j = 0; j < 5; j++)
                {
                    correct += (expected[j] > 0.5) == (y[m, j] > 0.5) ? 1 : 0;
                    total++;
                }
            }
        }

        var trainer = new Trainer<float>(new SgdOptimizer<float>(network), new TrainerOptions { EvaluationBatchSize = 10 });
        ClassificationMetrics metrics = trainer.EvaluateClassification(new ReadOnlySpan2D<float>(Convert<float>(x)),
            new ReadOnlySpan2D<float>(Convert<float>(y)));
        Assert.Equal((double)correct / total, metrics.Accuracy, 12);
        double loss = ReferenceLoss(reference, density, x, y);
        Assert.True(Math.Abs(metrics.LogLoss - loss) <= 100 * Tolerances.Epsilon<float>() * Math.Max(1, loss),
            $"log-loss {metrics.LogLoss}, reference {loss}");
    }

    [Fact]
    public void Categorical_BadTargets_NameRowAndColumn()
    {
        var network = new Network<double>(new NetworkOptions { Widths = [2, 3], OutputDensity = OutputDensity.Categorical });
        NetworkWorkspace<double> workspace = network.CreateWorkspace(2);
        double[,] x = { { 0, 1 }, { 1, 0 } };
        var e = Assert.Throws<ArgumentException>(() => network.Evaluate(new ReadOnlySpan2D<double>(x),
            new ReadOnlySpan2D<double>(new double[,] { { 1 }, { 3 } }), workspace));
        Assert.Contains("row 1, column 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 2]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => network.Evaluate(new ReadOnlySpan2D<double>(x),
            new ReadOnlySpan2D<double>(new double[,] { { 0.5 }, { 1 } }), workspace));
        Assert.Contains("row 0, column 0", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => network.Evaluate(new ReadOnlySpan2D<double>(x),
            new ReadOnlySpan2D<double>(new double[,] { { 1, 0, 0 }, { 0, -0.5, 1.5 } }), workspace));
        Assert.Contains("row 1, column 1", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => network.Evaluate(new ReadOnlySpan2D<double>(x),
            new ReadOnlySpan2D<double>(new double[2, 2]), workspace));
        Assert.Contains("class labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bernoulli_BadTargets_NameRowAndColumn()
    {
        var network = new Network<float>(new NetworkOptions { Widths = [2, 3], OutputDensity = OutputDensity.Bernoulli });
        var e = Assert.Throws<ArgumentException>(() => network.Evaluate(new ReadOnlySpan2D<float>(new float[1, 2]),
            new ReadOnlySpan2D<float>(new float[,] { { 0, 1.5f, 1 } }), network.CreateWorkspace(1)));
        Assert.Contains("row 0, column 1", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => network.Evaluate(new ReadOnlySpan2D<float>(new float[1, 2]),
            new ReadOnlySpan2D<float>(new float[,] { { 1 } }), network.CreateWorkspace(1)));
        Assert.Contains("n_L = 3 columns", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CategoricalBernoulli_MeaninglessOptions_AreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new Network<double>(new NetworkOptions
        {
            Widths = [2, 3],
            OutputDensity = OutputDensity.Bernoulli,
            OutputCovariance = OutputCovariance.Isotropic(2),
        }));
        Assert.Contains("Gaussian density only", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new Network<double>(new NetworkOptions { Widths = [2, 1], OutputDensity = OutputDensity.Categorical }));
        Assert.Contains("n_L >= 2", e.Message, StringComparison.Ordinal);
        var network = new Network<double>(new NetworkOptions { Widths = [2, 3], OutputDensity = OutputDensity.Categorical });
        e = Assert.Throws<ArgumentException>(() => new ExactNaturalGradientOptimizer<double>(network));
        Assert.Contains("ExactOutputFisher", e.Message, StringComparison.Ordinal);
        e = Assert.ThrowsAny<ArgumentException>(() => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            Fisher = FisherEstimate.Exact,
            Inverse = CurvatureInverse.ShermanMorrison,
        }));
        Assert.Contains("Cholesky", e.Message, StringComparison.Ordinal);
    }
}
