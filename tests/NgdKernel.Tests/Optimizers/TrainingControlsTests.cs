using NgdKernel.LinearAlgebra;
using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>
/// Learning-rate schedules, decoupled weight decay, momentum (SGD, and NGD on the preconditioned
/// direction with its Eq. 21 prediction), frozen layers and cancellation, against closed forms and
/// naive reference updates written out element by element in double.
/// </summary>
public sealed class TrainingControlsTests(ITestOutputHelper output)
{
    private const int Batch = 24;

    private static NetworkOptions Small(ulong seed = 3) => new()
    {
        Widths = [5, 7, 6, 3],
        HiddenActivation = Activation.Tanh,
        Bias = true,
        OutputCovariance = OutputCovariance.Isotropic(0.5),
        Seed = seed,
    };

    private static (T[,] X, T[,] Y) BatchOf<T>(NetworkOptions options, int step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        (Convert<T>(Gaussian(Batch, options.Widths[0], 100 + (2 * step))),
            Convert<T>(Gaussian(Batch, options.Widths[^1], 101 + (2 * step), 0.5)));

    private static double[][] Snapshot<T>(Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        [.. Enumerable.Range(0, network.LayerCount).Select(l => Doubles<T>(network.WeightMatrix(l)))];

    private static double[] Doubles<T>(Matrix<T> m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        [.. m.AsSpan().ToArray().Select(v => double.CreateTruncating(v))];

    private static double Dot(double[,] a, double[,] b)
    {
        double sum = 0;
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                sum += a[i, j] * b[i, j];
            }
        }

        return sum;
    }

    private static double[,] Abs(double[,] a)
    {
        var r = new double[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                r[i, j] = Math.Abs(a[i, j]);
            }
        }

        return r;
    }

    private static void SetWeights<T>(Network<T> network, double[][] weights)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int l = 0; l < weights.Length; l++)
        {
            Span<T> w = network.WeightMatrix(l).AsSpan();
            for (int i = 0; i < w.Length; i++)
            {
                w[i] = T.CreateChecked(weights[l][i]);
            }
        }
    }

    // ---------------------------------------------------------------------------- schedules

    [Fact]
    public void Schedule_BuiltIns_MatchClosedForms()
    {
        double eps = Tolerances.Epsilon<double>();
        LearningRateSchedule step = LearningRateSchedule.Step(3, 0.5);
        LearningRateSchedule cosine = LearningRateSchedule.Cosine(10, 0.1);
        for (long t = 0; t < 40; t++)
        {
            Assert.Equal(1.0, LearningRateSchedule.Constant.Factor(t));
            Assert.Equal(Math.Pow(2, -(t / 3)), step.Factor(t)); // powers of 1/2 are exact
            double expected = t >= 10 ? 0.1 : 0.1 + (0.9 * 0.5 * (1 + Math.Cos(Math.PI * t / 10)));
            Assert.True(Math.Abs(cosine.Factor(t) - expected) <= 4 * eps, $"cosine at {t}: {cosine.Factor(t)} vs {expected}");
        }

        // Hand-computed points of the closed forms.
        Assert.Equal(0.25, step.Factor(7));
        Assert.Equal(1.0, cosine.Factor(0));
        Assert.True(Math.Abs(cosine.Factor(5) - 0.55) <= 4 * eps);
        Assert.Equal(0.1, cosine.Factor(10), 15);
        Assert.Equal(0.3, LearningRateSchedule.FromDelegate(t => 0.1 * t).Factor(3), 15);

        Assert.Throws<ArgumentOutOfRangeException>("stepSize", () => LearningRateSchedule.Step(0, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>("gamma", () => LearningRateSchedule.Step(2, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>("totalSteps", () => LearningRateSchedule.Cosine(0));
        Assert.Throws<ArgumentOutOfRangeException>("finalFactor", () => LearningRateSchedule.Cosine(5, -0.1));
        Assert.Throws<ArgumentNullException>("factor", () => LearningRateSchedule.FromDelegate(null!));
    }

    [Fact]
    public void Schedule_BadFactor_StopsTheStepBeforeAnyChange()
    {
        NetworkOptions options = Small();
        (double[,] x, double[,] y) = BatchOf<double>(options, 0);
        foreach (bool natural in new[] { false, true })
        {
            var network = new Network<double>(options);
            LearningRateSchedule schedule = LearningRateSchedule.FromDelegate(t => t == 1 ? double.NaN : 1);
            IOptimizer<double> optimizer = natural
                ? new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { Schedule = schedule, Momentum = 0.5 })
                : new SgdOptimizer<double>(network, new SgdOptions { Schedule = schedule, Momentum = 0.5 });
            optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            double[][] before = Snapshot(network);
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y)));
            Assert.Contains("step 1", e.Message, StringComparison.Ordinal);
            Assert.Equal(1, optimizer.StepCount);
            Assert.Equal(before, Snapshot(network));
            optimizer.Rollback(); // the first step is still the undo point
            Assert.Equal(0, optimizer.StepCount);
        }

        // NGD with adaptive damping: a scheduled alpha must stay below 2.
        var ngd = new NaturalGradientOptimizer<double>(new Network<double>(options),
            new NaturalGradientOptions { Schedule = LearningRateSchedule.FromDelegate(_ => 2.5) });
        var tooLarge = Assert.Throws<ArgumentOutOfRangeException>(() => ngd.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y)));
        Assert.Contains("alpha = 2.5", tooLarge.Message, StringComparison.Ordinal);
        Assert.Equal(0, ngd.StepCount);
    }

    [Fact]
    public void Schedule_Options_RejectBadControlsByName()
    {
        Assert.Throws<ArgumentOutOfRangeException>("WeightDecay", () => new SgdOptions { WeightDecay = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>("WeightDecay", () => new NaturalGradientOptions { WeightDecay = double.NaN }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>("FrozenLayers", () => new SgdOptions { FrozenLayers = [-1] }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>("FrozenLayers", () => new NaturalGradientOptions { FrozenLayers = [1, 1] }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>("Momentum", () => new NaturalGradientOptions { Momentum = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>("Momentum",
            () => new NaturalGradientOptions { Momentum = 0.5, Inverse = CurvatureInverse.ShermanMorrison }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>("DampingForm",
            () => new NaturalGradientOptions { DampingForm = DampingForm.Factored, Inverse = CurvatureInverse.ShermanMorrison }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>("DampingForm", () => new NaturalGradientOptions { DampingForm = (DampingForm)7 }.Validate());
        var network = new Network<double>(Small());
        var e = Assert.Throws<ArgumentOutOfRangeException>("FrozenLayers",
            () => new SgdOptimizer<double>(network, new SgdOptions { FrozenLayers = [3] }));
        Assert.Contains("3 layers", e.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------------------- SGD

    /// <summary>
    /// <c>V = mu V + G; W = W_b + alpha_t (V - wd W_b)</c> on trained layers, frozen ones untouched;
    /// each element within the rounding of two fused multiply-adds, <c>4 eps (|W_b| + alpha_t |V| + alpha_t wd |W_b|)</c>.
    /// </summary>
    [Theory, Combinations]
    public void Schedule_SgdWithMomentumDecayAndFrozenLayer_MatchesNaiveReference(Precision precision) =>
        precision.Run(SgdAgainstReference<float>, SgdAgainstReference<double>);

    private static void SgdAgainstReference<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        NetworkOptions options = Small();
        var network = new Network<T>(options);
        var reference = new Network<T>(options);
        const double rate = 0.2, mu = 0.8, decay = 0.05;
        LearningRateSchedule schedule = LearningRateSchedule.Step(2, 0.5);
        var sgd = new SgdOptimizer<T>(network, new SgdOptions
        {
            LearningRate = rate,
            Momentum = mu,
            WeightDecay = decay,
            Schedule = schedule,
            FrozenLayers = [1],
        });
        NetworkWorkspace<T> workspace = reference.CreateWorkspace(Batch);
        double eps = Tolerances.Epsilon<T>();
        double[][] velocity = [.. Enumerable.Range(0, network.LayerCount).Select(l => new double[network.WeightMatrix(l).AsSpan().Length])];
        for (int step = 0; step < 6; step++)
        {
            (T[,] x, T[,] y) = BatchOf<T>(options, step);
            double[][] before = Snapshot(network);
            SetWeights(reference, before);
            reference.ComputeGradient(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y), workspace);
            sgd.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(y));
            double alpha = rate * Math.Pow(0.5, step / 2);
            for (int l = 0; l < network.LayerCount; l++)
            {
                double[] after = Doubles(network.WeightMatrix(l));
                if (l == 1)
                {
                    Assert.Equal(before[l], after); // frozen: bit-unchanged
                    continue;
                }

                double[] g = Doubles(workspace.Gradients[l]);
                double[] v = Doubles(sgd.Velocity![l]);
                for (int i = 0; i < after.Length; i++)
                {
                    // The velocity's own rounding, eps (|mu v| + |g|), reaches the weights times alpha.
                    double velocityRounding = eps * ((mu * Math.Abs(velocity[l][i])) + Math.Abs(g[i]));
                    velocity[l][i] = (mu * velocity[l][i]) + g[i];
                    double expected = before[l][i] + (alpha * (velocity[l][i] - (decay * before[l][i])));
                    double bound = (4 * eps * (Math.Abs(before[l][i]) + (alpha * Math.Abs(velocity[l][i])) + (alpha * decay * Math.Abs(before[l][i]))))
                        + (4 * alpha * velocityRounding);
                    Assert.True(Math.Abs(after[i] - expected) <= bound,
                        $"step {step} layer {l} [{i}]: {after[i]} vs {expected}");
                    velocity[l][i] = v[i]; // continue from the optimizer's rounded velocity
                }
            }
        }
    }

    // ---------------------------------------------------------------------------- NGD

    public static TheoryData<DampingForm, bool> NgdCases() => new()
    {
        { DampingForm.Paper, false },
        { DampingForm.Factored, false },
        { DampingForm.Factored, true },
    };

    /// <summary>
    /// NGD with momentum, decoupled weight decay, a cosine schedule and a frozen layer against a
    /// reference optimizer without those controls that computes the direction N of each step from the
    /// same weights, samples and damping: then <c>V = mu P + N</c>,
    /// <c>W = W_b + (alpha_t / L) V - alpha_t wd W_b</c>, and the Eq. 21 prediction read back from the
    /// step (<c>(before - after) / rho</c>) equals <c>(alpha/L) G.V - (alpha^2/(2L)) sum tr(V^T (S + d_e) V (A + d_i))</c>
    /// computed with explicit covariances. That prediction's tolerance is the rounding of the
    /// products and of the solves' residual <c>(S + d_e) N (A + d_i) - G</c> the optimizer relies on:
    /// <c>16 (a + b + m + n) eps</c> times the sum of the terms' magnitudes.
    /// </summary>
    [Theory]
    [MemberData(nameof(NgdCases))]
    public void Schedule_NgdMomentumDecayFrozen_MatchNaiveReference(DampingForm form, bool sampleSpace)
    {
        NetworkOptions options = Small(7);
        var network = new Network<double>(options);
        var reference = new Network<double>(options);
        const double mu = 0.7, decay = 0.02, rate = 0.9;
        SampleSpacePolicy policy = sampleSpace ? SampleSpacePolicy.Always : SampleSpacePolicy.Never;
        var ngd = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            LearningRate = rate,
            Momentum = mu,
            WeightDecay = decay,
            Schedule = LearningRateSchedule.Cosine(5, 0.2),
            FrozenLayers = [1],
            DampingForm = form,
            SampleSpace = policy,
            SampleCount = 2,
            InitialDamping = 0.05,
            Seed = 9,
        });
        var plain = new NaturalGradientOptimizer<double>(reference, new NaturalGradientOptions
        {
            FrozenLayers = [1],
            DampingForm = form,
            SampleSpace = policy,
            SampleCount = 2,
            Seed = 9,
        });
        double eps = Tolerances.Epsilon<double>();
        int layers = network.LayerCount;
        double[][] previous = [.. Enumerable.Range(0, layers).Select(l => new double[network.WeightMatrix(l).AsSpan().Length])];
        int rhoChecks = 0;
        for (int step = 0; step < 6; step++)
        {
            (double[,] x, double[,] y) = BatchOf<double>(options, step);
            double[][] before = Snapshot(network);
            SetWeights(reference, before);
            plain.Damping = ngd.Damping;
            plain.ComputeDirections(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            StepResult result = ngd.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            Assert.Equal(0, result.Retries);
            double alpha = rate * LearningRateSchedule.Cosine(5, 0.2).Factor(step);
            double scale = alpha / layers;

            double gv = 0, quadratic = 0, magnitude = 0;
            int sizes = 0;
            NetworkWorkspace<double> w = plain.Workspace!;
            for (int l = 0; l < layers; l++)
            {
                double[] after = Doubles(network.WeightMatrix(l));
                if (l == 1)
                {
                    Assert.Equal(before[l], after);
                    Assert.All(ngd.Direction(l).ToArray().Cast<double>(), v => Assert.Equal(0.0, v)); // never computed
                    continue;
                }

                LayerCurvature<double> c = plain.Curvature(l);
                int a = c.InputWidth, b = c.OutputWidth, m = Batch, n = 2 * Batch;
                double[,] nd = ToDouble(plain.Direction(l));
                double[,] v = new double[b, a];
                for (int i = 0; i < b; i++)
                {
                    for (int j = 0; j < a; j++)
                    {
                        v[i, j] = (mu * previous[l][(i * a) + j]) + nd[i, j];
                        double wb = before[l][(i * a) + j];
                        double expected = wb + (scale * v[i, j]) - (alpha * decay * wb);
                        double bound = 4 * eps * (Math.Abs(wb) + (scale * (Math.Abs(nd[i, j]) + Math.Abs(mu * previous[l][(i * a) + j]))) + (alpha * decay * Math.Abs(wb)));
                        Assert.True(Math.Abs(after[(i * a) + j] - expected) <= bound, $"step {step} layer {l} [{i},{j}]: {after[(i * a) + j]} vs {expected}");
                    }
                }

                // Explicit damped covariances of this batch, and the model's terms.
                double[,] xs = ToDouble(w.Activations[l].ReadOnlySpan.Slice(0, 0, m, a));
                double[,] es = ToDouble(w.Errors[l].ReadOnlySpan.Slice(m, 0, n, b));
                double[,] inputCov = Dense.Add(Dense.Scale(Dense.Multiply(Dense.Transpose(xs), xs), 1.0 / m), Dense.Scale(Dense.Identity(a), c.InputDamping));
                double[,] errorCov = Dense.Add(Dense.Scale(Dense.Multiply(Dense.Transpose(es), es), 1.0 / n), Dense.Scale(Dense.Identity(b), c.ErrorDamping));
                double[,] g = ToDouble(w.Gradients[l].ReadOnlySpan);
                double[,] curvature = Dense.Multiply(Dense.Multiply(errorCov, v), inputCov);
                double layerGv = Dot(g, v);
                double layerQ = Dot(v, curvature);
                gv += layerGv;
                quadratic += layerQ;
                magnitude += (scale * Dot(Abs(g), Abs(v)))
                    + (0.5 * scale * scale * layers * Dot(Abs(v), Dense.Multiply(Dense.Multiply(Abs(errorCov), Abs(v)), Abs(inputCov))));
                sizes = Math.Max(sizes, a + b + m + n);
                previous[l] = Doubles(ngd.Velocity![l]);
                Assert.Equal(v.Cast<double>().ToArray(), previous[l], new RoundingComparer(2 * eps));
            }

            double predicted = (scale * gv) - (0.5 * scale * scale * layers * quadratic);
            if (double.IsFinite(result.Rho) && result.Rho != 0)
            {
                double read = (result.Loss - result.LossAfter) / result.Rho;
                double tolerance = (16 * sizes * eps * magnitude) + (8 * eps * Math.Abs(read));
                output.WriteLine($"step {step}: predicted {predicted:E6}, read back {read:E6}, |diff| {Math.Abs(read - predicted):E2} (tol {tolerance:E2})");
                Assert.True(Math.Abs(read - predicted) <= tolerance, $"step {step}: predicted decrease {read} vs naive {predicted}");
                rhoChecks++;
            }
        }

        Assert.True(rhoChecks >= 4, $"only {rhoChecks} steps had a resolved rho");
    }

    /// <summary><see cref="LayerCurvature{T}.CurvatureQuadratic"/> against explicit covariances in double, every path and odd shapes.</summary>
    [Theory]
    [InlineData(1, 1, 1, 1, SampleSpacePolicy.Never)]
    [InlineData(1, 1, 1, 1, SampleSpacePolicy.Always)]
    [InlineData(7, 5, 3, 11, SampleSpacePolicy.Never)]
    [InlineData(7, 5, 3, 11, SampleSpacePolicy.Always)]
    [InlineData(17, 9, 16, 33, SampleSpacePolicy.Auto)]
    [InlineData(31, 33, 8, 16, SampleSpacePolicy.Never)]
    [InlineData(31, 33, 8, 16, SampleSpacePolicy.Always)]
    [InlineData(40, 8, 3, 40, SampleSpacePolicy.Auto)]
    public void PiDamping_CurvatureQuadratic_MatchesExplicitCovariances(int m, int a, int b, int n, SampleSpacePolicy policy)
    {
        double eps = Tolerances.Epsilon<float>();
        float[,] x = Convert<float>(Gaussian(m, a, 1));
        float[,] e = Convert<float>(Gaussian(n, b, 2, 3));
        float[,] v = Convert<float>(Gaussian(b, a, 3));
        var layer = new LayerCurvature<float>(b, a, CurvatureInverse.Cholesky);
        (float di, float de) = layer.SideDamping(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(e), 0.3f, DampingForm.Factored);
        using var context = new KernelContext(1);

        // The direction decides each side's form (and, in covariance space, leaves the covariance behind).
        Assert.True(layer.CholeskyDirection(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(e), new ReadOnlySpan2D<float>(v),
            di, de, policy, context, out _));
        int w = Math.Max(a, b);
        double q = layer.CurvatureQuadratic(new ReadOnlySpan2D<float>(x), new ReadOnlySpan2D<float>(e), new ReadOnlySpan2D<float>(v),
            new float[w, m], new float[n, w], new float[w, w], new float[w, w], context);
        double[,] xd = ToDouble<float>(new ReadOnlySpan2D<float>(x)), ed = ToDouble<float>(new ReadOnlySpan2D<float>(e)), vd = ToDouble<float>(new ReadOnlySpan2D<float>(v));
        double[,] inputCov = Dense.Add(Dense.Scale(Dense.Multiply(Dense.Transpose(xd), xd), 1.0 / m), Dense.Scale(Dense.Identity(a), di));
        double[,] errorCov = Dense.Add(Dense.Scale(Dense.Multiply(Dense.Transpose(ed), ed), 1.0 / n), Dense.Scale(Dense.Identity(b), de));
        double expected = Dot(vd, Dense.Multiply(Dense.Multiply(errorCov, vd), inputCov));
        double magnitude = Dot(Abs(vd), Dense.Multiply(Dense.Multiply(Abs(errorCov), Abs(vd)), Abs(inputCov)));
        Assert.True(Math.Abs(q - expected) <= 4 * (m + n + a + b) * eps * magnitude, $"{q} vs {expected}");
    }

    // ---------------------------------------------------------------------------- frozen layers, defaults

    [Fact]
    public void Schedule_FrozenLayer_FirstStepOfOthersEqualsUnfrozenRun()
    {
        NetworkOptions options = Small(11);
        (double[,] x, double[,] y) = BatchOf<double>(options, 0);
        var free = new Network<double>(options);
        var frozen = new Network<double>(options);
        new NaturalGradientOptimizer<double>(free).Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        new NaturalGradientOptimizer<double>(frozen, new NaturalGradientOptions { FrozenLayers = [0, 2] })
            .Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        var initial = new Network<double>(options);
        Assert.Equal(Doubles(initial.WeightMatrix(0)), Doubles(frozen.WeightMatrix(0)));
        Assert.Equal(Doubles(initial.WeightMatrix(2)), Doubles(frozen.WeightMatrix(2)));
        Assert.Equal(Doubles(free.WeightMatrix(1)), Doubles(frozen.WeightMatrix(1))); // same direction, same bits
        Assert.NotEqual(Doubles(initial.WeightMatrix(1)), Doubles(frozen.WeightMatrix(1)));
    }

    /// <summary>Neutral controls spelled out (constant schedule, no decay, no momentum, nothing frozen) give the default bits.</summary>
    [Fact]
    public void Schedule_NeutralControls_AreBitIdenticalToDefaults()
    {
        NetworkOptions options = Small(13);
        var a = new Network<double>(options);
        var b = new Network<double>(options);
        var c = new Network<float>(options);
        var d = new Network<float>(options);
        IOptimizer<double>[] doubles =
        [
            new NaturalGradientOptimizer<double>(a, new NaturalGradientOptions { LearningRate = 0.7 }),
            new NaturalGradientOptimizer<double>(b, new NaturalGradientOptions
            {
                LearningRate = 0.7, Schedule = LearningRateSchedule.Constant, WeightDecay = 0, Momentum = 0, FrozenLayers = [],
                DampingForm = DampingForm.Paper,
            }),
        ];
        IOptimizer<float>[] floats =
        [
            new SgdOptimizer<float>(c, new SgdOptions { LearningRate = 0.1, Momentum = 0.5 }),
            new SgdOptimizer<float>(d, new SgdOptions { LearningRate = 0.1, Momentum = 0.5, Schedule = LearningRateSchedule.Constant, FrozenLayers = [] }),
        ];
        for (int step = 0; step < 4; step++)
        {
            (double[,] x, double[,] y) = BatchOf<double>(options, step);
            (float[,] xf, float[,] yf) = BatchOf<float>(options, step);
            foreach (IOptimizer<double> o in doubles)
            {
                o.Step(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
            }

            foreach (IOptimizer<float> o in floats)
            {
                o.Step(new ReadOnlySpan2D<float>(xf), new ReadOnlySpan2D<float>(yf));
            }
        }

        Assert.Equal(Snapshot(a), Snapshot(b));
        Assert.Equal(Snapshot(c), Snapshot(d));
    }

    // ---------------------------------------------------------------------------- allocation

    [Theory, Combinations]
    public void Schedule_AllControlsOn_StepsAllocateNothing(Precision precision) =>
        precision.Run(AllocationWithControls<float>, AllocationWithControls<double>);

    private void AllocationWithControls<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        NetworkOptions options = Small(17);
        (T[,] xa, T[,] ya) = BatchOf<T>(options, 0);
        var network = new Network<T>(options);
        LearningRateSchedule schedule = LearningRateSchedule.FromDelegate(static t => 1.0 / (1 + (0.01 * t)));
        IOptimizer<T>[] optimizers =
        [
            new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions
            {
                LearningRate = 0.5, Momentum = 0.9, WeightDecay = 1e-3, Schedule = schedule, FrozenLayers = [0],
                DampingForm = DampingForm.Factored, SampleCount = 2,
            }),
            new NaturalGradientOptimizer<T>(new Network<T>(options), new NaturalGradientOptions
            {
                LearningRate = 0.5, Momentum = 0.5, Schedule = LearningRateSchedule.Cosine(100), SampleSpace = SampleSpacePolicy.Always,
                FrozenLayers = [2], DampingForm = DampingForm.Factored,
            }),
            new SgdOptimizer<T>(new Network<T>(options), new SgdOptions
            {
                LearningRate = 0.05, Momentum = 0.9, WeightDecay = 1e-3, Schedule = LearningRateSchedule.Step(3, 0.5), FrozenLayers = [1],
            }),
        ];
        foreach (IOptimizer<T> optimizer in optimizers)
        {
            var trainer = new Trainer<T>(optimizer, new TrainerOptions { BatchSize = 8 });
            using var cancellation = new CancellationTokenSource();
            var x = new ReadOnlySpan2D<T>(xa);
            var y = new ReadOnlySpan2D<T>(ya);
            trainer.RunEpoch(x, y, cancellation.Token); // warm-up: buffers of this batch size
            long bytes = Allocations.Measure(() =>
            {
                for (int i = 0; i < 3; i++)
                {
                    trainer.RunEpoch(new ReadOnlySpan2D<T>(xa), new ReadOnlySpan2D<T>(ya), cancellation.Token);
                }
            });
            output.WriteLine($"{optimizer.GetType().Name}: {bytes} bytes over 9 steps");
            Assert.Equal(0, bytes);
        }
    }

    // ---------------------------------------------------------------------------- cancellation

    private sealed class CancelAfter(CancellationTokenSource source, int steps) : ITrainingObserver
    {
        public int Seen { get; private set; }

        public void OnStep(in TrainingProgress progress)
        {
            if (++Seen == steps)
            {
                source.Cancel();
            }
        }
    }

    [Fact]
    public void Trainer_CancelledBetweenSteps_LeavesStateOfLastCompletedStep()
    {
        NetworkOptions options = Small(19);
        double[,] x = Gaussian(60, 5, 40), y = Gaussian(60, 3, 41);
        var network = new Network<double>(options);
        var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { Momentum = 0.5, LearningRate = 0.5 });
        var trainer = new Trainer<double>(optimizer, new TrainerOptions { BatchSize = 8, Seed = 3 });
        using var source = new CancellationTokenSource();
        trainer.Observer = new CancelAfter(source, 3);
        Assert.Throws<OperationCanceledException>(() => trainer.RunEpoch(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y), source.Token));
        Assert.Equal(3, optimizer.StepCount);
        Assert.Equal(24, trainer.ExamplesSeen);
        Assert.Equal(0, trainer.Epoch);

        // The same three steps, uncancelled, give the same bits.
        var again = new Network<double>(options);
        var second = new NaturalGradientOptimizer<double>(again, new NaturalGradientOptions { Momentum = 0.5, LearningRate = 0.5 });
        var full = new Trainer<double>(second, new TrainerOptions { BatchSize = 8, Seed = 3 });
        double[][]? atThree = null;
        full.Observer = new Capture(again, 3, w => atThree = w);
        full.RunEpoch(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y));
        Assert.Equal(atThree, Snapshot(network));

        // A token cancelled before the call changes nothing, not even the shuffle.
        double[][] now = Snapshot(network);
        Assert.Throws<OperationCanceledException>(() => trainer.RunEpoch(new ReadOnlySpan2D<double>(x), new ReadOnlySpan2D<double>(y), source.Token));
        Assert.Equal(now, Snapshot(network));
        Assert.Equal(3, optimizer.StepCount);
        optimizer.Rollback(); // the last completed step is still the undo point
        Assert.Equal(2, optimizer.StepCount);
    }

    private sealed class Capture(Network<double> network, int step, Action<double[][]> store) : ITrainingObserver
    {
        private int _seen;

        public void OnStep(in TrainingProgress progress)
        {
            if (++_seen == step)
            {
                store(Snapshot(network));
            }
        }
    }

    private sealed class RoundingComparer(double relative) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= relative * Math.Max(Math.Abs(x), Math.Abs(y));

        public int GetHashCode(double obj) => 0;
    }
}
