using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>
/// Factored (pi) damping: the split of <c>lambda</c> between the two covariances, and the invariance of
/// the damped natural-gradient step to a rescaling of the output covariance <c>SigmaT</c>.
/// </summary>
/// <remarks>
/// Rescaling <c>SigmaT</c> by c scales the loss, the gradient <c>G</c>, the error covariance
/// <c>LambdaT</c> and the Fisher by <c>1/c</c> and leaves <c>Lambda</c> alone; <c>pi</c> scales by
/// <c>sqrt(c)</c>. With <c>lambda</c> in the units of the Fisher (initial value and bounds scaled by
/// <c>1/c</c>), the input side's damping <c>pi sqrt(lambda)</c> is unchanged and the error side's
/// <c>sqrt(lambda)/pi</c> scales by <c>1/c</c> like <c>LambdaT</c>, so the direction is unchanged. Eq. 21 is
/// then scale-free as well: rho is a ratio of two loss changes that both scale by <c>1/c</c>, the
/// rounding guard is relative to the loss, and the multiplicative updates of <c>lambda</c> keep it
/// proportional to <c>1/c</c>; only the absolute bounds [MinDamping, MaxDamping] must be scaled too.
/// </remarks>
public sealed class PiDampingTests(ITestOutputHelper output)
{
    private const int Rows = 32;
    private const int Steps = 6;

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 3)]
    [InlineData(33, 17, 9)]
    public void PiDamping_SideDamping_SplitsLambdaByTraceRatio(int m, int a, int b)
    {
        double[,] x = Gaussian(m, a, 1, 2.0);
        double[,] e = Gaussian(2 * m, b, 2, 1e-3);
        var layer = new LayerCurvature<double>(b, a, CurvatureInverse.Cholesky);
        const double d = 0.37;
        (double input, double error) = layer.SideDamping(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(e), d, DampingForm.Factored);
        double traceA = 0, traceS = 0;
        foreach (double v in x)
        {
            traceA += v * v;
        }

        foreach (double v in e)
        {
            traceS += v * v;
        }

        double pi = Math.Sqrt((traceA / m / a) / (traceS / (2 * m) / b));
        double eps = Tolerances.Epsilon<double>();
        double bound = 4 * (m * Math.Max(a, b)) * eps;
        Assert.True(Math.Abs((input / (pi * d)) - 1) <= bound, $"input side {input} vs {pi * d}");
        Assert.True(Math.Abs((error / (d / pi)) - 1) <= bound, $"error side {error} vs {d / pi}");
        Assert.True(Math.Abs((input * error / (d * d)) - 1) <= 4 * eps, "the product of the two dampings is lambda");

        (double same1, double same2) = layer.SideDamping(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(e), d, DampingForm.Paper);
        Assert.Equal((d, d), (same1, same2));

        // No errors at all: no scale to balance, pi = 1.
        (double i0, double e0) = layer.SideDamping(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(new double[m, b]), d, DampingForm.Factored);
        Assert.Equal((d, d), (i0, e0));
    }

    [Theory]
    [InlineData(1e-6)]
    [InlineData(1e-3)]
    [InlineData(1e3)]
    [InlineData(1e6)]
    public void PiDamping_TrajectoryInvariantToOutputVarianceScale_Double(double scale) => Invariance<double>(scale);

    [Theory]
    [InlineData(1e-6)]
    [InlineData(1e6)]
    public void PiDamping_TrajectoryInvariantToOutputVarianceScale_Float(double scale) => Invariance<float>(scale);

    /// <summary>
    /// The trajectory at <c>SigmaT = c s I</c> against the one at <c>s I</c>: every step starts from the
    /// reference run's weights (so that each step's comparison is not the chaos of the ones before),
    /// with each run's own damping and sampling state carried along. Per step and layer the weights
    /// agree within the first-order bound of two damped solves whose inputs differ by rounding,
    /// <c>16 (M K + a + b) (kappa_A + kappa_S) eps |dW|</c> (Higham, Sec. 7.1: relative perturbation
    /// times condition), <c>kappa &lt;= (tr + d) / d</c> of each damped covariance; <c>lambda c</c> agrees with
    /// the reference's within one rounding per step, and the Eq. 21 decisions are the same.
    /// The paper's form fails the same bound by orders of magnitude (the check can fail).
    /// </summary>
    private void Invariance<T>(double scale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double worst = Compare<T>(DampingForm.Factored, scale, assert: true);
        output.WriteLine($"factored, c = {scale:E0}: largest |dW_c - dW_1| / bound = {worst:E2}");
        double paper = Compare<T>(DampingForm.Paper, scale, assert: false);
        output.WriteLine($"paper,    c = {scale:E0}: largest |dW_c - dW_1| / bound = {paper:E2}");
        Assert.True(paper > 1, $"the paper's form stayed within the invariance bound at c = {scale} (ratio {paper})");
    }

    private static (Network<T> Network, NaturalGradientOptimizer<T> Optimizer) Build<T>(DampingForm form, double scale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var network = new Network<T>(new NetworkOptions
        {
            Widths = [4, 9, 6, 3],
            HiddenActivation = Activation.Tanh,
            Bias = true,
            OutputCovariance = OutputCovariance.Isotropic(0.5 * scale),
            Seed = 21,
        });
        var defaults = new NaturalGradientOptions();
        var optimizer = new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions
        {
            LearningRate = 0.8,
            SampleCount = 2,
            InitialDamping = 0.05 / scale,
            MinDamping = defaults.MinDamping / scale,
            MaxDamping = defaults.MaxDamping / scale,
            DampingForm = form,
            SampleSpace = SampleSpacePolicy.Never, // keeps the covariances for the condition bound
            Seed = 5,
        });
        return (network, optimizer);
    }

    /// <summary>Largest ratio of the weight difference to its bound over all steps and layers.</summary>
    private static double Compare<T>(DampingForm form, double scale, bool assert)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        (Network<T> reference, NaturalGradientOptimizer<T> one) = Build<T>(form, 1);
        (Network<T> scaled, NaturalGradientOptimizer<T> other) = Build<T>(form, scale);
        double eps = Tolerances.Epsilon<T>();
        double worst = 0;
        for (int step = 0; step < Steps; step++)
        {
            T[,] x = Convert<T>(Gaussian(Rows, 4, 300 + step));
            T[,] y = Convert<T>(Gaussian(Rows, 3, 400 + step, 0.7));
            for (int l = 0; l < reference.LayerCount; l++)
            {
                reference.WeightMatrix(l).CopyTo(scaled.WeightMatrix(l));
            }

            T[][] before = [.. Enumerable.Range(0, reference.LayerCount).Select(l => reference.WeightMatrix(l).AsSpan().ToArray())];
            StepResult a = one.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y));
            StepResult b = other.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y));
            if (assert)
            {
                Assert.Equal(a.Retries, b.Retries);
                double dampingError = Math.Abs((b.NextDamping * scale / a.NextDamping) - 1);
                Assert.True(dampingError <= 4 * (step + 2) * eps, $"step {step}: lambda c = {b.NextDamping * scale} vs {a.NextDamping}");
                Assert.True(Math.Abs((b.Loss * scale / a.Loss) - 1) <= 16 * Rows * eps, $"step {step}: loss c = {b.Loss * scale} vs {a.Loss}");
            }

            for (int l = 0; l < reference.LayerCount; l++)
            {
                LayerCurvature<T> curvature = one.Curvature(l);
                double kappaA = (Trace(curvature.InputCovariance) + curvature.InputDamping) / curvature.InputDamping;
                double kappaS = (Trace(curvature.ErrorCovariance) + curvature.ErrorDamping) / curvature.ErrorDamping;
                int sizes = (2 * Rows) + curvature.InputWidth + curvature.OutputWidth;
                ReadOnlySpan<T> w1 = reference.WeightMatrix(l).AsSpan(), wc = scaled.WeightMatrix(l).AsSpan();
                double change = 0, difference = 0, magnitude = 0;
                for (int i = 0; i < w1.Length; i++)
                {
                    change = Math.Max(change, Math.Abs(double.CreateTruncating(w1[i]) - double.CreateTruncating(before[l][i])));
                    difference = Math.Max(difference, Math.Abs(double.CreateTruncating(wc[i]) - double.CreateTruncating(w1[i])));
                    magnitude = Math.Max(magnitude, Math.Abs(double.CreateTruncating(w1[i])));
                }

                double bound = (16 * sizes * (kappaA + kappaS) * eps * change) + (4 * eps * magnitude);
                worst = Math.Max(worst, difference / bound);
                if (assert)
                {
                    Assert.True(difference <= bound,
                        $"c = {scale}, step {step}, layer {l}: |W_c - W_1| = {difference:E3} > {bound:E3} (|dW| {change:E3}, kappa {kappaA:E2} + {kappaS:E2})");
                }
            }
        }

        return worst;
    }

    private static double Trace<T>(NgdKernel.LinearAlgebra.Matrix<T> matrix)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int i = 0; i < matrix.Rows; i++)
        {
            sum += double.CreateTruncating(matrix.Span[i, i]);
        }

        return sum;
    }

    /// <summary>Momentum buffers travel in checkpoints; a checkpoint with them does not load into an optimizer without.</summary>
    [Fact]
    public void PiDamping_MomentumCheckpoint_RoundTripsAndRefusesAMismatch()
    {
        (Network<double> network, _) = Build<double>(DampingForm.Factored, 1);
        var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { Momentum = 0.5, DampingForm = DampingForm.Factored });
        double[,] x = Gaussian(Rows, 4, 1), y = Gaussian(Rows, 3, 2);
        optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer);
        byte[] bytes = stream.ToArray();

        (Network<double> fresh, _) = Build<double>(DampingForm.Factored, 1);
        var plain = new NaturalGradientOptimizer<double>(fresh, new NaturalGradientOptions { DampingForm = DampingForm.Factored });
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(new MemoryStream(bytes), plain));
        Assert.Contains("momentum", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, plain.StepCount);

        var same = new NaturalGradientOptimizer<double>(fresh, new NaturalGradientOptions { Momentum = 0.5, DampingForm = DampingForm.Factored });
        Checkpoint.Load(new MemoryStream(bytes), same);
        for (int l = 0; l < fresh.LayerCount; l++)
        {
            Assert.Equal(optimizer.Velocity![l].AsSpan().ToArray(), same.Velocity![l].AsSpan().ToArray());
        }
    }
}
