using NgdKernel.CheckpointWriter;
using static NgdKernel.Tests.Networks.NetworkTestData;
using static NgdKernel.Tests.Optimizers.DampedNaturalGradientTests;

namespace NgdKernel.Tests.Optimizers;

/// <summary>
/// Amortized curvature (<see cref="NaturalGradientOptions.InverseUpdatePeriod"/>,
/// <see cref="NaturalGradientOptions.CurvatureUpdatePeriod"/>, <see cref="NaturalGradientOptions.DampingAdaptationInterval"/>):
/// the running covariances against a naive moving average, the kept inverses against fresh
/// inverses, the schedule, the step from the kept inverses, and T = 1 giving today's bits.
/// </summary>
public sealed class AmortizedCurvatureTests(ITestOutputHelper output)
{
    /// <summary>
    /// Periods of 1 with any decay are today's per-step Eq. 20, to the bit, in float and double:
    /// the options select the amortized path only when a period exceeds 1.
    /// </summary>
    [Fact]
    public void AmortizedCurvature_PeriodsOfOne_AreBitIdenticalToPerStepNgd()
    {
        Check<float>();
        Check<double>();

        static void Check<T>()
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            NetworkOptions options = Tanh([7, 9, 5, 7]);
            T[][] today = Run<T>(options, new NaturalGradientOptions { SampleCount = 2 });
            T[][] periods = Run<T>(options, new NaturalGradientOptions
            {
                SampleCount = 2,
                InverseUpdatePeriod = 1,
                CurvatureUpdatePeriod = 1,
                DampingAdaptationInterval = 1,
                CurvatureDecay = 0.3,
            });
            for (int l = 0; l < today.Length; l++)
            {
                Assert.True(today[l].AsSpan().SequenceEqual(periods[l]), $"layer {l} differs ({typeof(T).Name})");
            }
        }
    }

    /// <summary>
    /// The running input covariance of the first layer (whose inputs are the batch and the bias
    /// component) is the moving average <c>C &lt;- beta C + (1 - beta) [x 1]^T [x 1] / m</c> of the
    /// batches of the steps that update it (every second step here), computed naively in double;
    /// every layer's kept inverses are <c>(C + sqrt(lambda) I)^-1</c> of its last refresh, and between
    /// refreshes they do not change by a bit.
    /// </summary>
    [Fact]
    public void AmortizedCurvature_RunningCovariancesAndKeptInverses_MatchReference()
    {
        NetworkOptions options = Tanh([6, 8, 5, 4]);
        const double decay = 0.8;
        const int period = 4, statistics = 2, rows = 12;
        var optimizer = new NaturalGradientOptimizer<double>(new Network<double>(options), new NaturalGradientOptions
        {
            InverseUpdatePeriod = period,
            CurvatureUpdatePeriod = statistics,
            CurvatureDecay = decay,
            InitialDamping = 0.05,
            LearningRate = 0.5,
        });
        int n = options.Widths[0] + 1;
        var reference = new double[n, n];
        int layers = optimizer.Network.LayerCount;
        double[][,] previousInverse = new double[layers][,];
        for (int t = 0; t < 13; t++)
        {
            (double[,] x, double[,] y) = Batch(options, rows, 300 + t);
            double damping = optimizer.Damping;
            optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            if (t % statistics == 0)
            {
                double[,] batch = WithBias(x);
                double[,] fresh = Dense.Scale(Dense.Multiply(Dense.Transpose(batch), batch), 1.0 / rows);
                reference = t == 0 ? fresh : Dense.Add(Dense.Scale(reference, decay), fresh, 1 - decay);
            }

            // Each update rounds the moving average once more: a few eps of |C| per step.
            double[,] running = ToDouble(optimizer.Curvature(0).InputCovariance.ReadOnlySpan);
            double covarianceError = Dense.RelativeDifference(running, reference);
            Assert.True(covarianceError <= 4 * (t + 1) * rows * Tolerances.Epsilon<double>(), $"step {t}: covariance {covarianceError:E2}");

            int phase = t % period;
            for (int l = 0; l < layers; l++)
            {
                LayerCurvature<double> c = optimizer.Curvature(l);
                double[,] inverse = ToDouble(c.InputFactor.ReadOnlySpan);
                bool refreshed = t == 0 || optimizer.RefreshPhase(l) == phase;
                if (refreshed)
                {
                    CheckInverse(c.InputCovariance.ReadOnlySpan, damping, c.InputFactor.ReadOnlySpan, t, l);
                    CheckInverse(c.ErrorCovariance.ReadOnlySpan, damping, c.ErrorFactor.ReadOnlySpan, t, l);
                }
                else
                {
                    Assert.Equal(previousInverse[l], inverse);
                }

                previousInverse[l] = inverse;
            }
        }

        void CheckInverse(ReadOnlySpan2D<double> covariance, double damping, ReadOnlySpan2D<double> inverse, int step, int layer)
        {
            double[,] a = Dense.Add(ToDouble(covariance), Dense.Identity(covariance.Height), Math.Sqrt(damping));
            double error = Dense.RelativeDifference(ToDouble(inverse), Dense.Inverse(a));
            double bound = 30 * covariance.Height * Tolerances.Epsilon<double>() * Dense.Condition(a);
            Assert.True(error <= bound, $"step {step}, layer {layer}: inverse {error:E2} > {bound:E2}");
        }
    }

    /// <summary>
    /// Between refreshes the direction is <c>(LambdaT + dI)^-1 G (Lambda + dI)^-1</c> with the kept
    /// inverses and the gradient of the weights before the step (reference network, double), within
    /// the rounding of two products and of the gradient: <c>c (a + b + m) eps</c> relative.
    /// </summary>
    [Fact]
    public void AmortizedCurvature_Direction_IsKeptInversesTimesGradient()
    {
        NetworkOptions options = Tanh([5, 7, 4]);
        const int rows = 9;
        var network = new Network<double>(options);
        var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            InverseUpdatePeriod = 5,
            DampingAdaptationInterval = 5,
            InitialDamping = 0.1,
            LearningRate = 0.5,
        });
        for (int t = 0; t < 7; t++)
        {
            (double[,] x, double[,] y) = Batch(options, rows, 400 + t);
            double[][,] gradient = ReferenceNetwork.From(network).NegativeGradient(x, y);
            optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            for (int l = 0; l < network.LayerCount; l++)
            {
                LayerCurvature<double> c = optimizer.Curvature(l);
                double[,] expected = Dense.Multiply(ToDouble(c.ErrorFactor.ReadOnlySpan), gradient[l], ToDouble(c.InputFactor.ReadOnlySpan));
                double error = Dense.RelativeDifference(ToDouble(optimizer.Direction(l)), expected);
                double bound = 30 * (c.InputWidth + c.OutputWidth + rows) * Tolerances.Epsilon<double>()
                               * Dense.Condition(ToDouble(c.InputFactor.ReadOnlySpan)) * Dense.Condition(ToDouble(c.ErrorFactor.ReadOnlySpan));
                output.WriteLine($"step {t}, layer {l}: {error:E2} (bound {bound:E2})");
                Assert.True(error <= bound, $"step {t}, layer {l}: {error:E2} > {bound:E2}");
            }
        }
    }

    /// <summary>
    /// The damping moves only on the last step of each adaptation interval (step counts 2, 5, 8, ...
    /// for an interval of 3), and only those steps report an after-loss and rho.
    /// </summary>
    [Fact]
    public void AmortizedCurvature_Damping_AdaptsOnlyAtTheIntervalsLastStep()
    {
        NetworkOptions options = Tanh([5, 6, 3]);
        var optimizer = new NaturalGradientOptimizer<double>(new Network<double>(options), new NaturalGradientOptions
        {
            InverseUpdatePeriod = 3,
            DampingAdaptationInterval = 3,
            InitialDamping = 1e-3,
        });
        int changes = 0;
        for (int t = 0; t < 15; t++)
        {
            (double[,] x, double[,] y) = Batch(options, 10, 500 + t);
            StepResult r = optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            bool adapts = t % 3 == 2;
            Assert.Equal(adapts, double.IsFinite(r.LossAfter));
            Assert.Equal(adapts, double.IsFinite(r.Rho));
            if (!adapts)
            {
                Assert.Equal(r.Damping, r.NextDamping);
            }
            else if (r.NextDamping != r.Damping)
            {
                changes++;
            }
        }

        output.WriteLine($"damping changed on {changes} of 5 adaptation steps");
        Assert.True(changes > 0, "the damping never adapted");
    }

    /// <summary>Rollback mid-period restores the running covariances and inverses: the step replays to the bit.</summary>
    [Fact]
    public void AmortizedCurvature_Rollback_ReplaysIdentically()
    {
        NetworkOptions options = Tanh([4, 6, 3]);
        var network = new Network<double>(options);
        var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            InverseUpdatePeriod = 3,
            CurvatureUpdatePeriod = 2,
            DampingAdaptationInterval = 2,
            CurvatureDecay = 0.7,
        });
        for (int t = 0; t < 6; t++)
        {
            (double[,] x, double[,] y) = Batch(options, 10, 600 + t);
            optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            double[][] state = Snapshot();
            StepResult first = optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            double[][] after = Snapshot();
            optimizer.Rollback();
            Assert.Equal(state, Snapshot());
            StepResult again = optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            Assert.Equal(after, Snapshot());
            Assert.Equal(first with { Elapsed = TimeSpan.Zero }, again with { Elapsed = TimeSpan.Zero });
        }

        double[][] Snapshot()
        {
            var parts = new List<double[]>();
            for (int l = 0; l < network.LayerCount; l++)
            {
                LayerCurvature<double> c = optimizer.Curvature(l);
                parts.Add(network.WeightMatrix(l).AsSpan().ToArray());
                parts.Add(c.InputCovariance.AsSpan().ToArray());
                parts.Add(c.ErrorCovariance.AsSpan().ToArray());
                parts.Add(c.InputFactor.AsSpan().ToArray());
                parts.Add(c.ErrorFactor.AsSpan().ToArray());
            }

            return [.. parts];
        }
    }

    /// <summary>Amortized curvature trains: the loss of a tanh autoencoder falls, as with per-step inverses.</summary>
    [Theory]
    [InlineData(5, 1)]
    [InlineData(10, 10)]
    public void AmortizedCurvature_TanhAutoencoder_ReducesLoss(int period, int statistics)
    {
        NetworkOptions options = Tanh([8, 12, 4, 12, 8], seed: 3);
        var optimizer = new NaturalGradientOptimizer<double>(new Network<double>(options), new NaturalGradientOptions
        {
            InverseUpdatePeriod = period,
            CurvatureUpdatePeriod = statistics,
            DampingAdaptationInterval = period,
        });
        double[,] x = Gaussian(64, 8, 11, 0.5);
        double first = optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(x)).Loss;
        double last = first;
        for (int t = 0; t < 60; t++)
        {
            last = optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(x)).Loss;
        }

        output.WriteLine($"T = {period}, Tc = {statistics}: {first:F4} -> {last:F4}");
        Assert.True(last < 0.5 * first, $"{first} -> {last}");
    }

    /// <summary>A checkpoint of the amortized form carries its running state and loads only into the same form.</summary>
    [Fact]
    public void AmortizedCurvature_CheckpointOfAnotherForm_IsRefusedByName()
    {
        using var folder = new TempFolder();
        (_, string path) = Checkpoints.CheckpointResumeTests.TrainAndSave<double>(folder, "ngd-amortized", 4, "amortized.ckpt");
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(path, new Scenario<double>("ngd-cholesky").Optimizer));
        output.WriteLine(e.Message);
        Assert.Contains("amortized Cholesky", e.Reason, StringComparison.Ordinal);
        Assert.Contains("uses Cholesky inverses", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AmortizedCurvature_InvalidOptions_NameTheOption()
    {
        var network = new Network<double>(Tanh([3, 4, 2]));
        Check(new NaturalGradientOptions { InverseUpdatePeriod = 0 }, "InverseUpdatePeriod");
        Check(new NaturalGradientOptions { CurvatureUpdatePeriod = 0 }, "CurvatureUpdatePeriod");
        Check(new NaturalGradientOptions { DampingAdaptationInterval = 0 }, "DampingAdaptationInterval");
        Check(new NaturalGradientOptions { CurvatureDecay = 1 }, "CurvatureDecay");
        Check(new NaturalGradientOptions { CurvatureDecay = double.NaN }, "CurvatureDecay");
        Check(new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison, InverseUpdatePeriod = 2 }, "InverseUpdatePeriod");
        Check(new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison, CurvatureUpdatePeriod = 2 }, "CurvatureUpdatePeriod");
        Check(new NaturalGradientOptions { InverseUpdatePeriod = 2, Momentum = 0.5 }, "Momentum");
        Check(new NaturalGradientOptions { CurvatureUpdatePeriod = 2, DampingForm = DampingForm.Factored }, "DampingForm");

        void Check(NaturalGradientOptions options, string name)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NaturalGradientOptimizer<double>(network, options));
            Assert.Equal(name, e.ParamName);
            Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        }
    }

    private static T[][] Run<T>(NetworkOptions options, NaturalGradientOptions optimizerOptions)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var network = new Network<T>(options);
        var optimizer = new NaturalGradientOptimizer<T>(network, optimizerOptions);
        for (int t = 0; t < 12; t++)
        {
            (double[,] x, double[,] y) = Batch(options, 10, 700 + t);
            optimizer.Step(new ReadOnlySpan2D<T>(Convert<T>(x)), new ReadOnlySpan2D<T>(Convert<T>(y)));
        }

        return [.. Enumerable.Range(0, network.LayerCount).Select(l => network.WeightMatrix(l).AsSpan().ToArray())];
    }

    /// <summary>
    /// A refresh whose damped covariance does not factor, on either side of the layer, is retried
    /// and then reported with that side and layer, the weights, step count and damping as before,
    /// and the running state restored: a later step from there has the bits of a fresh optimizer's.
    /// Input side: every input row is (1, 1), so Lambda is exactly singular and, in float,
    /// 1 + sqrt(1e-20) rounds to 1. Error side: identical hidden units (equal rows of the first
    /// layer, equal columns of the second), so every row of the first layer's errors repeats one
    /// value and LambdaT is singular the same way, while the Gaussian inputs factor.
    /// </summary>
    [Theory]
    [InlineData(StepQuantity.InputCovariance)]
    [InlineData(StepQuantity.ErrorCovariance)]
    public void AmortizedCurvature_RefreshThatDoesNotFactor_ReportsItsSideAndRestores(StepQuantity side)
    {
        NetworkOptions options = Tanh([2, 3, 2]);
        var network = new Network<float>(options);
        float[,] x = Convert<float>(Gaussian(6, 2, 3));
        if (side == StepQuantity.InputCovariance)
        {
            x = new float[6, 2];
            x.AsSpan2D().Fill(1);
        }
        else
        {
            Span2D<float> first = network.Weights(0), second = network.Weights(1);
            for (int j = 1; j < first.Height; j++)
            {
                first.GetRowSpan(0).CopyTo(first.GetRowSpan(j));
            }

            for (int i = 0; i < second.Height; i++)
            {
                second.GetRowSpan(i)[1..3].Fill(second[i, 0]);
            }
        }

        var fresh = new Network<float>(options);
        network.CopyWeightsTo(fresh);
        float[][] before = [.. Enumerable.Range(0, network.LayerCount).Select(l => network.WeightMatrix(l).AsSpan().ToArray())];
        var settings = new NaturalGradientOptions { InverseUpdatePeriod = 3, MaxRetries = 1, InitialDamping = 1e-20, MinDamping = 1e-30 };
        var optimizer = new NaturalGradientOptimizer<float>(network, settings);
        float[,] y = Convert<float>(Gaussian(6, 2, 4));
        var e = Assert.Throws<CurvatureFactorizationException>(() => optimizer.Step(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(y)));
        output.WriteLine(e.Message);
        Assert.Equal((side, 0, 1), (e.Quantity, e.Layer, e.Retries));
        for (int l = 0; l < network.LayerCount; l++)
        {
            Assert.True(before[l].AsSpan().SequenceEqual(network.WeightMatrix(l).AsSpan()), $"layer {l} weights changed");
        }

        Assert.Equal((0L, 1e-20), (optimizer.StepCount, optimizer.Damping));

        var reference = new NaturalGradientOptimizer<float>(fresh, settings);
        float[,] good = Convert<float>(Gaussian(6, 2, 5));
        foreach (NaturalGradientOptimizer<float> o in new[] { optimizer, reference })
        {
            o.Damping = 1;
            o.Step(new ReadOnlySpan2D<float>(good), new ReadOnlySpan2D<float>(y));
        }

        for (int l = 0; l < network.LayerCount; l++)
        {
            Assert.True(fresh.WeightMatrix(l).AsSpan().SequenceEqual(network.WeightMatrix(l).AsSpan()), $"layer {l} differs from a fresh optimizer's");
        }
    }

    private static double[,] WithBias(double[,] x)
    {
        int rows = x.GetLength(0), columns = x.GetLength(1);
        var result = new double[rows, columns + 1];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                result[r, c] = x[r, c];
            }

            result[r, columns] = 1;
        }

        return result;
    }
}
