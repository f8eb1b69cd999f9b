using static NgdKernel.Tests.Networks.NetworkTestData;
using static NgdKernel.Tests.Networks.OutputDensityTests;

namespace NgdKernel.Tests.Optimizers;

/// <summary>
/// The natural gradient with categorical and Bernoulli outputs: the sampled error covariance of
/// Eq. 20 against the exact expectation over the output density, the exact one against the full
/// Fisher matrix computed naively, zero allocation and checkpoints.
/// </summary>
public sealed class OutputDensityFisherTests(ITestOutputHelper output)
{
    private const int Rows = 8;

    /// <summary>The output Fisher of one example: <c>diag(p) - p p^T</c> or <c>diag(p (1 - p))</c>.</summary>
    private static double[,] OutputFisher(OutputDensity density, double[] z)
    {
        int n = z.Length;
        var f = new double[n, n];
        double[] p = density == OutputDensity.Categorical ? Softmax(z) : [.. z.Select(Sigmoid)];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                f[i, j] = density == OutputDensity.Categorical ? (i == j ? p[i] : 0) - (p[i] * p[j]) : i == j ? p[i] * (1 - p[i]) : 0;
            }
        }

        return f;
    }

    /// <summary>
    /// <c>E ||e e^T - F||_F^2</c> of one example's output error <c>e</c> under the model, by enumeration
    /// of the n classes (categorical) or from the independent components' moments (Bernoulli:
    /// <c>E e^2 = q = p (1-p)</c>, <c>E e^4 = q ((1-p)^3 + p^3)</c>).
    /// </summary>
    private static double ErrorVariance(OutputDensity density, double[] z)
    {
        int n = z.Length;
        double fourth;
        if (density == OutputDensity.Categorical)
        {
            double[] p = Softmax(z);
            fourth = 0;
            for (int y = 0; y < n; y++)
            {
                double norm2 = Enumerable.Range(0, n).Sum(j => Math.Pow((j == y ? 1 : 0) - p[j], 2));
                fourth += p[y] * norm2 * norm2;
            }
        }
        else
        {
            double[] p = [.. z.Select(Sigmoid)];
            double[] q = [.. p.Select(v => v * (1 - v))];
            fourth = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    fourth += i == j ? q[i] * (Math.Pow(1 - p[i], 3) + Math.Pow(p[i], 3)) : q[i] * q[j];
                }
            }
        }

        double f2 = Math.Pow(Dense.FrobeniusNorm(OutputFisher(density, z)), 2);
        return fourth - f2;
    }

    private static double[,] ErrorCovariance(NaturalGradientOptimizer<double> optimizer, int layer) =>
        ToDouble(optimizer.Curvature(layer).ErrorCovariance.ReadOnlySpan);

    private static double[,] InputCovariance(NaturalGradientOptimizer<double> optimizer, int layer) =>
        ToDouble(optimizer.Curvature(layer).InputCovariance.ReadOnlySpan);

    /// <summary>
    /// The sampled error covariance of the output layer, <c>S_K = (1/KM) sum e e^T</c> over K sampled
    /// passes, tends to the exact one (<see cref="FisherEstimate.Exact"/>) as <c>K^-1/2</c>: its mean
    /// squared distance is <c>V / (K M^2)</c> with <c>V = sum_m E||e e^T - F_m||^2</c> computed exactly
    /// from the probabilities. Over 48 seeds per K the measured mean must lie within 4 of its standard
    /// errors of that (a t-test failing by chance with probability about 3e-4 per K, and for a biased
    /// sampler or a wrong rate), and the standard error must be below a quarter of the expectation so
    /// that the test has power. The exact covariance must equal <c>&lt;F_m&gt;</c> to rounding.
    /// </summary>
    [Theory]
    [InlineData(OutputDensity.Categorical)]
    [InlineData(OutputDensity.Bernoulli)]
    public void CategoricalBernoulli_SampledFisher_ConvergesToExactAtRateInverseSqrtK(OutputDensity density)
    {
        NetworkOptions options = TanhOptions(density);
        var network = new Network<double>(options);
        double[,] x = Gaussian(Rows, 4, seed: 31);
        double[,] y = MakeTargets(density == OutputDensity.Categorical ? Targets.CategoricalOneHot : Targets.Bernoulli, Rows, 5, 32);
        var inputs = new ReadOnlySpan2D<double>(x);
        var targets = new ReadOnlySpan2D<double>(y);
        int last = network.LayerCount - 1;

        var exact = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            Fisher = FisherEstimate.Exact,
            SampleSpace = SampleSpacePolicy.Never,
        });
        exact.ComputeDirections(inputs, targets);
        double[,] exactCovariance = ErrorCovariance(exact, last);

        var reference = ReferenceNetwork.From(network);
        var mean = new double[5, 5];
        double variance = 0;
        for (int m = 0; m < Rows; m++)
        {
            double[] z = reference.Forward(ReferenceNetwork.Row(x, m)).Output;
            mean = Dense.Add(mean, OutputFisher(density, z), 1.0 / Rows);
            variance += ErrorVariance(density, z);
        }

        double exactError = Dense.FrobeniusNorm(Dense.Add(exactCovariance, mean, -1));
        double exactBound = 20 * 5 * Tolerances.Epsilon<double>() * Math.Max(Dense.FrobeniusNorm(mean), 1);
        Assert.True(exactError <= exactBound, $"exact covariance differs from <F_m> by {exactError:E3} > {exactBound:E3}");

        foreach (int k in (int[])[1, 4, 16, 64])
        {
            const int seeds = 48;
            double sum = 0, sumOfSquares = 0;
            for (int seed = 0; seed < seeds; seed++)
            {
                var sampled = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
                {
                    SampleCount = k,
                    SampleSpace = SampleSpacePolicy.Never,
                    Seed = (ulong)(1000 * k) + (ulong)seed,
                });
                sampled.ComputeDirections(inputs, targets);
                double squared = Math.Pow(Dense.FrobeniusNorm(Dense.Add(ErrorCovariance(sampled, last), exactCovariance, -1)), 2);
                sum += squared;
                sumOfSquares += squared * squared;
            }

            double expected = variance / ((double)k * Rows * Rows);
            double measured = sum / seeds;
            double standardError = Math.Sqrt(((sumOfSquares / seeds) - (measured * measured)) / (seeds - 1));
            output.WriteLine($"{density} K = {k}: mean ||S_K - F||^2 = {measured:E3} +- {standardError:E2}, V/(K M^2) = {expected:E3}, ratio {measured / expected:F3}");
            Assert.True(standardError <= 0.25 * expected, $"K = {k}: the test has no power, standard error {standardError:E3} of {expected:E3}");
            Assert.True(Math.Abs(measured - expected) <= 4 * standardError,
                $"K = {k}: mean squared distance {measured:E3} is {Math.Abs(measured - expected) / standardError:F1} standard errors from V/(K M^2) = {expected:E3}");
        }
    }

    /// <summary>
    /// The exact-Fisher error covariances of every layer against the full Fisher matrix
    /// <c>F = &lt;J^T F_out(x) J&gt;</c> computed naively from per-example Jacobians: with biases, the
    /// parameters of a layer's bias column have Fisher block <c>&lt;(A^T F_out A) x_b x_b&gt;</c> with
    /// <c>x_b = 1</c>, which is <c>LambdaT_i</c> exactly; and for one example the whole layer block is the
    /// Kronecker product <c>LambdaT_i (x) Lambda_i</c>. Bound <c>c P eps ||F||</c>.
    /// </summary>
    [Theory]
    [InlineData(OutputDensity.Categorical, 7)]
    [InlineData(OutputDensity.Categorical, 1)]
    [InlineData(OutputDensity.Bernoulli, 7)]
    [InlineData(OutputDensity.Bernoulli, 1)]
    public void CategoricalBernoulli_ExactFisher_MatchesNaiveFullFisher(OutputDensity density, int rows)
    {
        var network = new Network<double>(TanhOptions(density) with { Widths = [3, 4, 3, 4] });
        double[,] x = Gaussian(rows, 3, seed: 41);
        double[,] y = MakeTargets(density == OutputDensity.Categorical ? Targets.CategoricalOneHot : Targets.Bernoulli, rows, 4, 42);
        var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            Fisher = FisherEstimate.Exact,
            SampleSpace = SampleSpacePolicy.Never,
        });
        optimizer.ComputeDirections(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));

        ReferenceNetwork reference = ReferenceNetwork.From(network);
        int p = reference.ParameterCount;
        var fisher = new double[p, p];
        for (int m = 0; m < rows; m++)
        {
            double[] input = ReferenceNetwork.Row(x, m);
            double[,] fOut = OutputFisher(density, reference.Forward(input).Output);
            var single = new ReferenceNetwork(reference.Weights, reference.Activations, reference.Bias, fOut);
            fisher = Dense.Add(fisher, single.Fisher(new double[,] { { input[0], input[1], input[2] } }), 1.0 / rows);
        }

        double bound = 20 * p * Tolerances.Epsilon<double>() * Dense.FrobeniusNorm(fisher);
        int offset = 0;
        for (int l = 0; l < network.LayerCount; l++)
        {
            int outputs = network.Widths[l + 1], inputs = network.InputWidth(l);
            double[,] errorCovariance = ErrorCovariance(optimizer, l);
            var biasBlock = new double[outputs, outputs];
            var block = new double[outputs * inputs, outputs * inputs];
            for (int a = 0; a < outputs * inputs; a++)
            {
                for (int b = 0; b < outputs * inputs; b++)
                {
                    block[a, b] = fisher[offset + a, offset + b];
                }
            }

            for (int i = 0; i < outputs; i++)
            {
                for (int j = 0; j < outputs; j++)
                {
                    biasBlock[i, j] = block[(i * inputs) + inputs - 1, (j * inputs) + inputs - 1];
                }
            }

            double error = Dense.FrobeniusNorm(Dense.Add(errorCovariance, biasBlock, -1));
            output.WriteLine($"{density} M = {rows} layer {l}: ||LambdaT - F_bias|| = {error:E2} (bound {bound:E2})");
            Assert.True(error <= bound, $"layer {l}: LambdaT differs from the Fisher's bias block by {error:E3} > {bound:E3}");
            if (rows == 1)
            {
                double[,] kronecker = Dense.Kronecker(errorCovariance, InputCovariance(optimizer, l));
                double blockError = Dense.FrobeniusNorm(Dense.Add(kronecker, block, -1));
                Assert.True(blockError <= bound, $"layer {l}: LambdaT (x) Lambda differs from F_ll by {blockError:E3} > {bound:E3}");
            }

            offset += outputs * inputs;
        }
    }

    /// <summary>
    /// One layer, one example: the full Fisher is <c>F_out (x) x x^T</c>, so the undamped natural gradient
    /// <c>F^+ g</c> (naive P x P pseudo-inverse) is the step of <see cref="ExactNaturalGradientOptimizer{T}"/>
    /// with <see cref="CovarianceSource.ExactOutputFisher"/>. Bound <c>c P eps kappa+(F)</c>.
    /// </summary>
    [Theory]
    [InlineData(OutputDensity.Categorical)]
    [InlineData(OutputDensity.Bernoulli)]
    public void CategoricalBernoulli_ExactNaturalGradient_IsPseudoInverseOfNaiveFisherTimesGradient(OutputDensity density)
    {
        var network = new Network<double>(new NetworkOptions { Widths = [3, 4], Bias = true, OutputDensity = density, Seed = 4, InitScale = 1.5 });
        double[,] x = Gaussian(1, 3, seed: 51);
        double[,] y = MakeTargets(density == OutputDensity.Categorical ? Targets.CategoricalSoft : Targets.Bernoulli, 1, 4, 52);
        var optimizer = new ExactNaturalGradientOptimizer<double>(network, new ExactNaturalGradientOptions
        {
            ErrorCovariance = CovarianceSource.ExactOutputFisher,
            PseudoInverseCutoff = 1e-10,
        });
        optimizer.ComputeDirections(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));

        ReferenceNetwork reference = ReferenceNetwork.From(network);
        double[] input = ReferenceNetwork.Row(x, 0);
        double[,] fOut = OutputFisher(density, reference.Forward(input).Output);
        double[,] fisher = new ReferenceNetwork(reference.Weights, reference.Activations, true, fOut).Fisher(x);
        NetworkWorkspace<double> workspace = network.CreateWorkspace(1);
        network.ComputeGradient(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y), workspace);
        double[] g = ReferenceNetwork.Flatten([ToDouble(workspace.NegativeGradient(0))]);
        double[,] pinv = Dense.PseudoInverse(fisher, 1e-10, out int rank);
        double[] natural = [.. Enumerable.Range(0, g.Length).Select(i => Enumerable.Range(0, g.Length).Sum(j => pinv[i, j] * g[j]))];
        double[] step = ReferenceNetwork.Flatten([ToDouble(optimizer.Direction(0))]);
        double error = Math.Sqrt(natural.Select((v, i) => (v - step[i]) * (v - step[i])).Sum()) / Math.Sqrt(natural.Sum(v => v * v));
        double bound = 10 * g.Length * Tolerances.Epsilon<double>() * Dense.PseudoCondition(fisher);
        output.WriteLine($"{density}: rank F = {rank}, ||step - F^+ g|| / ||F^+ g|| = {error:E2} (bound {bound:E2})");
        Assert.Equal(density == OutputDensity.Categorical ? 3 : 4, rank); // rank(F_out) x rank(x x^T)
        Assert.True(error <= bound, $"{error:E3} > {bound:E3}");
    }

    /// <summary>
    /// For a linear Gaussian network the exact output Fisher back-propagated per example gives the
    /// closed form of Eq. 14, <c>A_i^T SigmaT^-1 A_i</c>, for an isotropic and a full covariance: the
    /// error covariances of <see cref="CovarianceSource.ExactOutputFisher"/> and
    /// <see cref="CovarianceSource.Model"/> agree within <c>c n eps ||LambdaT||</c>.
    /// </summary>
    [Theory, Combinations]
    public void GaussianExactOutputFisher_EqualsClosedFormEq14(bool full)
    {
        OutputCovariance covariance = full
            ? OutputCovariance.Full(new double[,] { { 0.5, 0.1, 0 }, { 0.1, 0.3, 0.05 }, { 0, 0.05, 0.8 } })
            : OutputCovariance.Isotropic(0.25);
        var network = new Network<double>(new NetworkOptions { Widths = [4, 5, 3, 3], OutputCovariance = covariance, Seed = 8 });
        double[,] x = Gaussian(6, 4, seed: 81);
        double[,] y = Gaussian(6, 3, seed: 82);
        var model = new ExactNaturalGradientOptimizer<double>(network);
        var exact = new ExactNaturalGradientOptimizer<double>(network, new ExactNaturalGradientOptions { ErrorCovariance = CovarianceSource.ExactOutputFisher });
        model.ComputeDirections(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        exact.ComputeDirections(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        for (int l = 0; l < network.LayerCount; l++)
        {
            double[,] expected = ToDouble(model.ErrorCovarianceOf(l));
            double error = Dense.FrobeniusNorm(Dense.Add(ToDouble(exact.ErrorCovarianceOf(l)), expected, -1));
            double bound = 20 * 5 * Tolerances.Epsilon<double>() * Dense.FrobeniusNorm(expected);
            Assert.True(error <= bound, $"layer {l}: {error:E3} > {bound:E3}");
        }
    }

    public enum Kind
    {
        Sgd,
        NgdSampled,
        NgdExactSampleSpace,
        NgdShermanMorrison,
        ExactSampled,
        ExactOutputFisher,
    }

    private static IOptimizer<T> Create<T>(Kind kind, Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => kind switch
        {
            Kind.Sgd => new SgdOptimizer<T>(network, new SgdOptions { LearningRate = 0.1, Momentum = 0.5 }),
            Kind.NgdSampled => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { SampleCount = 2, SampleSpace = SampleSpacePolicy.Never }),
            Kind.NgdExactSampleSpace => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { Fisher = FisherEstimate.Exact, SampleSpace = SampleSpacePolicy.Always }),
            Kind.NgdShermanMorrison => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions
            {
                Inverse = CurvatureInverse.ShermanMorrison,
                RefreshInterval = 3,
                Window = 30,
            }),
            Kind.ExactSampled => new ExactNaturalGradientOptimizer<T>(network, new ExactNaturalGradientOptions
            {
                LearningRate = 0.1,
                ErrorCovariance = CovarianceSource.Samples,
                SampleCount = 2,
            }),
            Kind.ExactOutputFisher => new ExactNaturalGradientOptimizer<T>(network, new ExactNaturalGradientOptions
            {
                LearningRate = 0.1,
                ErrorCovariance = CovarianceSource.ExactOutputFisher,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

    public static TheoryData<Targets, Kind> Cases()
    {
        var data = new TheoryData<Targets, Kind>();
        foreach (Targets t in (Targets[])[Targets.CategoricalLabels, Targets.CategoricalOneHot, Targets.Bernoulli])
        {
            foreach (Kind k in Enum.GetValues<Kind>())
            {
                data.Add(t, k);
            }
        }

        return data;
    }

    /// <summary>
    /// Every optimizer with every non-Gaussian density: after warm-up a step allocates nothing (float
    /// and double), and 40 steps on a separable problem lower the training loss (except for the
    /// undamped pseudo-inverse of a sampled covariance, whose noise directions near zero make its steps
    /// unbounded: it is the theory's reference, not a training method).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void CategoricalBernoulli_EveryOptimizer_TrainsAndAllocatesNothing(Targets targets, Kind kind)
    {
        double first = Run<double>(targets, kind, out double last, out long bytes);
        output.WriteLine($"{targets} {kind} double: loss {first:F4} -> {last:F4}, {bytes} bytes over 5 steps");
        Assert.Equal(0, bytes);
        Assert.True(last < first || kind == Kind.ExactSampled, $"loss did not fall: {first} -> {last}");
        Run<float>(targets, kind, out _, out bytes);
        Assert.Equal(0, bytes);
    }

    private static double Run<T>(Targets targets, Kind kind, out double last, out long bytes)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        OutputDensity density = DensityOf(targets);
        var network = new Network<T>(TanhOptions(density));
        const int rows = 24;
        double[,] xs = Gaussian(rows, 4, seed: 61);
        double[,] ys = SeparableTargets(targets, xs);
        T[,] x = Convert<T>(xs);
        T[,] y = Convert<T>(ys);
        IOptimizer<T> optimizer = Create(kind, network);
        double first = optimizer.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y)).Loss;
        for (int i = 0; i < 2; i++)
        {
            optimizer.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y));
        }

        var trainer = new Trainer<T>(optimizer, new TrainerOptions { BatchSize = rows });
        trainer.EvaluateClassification(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y));
        NetworkWorkspace<T> workspace = network.CreateWorkspace(rows);
        network.Predict(new ReadOnlySpan2D<T>(x), workspace);
        bytes = Allocations.Measure(() =>
        {
            for (int i = 0; i < 5; i++)
            {
                optimizer.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y));
            }

            trainer.EvaluateClassification(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y));
            network.Predict(new ReadOnlySpan2D<T>(x), workspace);
        });
        for (int i = 0; i < 32; i++)
        {
            optimizer.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y));
        }

        last = trainer.EvaluateClassification(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y)).LogLoss;
        return first;
    }

    /// <summary>Targets a linear rule of the inputs decides: the class of the largest of 5 projections, or their signs.</summary>
    private static double[,] SeparableTargets(Targets kind, double[,] x)
    {
        double[,] projection = Gaussian(5, 4, seed: 62);
        double[,] z = Dense.Multiply(x, Dense.Transpose(projection));
        var y = new double[x.Rows(), kind == Targets.CategoricalLabels ? 1 : 5];
        for (int m = 0; m < x.Rows(); m++)
        {
            int best = Enumerable.Range(0, 5).MaxBy(j => z[m, j]);
            for (int j = 0; j < 5; j++)
            {
                if (kind == Targets.Bernoulli)
                {
                    y[m, j] = z[m, j] > 0 ? 1 : 0;
                }
            }

            if (kind == Targets.CategoricalLabels)
            {
                y[m, 0] = best;
            }
            else if (kind == Targets.CategoricalOneHot)
            {
                y[m, best] = 1;
            }
        }

        return y;
    }

    /// <summary>
    /// A checkpoint records the density: saved after 4 steps and loaded into a fresh network and optimizer,
    /// 3 more steps give the bytes of 7 uninterrupted ones; <see cref="Checkpoint.LoadNetwork{T}(string)"/>
    /// rebuilds the density, and a Gaussian network refuses the file, naming both densities.
    /// </summary>
    [Theory]
    [InlineData(OutputDensity.Categorical)]
    [InlineData(OutputDensity.Bernoulli)]
    public void CategoricalBernoulli_Checkpoint_RoundTripsAndResumesBitIdentically(OutputDensity density)
    {
        using var folder = new TempFolder();
        double[,] x = Gaussian(16, 4, seed: 71);
        double[,] y = SeparableTargets(density == OutputDensity.Categorical ? Targets.CategoricalLabels : Targets.Bernoulli, x);
        NetworkOptions options = TanhOptions(density);
        var options1 = new NaturalGradientOptions { LearningRate = 0.5, Seed = 5 };

        var network = new Network<double>(options);
        var optimizer = new NaturalGradientOptimizer<double>(network, options1);
        for (int i = 0; i < 4; i++)
        {
            optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        }

        string middle = folder.File("middle.ckpt");
        Checkpoint.Save(middle, optimizer);
        for (int i = 0; i < 3; i++)
        {
            optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        }

        var resumedNetwork = new Network<double>(options with { Seed = 99 });
        var resumed = new NaturalGradientOptimizer<double>(resumedNetwork, options1);
        Checkpoint.Load(middle, resumed);
        for (int i = 0; i < 3; i++)
        {
            resumed.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        }

        for (int l = 0; l < network.LayerCount; l++)
        {
            Assert.True(network.Weights(l).ToArray().Cast<double>().SequenceEqual(resumedNetwork.Weights(l).ToArray().Cast<double>()),
                $"layer {l} differs after resuming");
        }

        Network<double> loaded = Checkpoint.LoadNetwork<double>(middle);
        Assert.Equal(density, loaded.OutputDensity);
        var gaussian = new Network<double>(options with { OutputDensity = OutputDensity.Gaussian });
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(middle, gaussian));
        Assert.Contains($"output density is {density}", e.Message, StringComparison.Ordinal);
        Assert.Contains("Gaussian", e.Message, StringComparison.Ordinal);
    }
}
