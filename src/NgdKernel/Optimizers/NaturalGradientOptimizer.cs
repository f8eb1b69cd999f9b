using System.Diagnostics;

namespace NgdKernel.Optimizers;

/// <summary>
/// Damped online natural gradient descent (paper Sec. 5, Eq. 20-21):
/// <c>dW_i = (alpha/L) (LambdaT_i + sqrt(lambda) I)^-1 G_i (Lambda_i + sqrt(lambda) I)^-1</c>.
/// </summary>
/// <remarks>
/// <para>Per step, on a minibatch of M examples: forward pass; <c>G_i = &lt;e_i x_{i-1}^T&gt;</c> from the
/// true targets; <c>Lambda_i = &lt;x_{i-1} x_{i-1}^T&gt;</c> (uncentred, with the bias component);
/// <c>LambdaT_i = &lt;e_i e_i^T&gt;</c> over K backward passes whose output errors are those of
/// targets sampled from the model, <c>S (y - x_L) ~ N(0, S)</c> with <c>S = SigmaT^-1</c>.</para>
/// <para>Each damped inverse is applied by Cholesky solves in covariance space, or in sample space
/// by the Woodbury identity <c>(X^T X/M + dI)^-1 = (I - X^T (dM I + X X^T)^-1 X) / d</c> when that is
/// cheaper (M &lt; n), or by Sherman-Morrison running inverses (<see cref="CurvatureInverse"/>).</para>
/// <para><b>Adaptive damping (Eq. 21).</b> <c>rho</c> = (loss before - loss after) on the same batch,
/// divided by the decrease predicted by the quadratic model whose Newton step is the undamped-rate
/// direction. Derivation: the direction <c>N_i = (LambdaT_i + dI)^-1 G_i (Lambda_i + dI)^-1</c> scaled by
/// <c>1/L</c> is the natural gradient <c>F^g g</c> (Eq. 10, 23: each of the L blocks of a row of
/// <c>F^g</c> contributes <c>N_i / L^2</c>). The Gauss-Newton model
/// <c>m(s) = -G.s + s.F s/2</c> along <c>s = alpha F^g g</c> changes by
/// <c>(-alpha + alpha^2/2) g.F^g g</c>, with <c>g.F^g g = (1/L) sum_i tr(N_i^T G_i)</c>. In terms of
/// the step taken, <c>dW_i = (alpha/L) N_i</c>: predicted decrease
/// <c>(1 - alpha/2) sum_i tr(dW_i^T G_i)</c> (&gt; 0 for 0 &lt; alpha &lt; 2). The paper's footnote 1
/// writes the same quantity as a (negative) change, <c>(-alpha + alpha^2/2) sum tr(DW^T G)</c> with
/// <c>DW</c> the natural gradient including its 1/L. The authors' code uses <c>a = alpha/L</c> in
/// place of alpha, which puts the model's minimum at <c>alpha = L</c>; we keep alpha, whose model
/// minimum <c>alpha = 1</c> is the exact step of Eq. 18.</para>
/// <para><b>Unresolved rho.</b> When the loss change or the predicted decrease is within a few units
/// in the last place of the loss (<c>|before - after| &lt;= 4 eps |before|</c> or
/// <c>|predicted| &lt;= 4 eps |before|</c>, eps of T), <c>rho</c> is rounding and Eq. 21 is not applied:
/// <c>lambda</c> stays. This happens at convergence in float, where the rule would otherwise read
/// <c>rho = 0</c> and raise <c>lambda</c> at every step to <see cref="NaturalGradientOptions.MaxDamping"/>.</para>
/// <para><b>Rollback.</b> The weights before the update are kept, so <see cref="Rollback"/> is a copy.
/// A step whose update or after-loss is not finite, or whose damped covariance fails to factor, is
/// undone automatically, the damping raised and the step retried (<see cref="NaturalGradientOptions.MaxRetries"/>).</para>
/// <para>After the first step of a given batch size, a step allocates nothing. Same seed and thread
/// count give bit-identical weights.</para>
/// <para><b>Not thread-safe</b> (see <see cref="IOptimizer{T}"/>): a Step, Rollback, Damping change or checkpoint load that enters while another call is
/// inside this optimizer throws <see cref="InvalidOperationException"/> naming the type before touching any
/// state, detected by one interlocked flag without lock or allocation.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed partial class NaturalGradientOptimizer<T> : IOptimizer<T>, IMemoryLayout<T, NaturalGradientOptions>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly LayerCurvature<T>[] _layers;
    private readonly Matrix<T>[] _undoWeights;
    private readonly T[] _rankOneWorkspace;
    private readonly int _maxWidth;
    private readonly NaturalGradientOptions _sizing; // SampleCount = blocks of errors per example
    private Matrix<T>? _scratch;
    private NaturalGradientState _state;
    private NaturalGradientState _undo;
    private StepBookkeeping<T> _step;

    /// <summary>Creates the optimizer for <paramref name="network"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public NaturalGradientOptimizer(Network<T> network, NaturalGradientOptions? options = null)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Options = options = ValidatedOptions.OrDefault(options);
        _sizing = options.Sizing(network.OutputSize);
        _state = new NaturalGradientState
        {
            Damping = options.InitialDamping,
            Generator = new Xoshiro256(options.Seed),
            Refresh = new RefreshSchedule { RefreshedDamping = double.NaN },
        };
        OptimizerMemory.Check<T, NaturalGradientOptions, NaturalGradientOptimizer<T>>(network, _sizing, 0, nameof(network));
        _undoWeights = OptimizerBuffers.LikeWeights(network);
        _layers = new LayerCurvature<T>[network.LayerCount];
        for (int l = 0; l < _layers.Length; l++)
        {
            _layers[l] = new LayerCurvature<T>(network.Widths[l + 1], network.InputWidth(l), options.Inverse,
                amortized: options.AmortizedCurvature);
        }

        _factors = new Matrix<T>[2 * _layers.Length];
        _factorSources = new Matrix<T>[2 * _layers.Length];
        _factorDampings = new T[2 * _layers.Length];
        _factorLayers = new int[_layers.Length];
        _maxWidth = OptimizerMemory.MaxWidth(network);
        _rankOneWorkspace = new T[2 * _maxWidth];
        _controls = new OptimizerControls(network.LayerCount, options.Schedule, options.WeightDecay, options.FrozenLayers);
        if (options.Momentum > 0)
        {
            _velocity = OptimizerBuffers.LikeWeights(network);
            _previousVelocity = OptimizerBuffers.LikeWeights(network);
        }
    }

    /// <summary>
    /// The memory this optimizer allocates for <paramref name="network"/> at batches of
    /// <paramref name="batchSize"/> examples, buffer by buffer, with what sets each buffer's size.
    /// </summary>
    /// <remarks>
    /// <para>Per layer of <c>a</c> inputs (bias included) and <c>b</c> outputs, at M examples and
    /// S = K M sampled errors: the direction and the undo copy of the weights (<c>a b</c> each) and the
    /// gradient; with <see cref="CurvatureInverse.Cholesky"/>, on each side the form
    /// <see cref="NaturalGradientOptions.SampleSpace"/> chooses at this batch size: covariance space
    /// <c>2 a^2</c> (covariance and factor), or sample space an <c>M x M</c> Gram matrix and a <c>b x M</c>
    /// product (error side: <c>S x S</c> and <c>S x a</c>); with <see cref="CurvatureInverse.ShermanMorrison"/>
    /// the running covariances and inverses with their undo copies, <c>4 (a^2 + b^2)</c>, whatever the
    /// batch. Plus the network workspace (activations, errors of the true and K sampled passes).</para>
    /// <para>The constructor checks the buffers that do not depend on the batch, and the first step of
    /// each batch size checks the whole estimate for that size, both against
    /// <see cref="NaturalGradientOptions.MemoryLimit"/> before allocating anything. Buffers are
    /// allocated by the first step that needs them; after that a step of that size allocates nothing.</para>
    /// </remarks>
    /// <param name="network">The network to train.</param>
    /// <param name="batchSize">Examples per step M (0: only the buffers that do not depend on it).</param>
    /// <param name="options">The options (null: defaults); they are validated.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is negative, or an option is out of range.</exception>
    public static MemoryEstimate EstimateMemory(Network<T> network, int batchSize, NaturalGradientOptions? options = null)
    {
        OptimizerMemory.CheckEstimateArguments(network, batchSize);
        return OptimizerMemory.Estimate<T, NaturalGradientOptions, NaturalGradientOptimizer<T>>(network, batchSize,
            ValidatedOptions.OrDefault(options));
    }

    static string IMemoryLayout<T, NaturalGradientOptions>.LimitOption => "NaturalGradientOptions.MemoryLimit";

    static long? IMemoryLayout<T, NaturalGradientOptions>.MemoryLimit(NaturalGradientOptions options) => options.MemoryLimit;

    static int IMemoryLayout<T, NaturalGradientOptions>.SampleCount(Network<T> network, NaturalGradientOptions options) =>
        options.Sizing(network.OutputSize).SampleCount;

    // Sizing returns the options themselves once sized (the optimizer's own), so the checks allocate nothing.
    static void IMemoryLayout<T, NaturalGradientOptions>.DescribeMemory<TSink>(ref TSink sink, Network<T> network,
        NaturalGradientOptions options, int rows) =>
        DescribeMemory(ref sink, network, options.Sizing(network.OutputSize), rows);

    private static void DescribeMemory<TSink>(ref TSink sink, Network<T> network, NaturalGradientOptions options, int rows)
        where TSink : struct, IMemorySink
    {
        OptimizerMemory.WeightsLike(ref sink, network, "weights before the step (undo copy)");
        int maxWidth = OptimizerMemory.MaxWidth(network);
        sink.Add("rank-1 update workspace", -1, 1, 2L * maxWidth, MemorySize.MaxWidth);
        for (int l = 0; l < network.LayerCount; l++)
        {
            LayerCurvature<T>.DescribeMemory(ref sink, l, network.Widths[l + 1], network.InputWidth(l), options, rows);
        }

        DescribeControlMemory(ref sink, network, options, rows);
        if (rows > 0)
        {
            OptimizerMemory.Workspace(ref sink, network, rows, options.SampleCount);
            if (options.Inverse == CurvatureInverse.ShermanMorrison)
            {
                // One scratch for the optimizer and one per further group of a layer split.
                int groups = network.LayerCount > 1 ? Math.Min(network.Context.ThreadCount, network.LayerCount) : 1;
                sink.Add("weighted samples for the running covariances", -1, (long)groups * rows * options.SampleCount, maxWidth,
                    MemorySize.SampledBatch);
            }
        }
    }

    /// <inheritdoc/>
    public Network<T> Network { get; }

    /// <summary>The validated options.</summary>
    public NaturalGradientOptions Options { get; }

    /// <inheritdoc/>
    public long StepCount => _state.StepCount;

    /// <summary>Current damping <c>lambda</c> (used by the next step).</summary>
    public double Damping
    {
        get => _state.Damping;
        set
        {
            using ReentrancyGuard.Scope busy = _step.Guard.Enter(this);
            NaturalGradientOptions.Positive(value, nameof(Damping));
            _state.Damping = Math.Clamp(value, Options.MinDamping, Options.MaxDamping);
        }
    }

    /// <inheritdoc/>
    public StepResult Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        using ReentrancyGuard.Scope busy = _step.Guard.Enter(this);
        long start = Stopwatch.GetTimestamp();
        NetworkWorkspace<T> workspace = Prepare(inputs.Height);
        Network.CheckBatch(inputs, targets, workspace);
        double alpha = ScheduledRate(); // throws for a bad scheduled rate before anything changes

        // Undo point: weights, damping, generator, running inverses and velocity as before this step.
        _undo = _state;
        SaveRunningCurvature();
        SaveVelocity();
        OptimizerBuffers.CopyWeights(Network, _undoWeights);

        LossValues before = ComputeStatistics(inputs, targets, workspace);
        if (!double.IsFinite(before.Loss))
        {
            _state.Generator = _undo.Generator;
            _step.CanRollBack = false; // the undo buffers now hold the current state
            StepFailures.ThrowNonFiniteLoss(Network, inputs, targets, before.Loss, _state.Damping);
        }

        int rows = inputs.Height;
        int retries = 0;
        double stepScale = alpha / Network.LayerCount;
        bool adapt = AdaptsDampingAt(_state.StepCount);
        while (true)
        {
            double damping = _state.Damping;
            _forceRefresh = retries > 0;
            CholeskyFailure failure = default;
            int failedLayer = ComputeDirections(workspace, rows, damping, ref failure);
            double predicted = double.NaN;
            double after = double.NaN;
            if (failedLayer < 0)
            {
                predicted = PredictedDecrease(workspace, rows, alpha, stepScale);
                if (double.IsFinite(predicted))
                {
                    ApplyUpdate(T.CreateChecked(stepScale));
                    if (adapt)
                    {
                        Network.ForwardUnchecked(inputs, workspace);
                        after = Network.OutputErrors(targets, workspace, computeErrors: false).Loss;
                    }

                    if (!adapt || double.IsFinite(after))
                    {
                        double rho = double.NaN;
                        double next = damping;
                        if (adapt)
                        {
                            next = AdaptedDamping(Options, damping, before.Loss, after, predicted, out rho);
                        }

                        _controls.Decay(Network, _undoWeights, alpha);
                        _state.Damping = next;
                        _state.StepCount++;
                        _step.CanRollBack = true;
                        return new StepResult(_state.StepCount, before.Loss, before.MeanSquaredError, after, damping, next, rho,
                            retries, Stopwatch.GetElapsedTime(start));
                    }

                    OptimizerBuffers.RestoreWeights(Network, _undoWeights);
                }
            }

            // Failed attempt: weights are as before; raise damping and retry.
            if (retries >= Options.MaxRetries || _state.Damping >= Options.MaxDamping)
            {
                _state = _undo;
                RestoreRunningCurvature();
                RestoreVelocity();
                _step.CanRollBack = false; // the undo buffers now hold the current state
                throw StepFailure(failedLayer, failure, predicted, after, damping, retries);
            }

            retries++;
            _state.Damping = Math.Min(_state.Damping * Options.DampingIncrease, Options.MaxDamping);
            _state.Refresh = _undo.Refresh; // the retry folds this batch into the running inverses afresh
            RestoreRunningCurvature();
            Network.ForwardUnchecked(inputs, workspace); // activations again, for the covariances
        }
    }

    /// <inheritdoc/>
    public void Rollback()
    {
        using ReentrancyGuard.Scope busy = _step.EnterRollback(this);

        OptimizerBuffers.RestoreWeights(Network, _undoWeights);
        _state = _undo;
        RestoreRunningCurvature();
        RestoreVelocity();
    }

    /// <summary>
    /// Floating-point operations of one successful <see cref="Step"/> on a batch of
    /// <paramref name="batchSize"/> examples with <see cref="CurvatureInverse.Cholesky"/> inverses
    /// (NaN for Sherman-Morrison, whose rank-1 updates and periodic refreshes vary from step to step, and
    /// likewise for amortized curvature or damping adaptation, <see cref="NaturalGradientOptions.InverseUpdatePeriod"/>
    /// or <see cref="NaturalGradientOptions.DampingAdaptationInterval"/> &gt; 1).
    /// </summary>
    /// <remarks>
    /// Per layer, with <c>a</c> inputs (bias included), <c>b</c> outputs, <c>n</c> = inputs without the
    /// bias, M examples and S = K M sampled errors: forward 2Mab, again for the Eq. 21 re-evaluation
    /// when the damping adapts; gradient 2Mab; true and sampled propagation to the layer below
    /// 2Mbn and 2Sbn (not below the first layer); each side of Eq. 20 as the optimizer chooses it
    /// (<see cref="NaturalGradientOptions.SampleSpace"/>): in covariance space the SYRK <c>M a(a+1)</c>,
    /// the Cholesky <c>a^3/3</c> and two triangular solves <c>2 a^2 b</c> (error side: <c>S b(b+1)</c>,
    /// <c>b^3/3</c>, <c>2 b^2 a</c>); in sample space the Gram SYRK <c>M(M+1) a</c>, the Cholesky
    /// <c>M^3/3</c>, two products <c>4Mab</c> and two triangular solves <c>2 M^2 b</c>; then the
    /// predicted-decrease dot and the update, 4ab; with momentum the curvature of the previous
    /// velocity, per side <c>2 b a^2</c> (error side <c>2 b^2 a</c>) in covariance space or <c>4 M a b</c>
    /// (<c>4 S a b</c>) in sample space, and the velocity and its dots, 6ab. Frozen
    /// layers count their forward and propagation only. A full output covariance adds the products with
    /// <c>S = SigmaT^-1</c> and its factor, <c>2 M n_L^2</c> and <c>2 S n_L^2</c>. Element-wise work
    /// (activations, derivatives, sampling) is not counted.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public double FlopsPerStep(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (Options.Inverse != CurvatureInverse.Cholesky || Amortized || Options.DampingAdaptationInterval > 1)
        {
            return double.NaN;
        }

        double m = batchSize;
        double samples = m * _sizing.SampleCount;
        double total = 0;
        for (int l = 0; l < _layers.Length; l++)
        {
            double a = _layers[l].InputWidth, b = _layers[l].OutputWidth, n = Network.Widths[l];
            total += (Options.AdaptiveDamping ? 4 : 2) * m * a * b; // forwards
            total += l > 0 ? 2 * (m + samples) * b * n : 0; // true and sampled propagation
            if (_controls.IsFrozen(l))
            {
                continue; // no gradient block, curvature or update
            }

            total += 2 * m * a * b; // gradient
            total += SideFlops(Options.SampleSpace, batchSize, (int)a, b);
            total += SideFlops(Options.SampleSpace, (int)samples, (int)b, a);
            total += 4 * a * b; // dot and update
            total += Options.Momentum > 0 ? MomentumFlops(batchSize, (int)samples, (int)a, (int)b) : 0; // q(P) and the velocity
        }

        if (!Network.IsIsotropicOutput)
        {
            double outputs = Network.OutputSize;
            total += 2 * (m + samples) * outputs * outputs;
        }

        return total;

        double MomentumFlops(int rows, int sampled, int a, int b)
        {
            bool inputSample = LayerCurvature<T>.UsesSampleSpace(Options.SampleSpace, rows, a, b);
            bool errorSample = LayerCurvature<T>.UsesSampleSpace(Options.SampleSpace, sampled, b, a);
            return (inputSample ? 4.0 * rows * a * b : 2.0 * b * a * a) + (errorSample ? 4.0 * sampled * a * b : 2.0 * b * b * a)
                + (6.0 * a * b);
        }

        static double SideFlops(SampleSpacePolicy policy, int count, int width, double other)
        {
            double k = count, w = width;
            bool sample = policy == SampleSpacePolicy.Always
                || (policy == SampleSpacePolicy.Auto && LayerCurvature<T>.PreferSampleSpace(count, width, (int)other));
            return sample
                ? (k * (k + 1) * w) + (k * k * k / 3) + (4 * k * w * other) + (2 * k * k * other)
                : (k * w * (w + 1)) + (w * w * w / 3) + (2 * w * w * other);
        }
    }

    /// <summary>
    /// Direction <c>N_l = (LambdaT + dI)^-1 G (Lambda + dI)^-1</c> of layer <paramref name="layer"/>
    /// from the last step or <see cref="ComputeDirections(ReadOnlySpan2D{T}, ReadOnlySpan2D{T})"/>
    /// (the update is <c>(alpha/L) N_l</c>).
    /// </summary>
    internal ReadOnlySpan2D<T> Direction(int layer) => _layers[layer].Direction.ReadOnlySpan;

    internal LayerCurvature<T> Curvature(int layer) => _layers[layer];

    internal long ExamplesSinceRefresh => _state.Refresh.ExamplesSinceRefresh;

    internal double DecayPerExample => 1.0 - (1.0 / Options.Window);

    /// <summary>Statistics and directions for a batch, without updating the weights (tests).</summary>
    internal void ComputeDirections(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        using ReentrancyGuard.Scope busy = _step.Guard.Enter(this);
        NetworkWorkspace<T> workspace = Prepare(inputs.Height);
        Network.CheckBatch(inputs, targets, workspace);
        ComputeStatistics(inputs, targets, workspace);
        CholeskyFailure failure = default;
        int failed = ComputeDirections(workspace, inputs.Height, _state.Damping, ref failure);
        if (failed >= 0)
        {
            throw StepFailure(failed, failure, double.NaN, double.NaN, _state.Damping, 0);
        }
    }

    private NetworkWorkspace<T> Prepare(int rows)
    {
        OptimizerMemory.CheckBatch<T, NaturalGradientOptions, NaturalGradientOptimizer<T>>(ref _step.CheckedRows, Network, _sizing, rows, "inputs");

        NetworkWorkspace<T> workspace = OptimizerBuffers.EnsureWorkspace(Network, ref _step.Workspace, rows, _sizing.SampleCount);
        int sampled = workspace.Capacity * _sizing.SampleCount;
        if (Options.Inverse == CurvatureInverse.ShermanMorrison && (_scratch is null || _scratch.Rows < sampled))
        {
            _scratch = new Matrix<T>(sampled, _maxWidth);
        }

        return workspace;
    }

    /// <summary>Forward, true-target backward (gradients), K sampled backward passes.</summary>
    private LossValues ComputeStatistics(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets, NetworkWorkspace<T> workspace)
    {
        int rows = inputs.Height;
        Network.ForwardUnchecked(inputs, workspace);
        LossValues loss = Network.OutputErrors(targets, workspace, computeErrors: true);

        // The K sampled output errors go under the true ones (rows [rows, (1 + K) rows)), and one
        // backward pass propagates all of them; none on a step that leaves the running covariances be.
        // The exact Fisher puts the n_L columns of a square root of the output Fisher there instead,
        // scaled by sqrt(n_L) so that the covariance of the n_L M rows, E^T E / (n_L M), is the average
        // over examples of the exact expectation.
        int blocks = UpdatesCurvatureAt(_state.StepCount) ? _sizing.SampleCount : 0;
        if (Options.Fisher == FisherEstimate.Exact)
        {
            T scale = T.Sqrt(T.CreateChecked(blocks));
            for (int j = 0; j < blocks; j++)
            {
                Network.FisherOutputErrors(workspace, workspace.Errors, (1 + j) * rows, rows, j, scale);
            }
        }
        else
        {
            for (int k = 1; k <= blocks; k++)
            {
                Network.SampleOutputErrors(ref _state.Generator, workspace, workspace.Errors, k * rows, rows);
            }
        }

        Network.Backpropagate(workspace, workspace.Errors, 0, rows, 1 + blocks);
        _gradientsPending = true; // computed with the directions, on the layer split when there is one
        return loss;
    }

    /// <summary>Fills every layer's direction; returns the failing layer or -1.</summary>
    private int ComputeDirections(NetworkWorkspace<T> workspace, int rows, double damping, ref CholeskyFailure failure)
    {
        T d = T.CreateChecked(Math.Sqrt(damping));
        bool sherman = Options.Inverse == CurvatureInverse.ShermanMorrison;
        bool refresh = false;
        if (sherman)
        {
            ref RefreshSchedule schedule = ref _state.Refresh;
            refresh = double.IsNaN(schedule.RefreshedDamping) || damping != schedule.RefreshedDamping
                || schedule.StepsSinceRefresh + 1 >= Options.RefreshInterval;
        }

        if (!sherman)
        {
            return Amortized ? AmortizedDirections(workspace, rows, damping, ref failure)
                : CholeskyDirections(workspace, rows, d, ref failure);
        }

        int failed = ShermanMorrisonDirections(workspace, rows, d, refresh, ref failure);
        if (failed >= 0)
        {
            return failed;
        }

        if (sherman)
        {
            _state.Refresh = refresh
                ? new RefreshSchedule { RefreshedDamping = damping }
                : new RefreshSchedule
                {
                    RefreshedDamping = _state.Refresh.RefreshedDamping,
                    StepsSinceRefresh = _state.Refresh.StepsSinceRefresh + 1,
                    ExamplesSinceRefresh = _state.Refresh.ExamplesSinceRefresh + rows,
                };
        }

        return -1;
    }

    /// <summary>
    /// The damping after Eq. 21: <c>rho</c> = (loss before - loss after) / predicted decrease; lambda
    /// shrinks above <see cref="NaturalGradientOptions.UpperRho"/>, grows below
    /// <see cref="NaturalGradientOptions.LowerRho"/> (also for a NaN rho), and stays when rho is
    /// rounding (within a few units in the last place of <typeparamref name="T"/> at the loss); the result
    /// is clamped to the damping bounds. The one rule the local and the data-parallel steps share.
    /// </summary>
    /// <param name="options">The damping bounds, factors and thresholds.</param>
    /// <param name="damping">The damping <c>lambda</c> of the step.</param>
    /// <param name="before">The loss before the update.</param>
    /// <param name="after">The loss after the update, on the same batch.</param>
    /// <param name="predicted">The decrease the quadratic model predicts.</param>
    /// <param name="rho">The ratio of the actual to the predicted decrease.</param>
    /// <returns>The damping of the next step.</returns>
    public static double AdaptedDamping(NaturalGradientOptions options, double damping, double before, double after,
        double predicted, out double rho)
    {
        ArgumentNullException.ThrowIfNull(options);
        rho = (before - after) / predicted;
        double next = Resolved(before, after, predicted)
            ? rho > options.UpperRho ? damping * options.DampingDecrease
            : rho >= options.LowerRho ? damping
            : damping * options.DampingIncrease // also NaN rho
            : damping;
        return Math.Clamp(next, options.MinDamping, options.MaxDamping);
    }

    /// <summary>
    /// Whether <c>rho</c> of Eq. 21 says anything: false when the actual change
    /// <c>|before - after|</c> or the predicted decrease is within <see cref="LossResolutionUlps"/>
    /// units in the last place of <typeparamref name="T"/> at the loss.
    /// </summary>
    /// <remarks>
    /// Near a minimum in float the update falls below the weights' last bit, the loss stops changing
    /// (after == before exactly) and <c>rho</c> reads 0, or 0/0, or the quotient of two rounding
    /// errors. Eq. 21 would take that as a failed step and raise <c>lambda</c> by 3/2 every step up to
    /// <see cref="NaturalGradientOptions.MaxDamping"/> for no reason the model gave; the damping is
    /// kept instead. Both tests are needed: with Sherman-Morrison inverses the damping inside the
    /// running inverses decays between refreshes, so a prediction kept below the resolution by a
    /// large lambda grows back above it while the loss still does not move, and a test on the
    /// prediction alone ratchets lambda up once per refresh cycle. Steps whose loss changes and
    /// prediction both exceed the resolution follow Eq. 21 unchanged.
    /// </remarks>
    internal static bool Resolved(double before, double after, double predicted)
    {
        double resolution = LossResolutionUlps * Epsilon * Math.Abs(before);
        return Math.Abs(before - after) > resolution && Math.Abs(predicted) > resolution;
    }

    /// <summary>Units in the last place of the loss below which a change is rounding (Eq. 21 guard).</summary>
    internal const double LossResolutionUlps = 4;

    /// <summary>Machine epsilon of <typeparamref name="T"/> (not <c>T.Epsilon</c>, the smallest subnormal).</summary>
    private static readonly double Epsilon = double.CreateTruncating(T.BitIncrement(T.One) - T.One);

    /// <summary><c>W += scale N</c>, or <c>W += scale V</c> with momentum, on the trained layers.</summary>
    /// <remarks>
    /// Weights are not scanned here: a finite direction can still overflow the element type, which
    /// the adaptive after-loss catches, and otherwise the step guard of NgdKernel.Training does.
    /// </remarks>
    private void ApplyUpdate(T scale)
    {
        foreach (int l in _controls.TrainedLayers)
        {
            Span<T> w = Network.WeightMatrix(l).AsSpan();
            Span<T> step = _velocity is null ? _layers[l].Direction.AsSpan() : _velocity[l].AsSpan();
            TensorPrimitives.MultiplyAdd<T>(step, scale, w, w);
        }
    }

    /// <summary>The undo point of the Sherman-Morrison running covariances and inverses.</summary>
    private void SaveRunningCurvature()
    {
        if (Amortized)
        {
            bool covariances = UpdatesCurvatureAt(_state.StepCount);
            foreach (LayerCurvature<T> layer in _layers)
            {
                layer.SaveAmortizedState(covariances);
            }
        }
        else if (Options.Inverse == CurvatureInverse.ShermanMorrison)
        {
            foreach (LayerCurvature<T> layer in _layers)
            {
                layer.SaveRunningState();
            }
        }
    }

    private void RestoreRunningCurvature()
    {
        if (HasRunningCurvature)
        {
            foreach (LayerCurvature<T> layer in _layers)
            {
                layer.RestoreRunningState();
            }
        }
    }
}
