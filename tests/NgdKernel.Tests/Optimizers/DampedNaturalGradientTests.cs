using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>The damped online natural gradient of Eq. 20-21 and its inverse strategies (float64 unless stated).</summary>
public sealed class DampedNaturalGradientTests(ITestOutputHelper output)
{
    private static NetworkOptions Tanh(int[] widths, bool bias = true, ulong seed = 5) => new()
    {
        Widths = widths,
        HiddenActivation = Activation.Tanh,
        Bias = bias,
        OutputCovariance = OutputCovariance.Isotropic(0.5),
        Seed = seed,
    };

    private static (double[,] X, double[,] Y) Batch(NetworkOptions options, int rows, int seed) =>
        (Gaussian(rows, options.Widths[0], seed), Gaussian(rows, options.Widths[^1], seed + 1));

    /// <summary>
    /// lambda -&gt; infinity: <c>(A + dI)^-1 = (I + A/d)^-1 / d</c> with <c>||(I + A/d)^-1 - I|| &lt;= a/(1 - a)</c>,
    /// <c>a = ||A|| / d</c>; so <c>||lambda N - G|| &lt;= ((1 + a)(1 + b) - 1) ||G||</c> (a, b for the two sides):
    /// the step tends to an SGD step with learning rate <c>alpha / (L lambda)</c>.
    /// </summary>
    [Fact]
    public void DampedNaturalGradient_LargeDamping_ApproachesScaledSgd()
    {
        NetworkOptions options = Tanh([6, 8, 5, 3]);
        var network = new Network<double>(options);
        const double lambda = 1e10;
        var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            InitialDamping = lambda,
            MaxDamping = 1e12,
            SampleSpace = SampleSpacePolicy.Never,
            SampleCount = 2,
        });
        (double[,] xa, double[,] ya) = Batch(options, 16, 1);
        var x = new ReadOnlySpan2D<double>(xa);
        var y = new ReadOnlySpan2D<double>(ya);
        optimizer.ComputeDirections(x, y);
        double[][,] gradient = ReferenceNetwork.From(network).NegativeGradient(Gaussian(16, 6, 1), Gaussian(16, 3, 2));
        double d = Math.Sqrt(lambda);
        for (int l = 0; l < network.LayerCount; l++)
        {
            LayerCurvature<double> c = optimizer.Curvature(l);
            double a = Dense.SpectralNorm(ToDouble<double>(c.InputCovariance.ReadOnlySpan)) / d;
            double b = Dense.SpectralNorm(ToDouble<double>(c.ErrorCovariance.ReadOnlySpan)) / d;
            double bound = ((1 + (a / (1 - a))) * (1 + (b / (1 - b)))) - 1 + (100 * Tolerances.Epsilon<double>());
            double error = Dense.RelativeDifference(Dense.Scale(ToDouble(optimizer.Direction(l)), lambda), gradient[l]);
            output.WriteLine($"layer {l}: ||lambda N - G|| / ||G|| = {error:E2} (bound {bound:E2})");
            Assert.True(error <= bound);
        }
    }

    /// <summary>
    /// lambda -&gt; 0 on a square linear network: the damped step tends to exact NGD (Eq. 10) with the
    /// same sampled covariances; first order in d: relative change &lt;= d (||Lambda^-1|| + ||LambdaT^-1||),
    /// plus the rounding of two solves, <c>c n eps kappa(Lambda) kappa(LambdaT)</c>.
    /// </summary>
    [Fact]
    public void DampedNaturalGradient_VanishingDamping_ApproachesExactNaturalGradient()
    {
        var options = new NetworkOptions { Widths = [4, 4, 4, 4], Seed = 7 };
        var damped = new NaturalGradientOptimizer<double>(new Network<double>(options), new NaturalGradientOptions
        {
            InitialDamping = 1e-20,
            MinDamping = 1e-30,
            SampleSpace = SampleSpacePolicy.Never,
            SampleCount = 3,
            Seed = 77,
        });
        var exact = new ExactNaturalGradientOptimizer<double>(new Network<double>(options), new ExactNaturalGradientOptions
        {
            ErrorCovariance = CovarianceSource.Samples,
            SampleCount = 3,
            Seed = 77,
        });
        (double[,] xa, double[,] ya) = Batch(options, 12, 3);
        var x = new ReadOnlySpan2D<double>(xa);
        var y = new ReadOnlySpan2D<double>(ya);
        damped.ComputeDirections(x, y);
        exact.ComputeDirections(x, y);
        double d = 1e-10;
        for (int l = 0; l < 3; l++)
        {
            double[,] lambdaIn = ToDouble(exact.InputCovarianceOf(l));
            double[,] lambdaErr = ToDouble(exact.ErrorCovarianceOf(l));
            double invIn = 1 / Dense.SymmetricEigen(lambdaIn).Values[0];
            double invErr = 1 / Dense.SymmetricEigen(lambdaErr).Values[0];
            double bound = (2 * d * (invIn + invErr)) + (100 * 4 * Tolerances.Epsilon<double>() * Dense.Condition(lambdaIn) * Dense.Condition(lambdaErr));
            double error = Dense.RelativeDifference(ToDouble(damped.Direction(l)), ToDouble(exact.Direction(l)));
            output.WriteLine($"layer {l}: damped(lambda=1e-20) vs exact: {error:E2} (bound {bound:E2})");
            Assert.True(error <= bound);
        }
    }

    /// <summary>
    /// Sample space (Woodbury) equals covariance space: the same Eq. 20 with a different rounding,
    /// bounded by <c>c n eps</c> times the condition numbers of the damped systems.
    /// </summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-2)]
    public void DampedNaturalGradient_SampleSpace_EqualsCovarianceSpace(double lambda)
    {
        NetworkOptions options = Tanh([30, 40, 20]);
        (double[,] xa, double[,] ya) = Batch(options, 8, 4);
        var x = new ReadOnlySpan2D<double>(xa);
        var y = new ReadOnlySpan2D<double>(ya);
        var sample = new NaturalGradientOptimizer<double>(new Network<double>(options), new NaturalGradientOptions
        {
            InitialDamping = lambda,
            SampleCount = 2,
            SampleSpace = SampleSpacePolicy.Auto,
        });
        var covariance = new NaturalGradientOptimizer<double>(new Network<double>(options), new NaturalGradientOptions
        {
            InitialDamping = lambda,
            SampleCount = 2,
            SampleSpace = SampleSpacePolicy.Never,
        });
        sample.ComputeDirections(x, y);
        covariance.ComputeDirections(x, y);
        double d = Math.Sqrt(lambda);
        for (int l = 0; l < 2; l++)
        {
            LayerCurvature<double> c = covariance.Curvature(l);
            Assert.True(sample.Curvature(l).InputInSampleSpace, "Auto should choose sample space for M = 8 < n");
            double kappa = (1 + (Dense.SpectralNorm(ToDouble<double>(c.InputCovariance.ReadOnlySpan)) / d))
                           * (1 + (Dense.SpectralNorm(ToDouble<double>(c.ErrorCovariance.ReadOnlySpan)) / d));
            double bound = 100 * 41 * Tolerances.Epsilon<double>() * kappa;
            double error = Dense.RelativeDifference(ToDouble(sample.Direction(l)), ToDouble(covariance.Direction(l)));
            output.WriteLine($"lambda {lambda}, layer {l} (sample space: right {sample.Curvature(l).InputInSampleSpace}, left {sample.Curvature(l).ErrorInSampleSpace}): {error:E2} (bound {bound:E2})");
            Assert.True(error <= bound);
        }
    }

    /// <summary>
    /// Sherman-Morrison running inverses against a fresh Cholesky inverse of the same matrix
    /// <c>C + d_eff I</c> after every step, over rank-1 updates and refreshes: error &lt;=
    /// <c>c k n eps kappa</c> with k rank-1 updates since the refresh. With 2 examples per step the
    /// sides of width 7, 8 and 9 follow by rank-1 updates and the error side of width 4 by Cholesky of
    /// the running covariance (<see cref="LayerCurvature{T}.PreferRankOneUpdates"/>: 3m &lt; n); with
    /// 10 every side does.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    public void DampedNaturalGradient_ShermanMorrison_StaysCloseToCholesky(int rows)
    {
        NetworkOptions options = Tanh([6, 8, 4]);
        var optimizer = new NaturalGradientOptimizer<double>(new Network<double>(options), new NaturalGradientOptions
        {
            Inverse = CurvatureInverse.ShermanMorrison,
            AdaptiveDamping = false,
            InitialDamping = 0.1,
            RefreshInterval = 7,
            Window = 40,
            LearningRate = 0.5,
        });
        double worst = 0;
        for (int t = 0; t < 30; t++)
        {
            (double[,] xa, double[,] ya) = Batch(options, rows, 100 + t);
            var x = new ReadOnlySpan2D<double>(xa);
            var y = new ReadOnlySpan2D<double>(ya);
            optimizer.Step(x, y);
            for (int l = 0; l < 2; l++)
            {
                LayerCurvature<double> c = optimizer.Curvature(l);
                Check(c.InputCovariance.ReadOnlySpan, c.InputEffectiveDamping, c.InputFactor.ReadOnlySpan, rows);
                Check(c.ErrorCovariance.ReadOnlySpan, c.ErrorEffectiveDamping, c.ErrorFactor.ReadOnlySpan, rows);
            }
        }

        output.WriteLine($"worst relative error of the running inverses over 30 steps: {worst:E2}");

        void Check(ReadOnlySpan2D<double> covariance, double damping, ReadOnlySpan2D<double> inverse, int perStep)
        {
            double[,] a = Dense.Add(ToDouble(covariance), Dense.Identity(covariance.Height), damping);
            double[,] expected = Dense.Inverse(a);
            double error = Dense.RelativeDifference(ToDouble(inverse), expected);
            worst = Math.Max(worst, error);
            double bound = 100 * 7 * perStep * covariance.Height * Tolerances.Epsilon<double>() * Dense.Condition(a);
            Assert.True(error <= bound, $"{error:E3} > {bound:E3}");
        }
    }

    [Fact]
    public void DampedNaturalGradient_ShermanMorrison_RefreshesWhenDampingChanges()
    {
        NetworkOptions options = Tanh([5, 6, 3]);
        var optimizer = new NaturalGradientOptimizer<double>(new Network<double>(options), new NaturalGradientOptions
        {
            Inverse = CurvatureInverse.ShermanMorrison,
            RefreshInterval = 1000,
            Window = 50,
        });
        for (int t = 0; t < 10; t++)
        {
            (double[,] xa, double[,] ya) = Batch(options, 10, 200 + t);
            var x = new ReadOnlySpan2D<double>(xa);
            var y = new ReadOnlySpan2D<double>(ya);
            StepResult r = optimizer.Step(x, y);
            double effective = optimizer.Curvature(0).InputEffectiveDamping;
            if (t == 0 || r.Damping != optimizer.Curvature(0).InputEffectiveDamping)
            {
                // Refreshed this step (first step, or the damping changed since the last step).
                Assert.Equal(Math.Sqrt(r.Damping), effective, 12);
            }
        }
    }

    [Fact]
    public void DampedNaturalGradient_AdaptiveDamping_FollowsEq21()
    {
        NetworkOptions options = Tanh([5, 10, 3]);
        var optimizer = new NaturalGradientOptimizer<double>(new Network<double>(options), new NaturalGradientOptions { InitialDamping = 1 });
        int raised = 0, lowered = 0;
        for (int t = 0; t < 40; t++)
        {
            (double[,] xa, double[,] ya) = Batch(options, 32, 300 + (t % 3));
            var x = new ReadOnlySpan2D<double>(xa);
            var y = new ReadOnlySpan2D<double>(ya);
            StepResult r = optimizer.Step(x, y);
            Assert.False(double.IsNaN(r.Rho));
            double expected = r.Rho < 0.25 ? r.Damping * 1.5 : r.Rho > 0.75 ? r.Damping * 2 / 3 : r.Damping;
            Assert.Equal(expected, r.NextDamping, 12);
            Assert.Equal(r.NextDamping, optimizer.Damping);
            raised += r.NextDamping > r.Damping ? 1 : 0;
            lowered += r.NextDamping < r.Damping ? 1 : 0;
        }

        output.WriteLine($"damping raised {raised} times, lowered {lowered} times, final lambda {optimizer.Damping:E3}");
    }

    /// <summary>
    /// A float student already at its minimum (targets are its own outputs computed in double): the
    /// update falls below the weights' last bit, the loss does not change and <c>rho</c> is 0, which
    /// Eq. 21 would read as a failed step and answer with lambda * 3/2 at every step, up to
    /// <see cref="NaturalGradientOptions.MaxDamping"/> (reached from 1 in 46 steps). A step that leaves
    /// the loss within rounding must keep lambda.
    /// </summary>
    [Theory]
    [InlineData(CurvatureInverse.Cholesky)]
    [InlineData(CurvatureInverse.ShermanMorrison)]
    public void DampedNaturalGradient_UnresolvedRho_KeepsDampingBelowMax(CurvatureInverse inverse)
    {
        NetworkOptions options = Tanh([3, 4, 2]);
        var network = new Network<float>(options);
        var settings = new NaturalGradientOptions { Inverse = inverse, Window = 20 };
        var optimizer = new NaturalGradientOptimizer<float>(network, settings);
        double[,] xd = Gaussian(8, 3, 11);
        var x = new ReadOnlySpan2D<float>(Convert<float>(xd));
        var y = new ReadOnlySpan2D<float>(Convert<float>(TeacherTargets(options, xd, options.Seed, 0, 12)));
        int unchanged = 0, kept = 0;
        StepResult r = default;
        for (int t = 0; t < 100; t++)
        {
            r = optimizer.Step(x, y);
            unchanged += r.LossAfter == r.Loss ? 1 : 0;
            kept += r.NextDamping == r.Damping ? 1 : 0;
            Assert.True(r.NextDamping < settings.MaxDamping, $"step {t}: lambda {r.NextDamping:E3}, rho {r.Rho}");
        }

        output.WriteLine($"loss {r.Loss:E3}, unchanged by {unchanged} of 100 steps; lambda kept {kept} times, final {r.NextDamping:E3}");
        Assert.True(unchanged > 0, "the student should sit at its float minimum, where some steps leave the loss as it was");
        Assert.True(kept >= unchanged, $"lambda changed on {unchanged - kept} or more steps that left the loss as it was");
    }

    /// <summary>Eq. 21 applies only when both the loss change and the prediction exceed the rounding of the loss.</summary>
    [Fact]
    public void DampedNaturalGradient_RhoResolution_NeedsChangeAndPredictionAboveRounding()
    {
        double loss = 1e-3;
        double ulp = loss * Tolerances.Epsilon<float>();
        double within = NaturalGradientOptimizer<float>.LossResolutionUlps * ulp;
        Assert.False(NaturalGradientOptimizer<float>.Resolved(loss, loss, 0));
        Assert.False(NaturalGradientOptimizer<float>.Resolved(0, 0, 0));
        Assert.False(NaturalGradientOptimizer<float>.Resolved(loss, loss, 1)); // loss unchanged, prediction large
        Assert.False(NaturalGradientOptimizer<float>.Resolved(loss, loss - (within / 2), 2 * within));
        Assert.False(NaturalGradientOptimizer<float>.Resolved(loss, loss + (2 * within), within / 2));
        Assert.True(NaturalGradientOptimizer<float>.Resolved(loss, loss + (2 * within), 2 * within)); // a rise: Eq. 21 raises lambda
        Assert.True(NaturalGradientOptimizer<float>.Resolved(loss, loss - (2 * within), 2 * within));
        // The same numbers are far above double's rounding.
        Assert.True(NaturalGradientOptimizer<double>.Resolved(loss, loss - (within / 2), within / 2));
    }

    [Fact]
    public void DampedNaturalGradient_DampingStaysWithinBounds()
    {
        NetworkOptions options = Tanh([3, 4, 2]);
        var optimizer = new NaturalGradientOptimizer<double>(new Network<double>(options), new NaturalGradientOptions
        {
            InitialDamping = 1e-2,
            MinDamping = 1e-3,
            MaxDamping = 1e-1,
        });
        (double[,] xa, double[,] ya) = Batch(options, 20, 5);
        var x = new ReadOnlySpan2D<double>(xa);
        var y = new ReadOnlySpan2D<double>(ya);
        for (int t = 0; t < 60; t++)
        {
            StepResult r = optimizer.Step(x, y);
            Assert.InRange(r.NextDamping, 1e-3, 1e-1);
        }
    }

    public static TheoryData<CurvatureInverse, SampleSpacePolicy> Forms() => new()
    {
        { CurvatureInverse.Cholesky, SampleSpacePolicy.Never },
        { CurvatureInverse.Cholesky, SampleSpacePolicy.Always },
        { CurvatureInverse.ShermanMorrison, SampleSpacePolicy.Auto },
    };

    /// <summary>Every form trains a nonlinear (tanh) autoencoder with biases: the loss falls well below its start.</summary>
    [Theory]
    [MemberData(nameof(Forms))]
    public void DampedNaturalGradient_TanhAutoencoder_ReducesLoss(CurvatureInverse inverse, SampleSpacePolicy policy)
    {
        NetworkOptions options = Tanh([8, 6, 3, 6, 8]) with { OutputCovariance = OutputCovariance.Isotropic(0.1) };
        var network = new Network<double>(options);
        var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            Inverse = inverse,
            SampleSpace = policy,
            Window = 64,
            InitialDamping = 1,
        });
        double[,] data = Dense.Multiply(Gaussian(256, 3, 8), Gaussian(3, 8, 9, 0.5)); // rank-3 data
        double first = 0, last = 0;
        for (int t = 0; t < 60; t++)
        {
            var batch = new ReadOnlySpan2D<double>(data).Slice((t % 8) * 32, 0, 32, 8);
            StepResult r = optimizer.Step(batch, batch);
            first = t == 0 ? r.Loss : first;
            last = r.Loss;
        }

        output.WriteLine($"{inverse}/{policy}: loss {first:F4} -> {last:F4}, lambda {optimizer.Damping:E2}");
        Assert.True(last < 0.5 * first, $"{first} -> {last}");
    }

    [Fact]
    public void ExactNaturalGradient_SampledCovariances_RunOnTanhNetwork()
    {
        NetworkOptions options = Tanh([6, 10, 6]);
        var network = new Network<double>(options);
        var optimizer = new ExactNaturalGradientOptimizer<double>(network, new ExactNaturalGradientOptions
        {
            ErrorCovariance = CovarianceSource.Samples,
            SampleCount = 4,
            LearningRate = 0.1,
        });
        double[,] data = Dense.Multiply(Gaussian(128, 3, 18), Gaussian(3, 6, 19, 0.4));
        var batch = new ReadOnlySpan2D<double>(data);
        double first = optimizer.Step(batch, batch).Loss, last = first;
        for (int t = 0; t < 30; t++)
        {
            last = optimizer.Step(batch, batch).Loss;
        }

        output.WriteLine($"exact NGD (sampled covariances) on tanh: {first:F4} -> {last:F4}");
        Assert.True(last < first);
    }

    [Fact]
    public void NaturalGradient_Rollback_RestoresWeightsAndReplaysIdentically()
    {
        NetworkOptions options = Tanh([4, 5, 2]);
        var network = new Network<double>(options);
        var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison, Window = 20 });
        (double[,] xa, double[,] ya) = Batch(options, 10, 50);
        var x = new ReadOnlySpan2D<double>(xa);
        var y = new ReadOnlySpan2D<double>(ya);
        Assert.Throws<InvalidOperationException>(optimizer.Rollback);
        optimizer.Step(x, y);
        double[,] before = ToDouble<double>(network.Weights(0));
        double damping = optimizer.Damping;
        StepResult first = optimizer.Step(x, y);
        double[,] after = ToDouble<double>(network.Weights(0));
        optimizer.Rollback();
        Assert.Equal(before, ToDouble<double>(network.Weights(0)));
        Assert.Equal(damping, optimizer.Damping);
        Assert.Equal(1, optimizer.StepCount);
        StepResult again = optimizer.Step(x, y);
        Assert.Equal(after, ToDouble<double>(network.Weights(0)));
        Assert.Equal(first.NextDamping, again.NextDamping);
    }

    [Fact]
    public void NaturalGradient_NonFiniteInput_IsReportedWithPositionAndChangesNothing()
    {
        NetworkOptions options = Tanh([3, 4, 2]);
        var network = new Network<double>(options);
        var optimizer = new NaturalGradientOptimizer<double>(network);
        double[,] x = Gaussian(5, 3, 1);
        x[2, 1] = double.NaN;
        double[,] before = ToDouble<double>(network.Weights(1));
        var e = Assert.Throws<ArgumentException>(() => optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(new double[5, 2])));
        output.WriteLine(e.Message);
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("row 2, column 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, ToDouble<double>(network.Weights(1)));
        Assert.Equal(0, optimizer.StepCount);
        Assert.Equal(1.0, optimizer.Damping);
    }

    /// <summary>
    /// A damped covariance that does not factor (every input row is (1, 1), so Lambda is exactly
    /// singular, and in float 1 + sqrt(1e-20) rounds to 1: the second pivot is exactly 0) is retried
    /// with raised damping and finally reported with the layer and pivot, everything as before.
    /// </summary>
    [Fact]
    public void NaturalGradient_CovarianceNotPositiveDefinite_RetriesThenFailsWithWeightsIntact()
    {
        var network = new Network<float>(Tanh([2, 3, 2]));
        var optimizer = new NaturalGradientOptimizer<float>(network, new NaturalGradientOptions
        {
            MaxRetries = 2,
            InitialDamping = 1e-20,
            MinDamping = 1e-30,
            SampleSpace = SampleSpacePolicy.Never,
        });
        var x = new float[6, 2];
        for (int r = 0; r < 6; r++)
        {
            x[r, 0] = x[r, 1] = 1;
        }

        float[,] y = Convert<float>(Gaussian(6, 2, 2));
        float[,] before = network.Weights(0).ToArray();
        var e = Assert.Throws<CurvatureFactorizationException>(() => optimizer.Step(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(y)));
        output.WriteLine(e.Message);
        Assert.Equal((StepQuantity.InputCovariance, 0, 2), (e.Quantity, e.Layer, e.Retries));
        Assert.Contains("after 2 retries", e.Message, StringComparison.Ordinal);
        Assert.Contains("layer 0 is not positive definite", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.Weights(0).ToArray());
        Assert.Equal(0, optimizer.StepCount);
        Assert.Equal(1e-20, optimizer.Damping);
    }

    [Fact]
    public void OptimizerOptions_InvalidValues_NameTheParameter()
    {
        var network = new Network<double>(new NetworkOptions { Widths = [2, 2] });
        Assert.Equal("LearningRate", Assert.ThrowsAny<ArgumentException>(() => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { LearningRate = 0 })).ParamName);
        Assert.Equal("SampleCount", Assert.ThrowsAny<ArgumentException>(() => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { SampleCount = 0 })).ParamName);
        var e = Assert.ThrowsAny<ArgumentException>(() => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { InitialDamping = 10, MaxDamping = 1 }));
        Assert.Equal("InitialDamping", e.ParamName);
        Assert.Contains("10", e.Message, StringComparison.Ordinal);
        Assert.Equal("Window", Assert.ThrowsAny<ArgumentException>(() => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { Window = 1 })).ParamName);
        Assert.Equal("LearningRate", Assert.ThrowsAny<ArgumentException>(() => new SgdOptimizer<double>(network, new SgdOptions { LearningRate = double.NaN })).ParamName);
        Assert.Equal("Momentum", Assert.ThrowsAny<ArgumentException>(() => new SgdOptimizer<double>(network, new SgdOptions { Momentum = 1 })).ParamName);
        var tanh = new Network<double>(new NetworkOptions { Widths = [2, 2], OutputActivation = Activation.Tanh });
        Assert.ThrowsAny<ArgumentException>(() => new ExactNaturalGradientOptimizer<double>(tanh));
    }
}
