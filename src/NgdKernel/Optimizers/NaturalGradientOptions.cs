namespace NgdKernel.Optimizers;

/// <summary>How <see cref="NaturalGradientOptimizer{T}"/> applies the damped inverse covariances.</summary>
public enum CurvatureInverse
{
    /// <summary>A fresh Cholesky factorization of each damped batch covariance every step (Eq. 20 exactly).</summary>
    Cholesky = 0,

    /// <summary>
    /// Running estimates of <c>(Lambda_i + d I)^-1</c> and <c>(LambdaT_i + d I)^-1</c> over a window of
    /// examples (<see cref="NaturalGradientOptions.Window"/>), updated by Sherman-Morrison rank-1 steps
    /// per example (paper Sec. 7), refreshed by Cholesky every
    /// <see cref="NaturalGradientOptions.RefreshInterval"/> steps and whenever the damping changes.
    /// Between refreshes, a side of width n whose batch brings m samples gets the same running inverse
    /// (decayed damping included) by Cholesky unless <c>m &lt;= 3</c> or <c>8m &lt; n</c>, the measured
    /// crossover below which the rank-1 updates take less time.
    /// </summary>
    /// <remarks>
    /// What it is: a different curvature estimate (a running average over the window instead of the
    /// batch), not a faster way to the same one. Its step also applies explicit inverses and updates the
    /// running covariances, so it is never cheaper per step than <see cref="Cholesky"/>, which solves
    /// small batches in sample space; to spend less on curvature per step, use
    /// <see cref="NaturalGradientOptions.InverseUpdatePeriod"/>.
    /// </remarks>
    ShermanMorrison = 1,
}

/// <summary>When <see cref="NaturalGradientOptimizer{T}"/> uses the sample-space (Woodbury) form.</summary>
public enum SampleSpacePolicy
{
    /// <summary>Per layer and side, whichever of covariance or sample space costs fewer flops.</summary>
    Auto = 0,

    /// <summary>Always the covariance-space form (n x n Cholesky).</summary>
    Never = 1,

    /// <summary>Always the sample-space form (batch x batch Cholesky), for tests and benchmarks.</summary>
    Always = 2,
}

/// <summary>Options of the damped online natural gradient (paper Eq. 20-21).</summary>
/// <remarks>
/// Paper symbols: <c>alpha</c> = <see cref="LearningRate"/>, <c>K</c> = <see cref="SampleCount"/>,
/// <c>lambda_0</c> = <see cref="InitialDamping"/>; both covariances get <c>sqrt(lambda) I</c>.
/// Every option is checked by <see cref="Validate"/>; messages name the option and value.
/// </remarks>
public sealed record NaturalGradientOptions : IValidatedOptions
{
    /// <summary>
    /// Learning rate <c>alpha</c> &gt; 0 (the step is <c>alpha / L</c> times the direction). Default 1.
    /// With <see cref="AdaptiveDamping"/> it must be below 2: the quadratic model of Eq. 21 predicts a
    /// decrease <c>(1 - alpha/2) sum tr(dW^T G)</c> only for <c>alpha &lt; 2</c>.
    /// </summary>
    public double LearningRate { get; init; } = 1.0;

    /// <summary>Backward passes with model-sampled targets per step, <c>K</c> &gt;= 1. Default 1 (the paper's).</summary>
    public int SampleCount { get; init; } = 1;

    /// <summary>
    /// The error covariance of Eq. 20: K sampled backward passes (<see cref="FisherEstimate.Sampled"/>,
    /// the default and the paper's) or the exact expectation over the output density (with
    /// <see cref="CurvatureInverse.Cholesky"/> only).
    /// </summary>
    public FisherEstimate Fisher { get; init; } = FisherEstimate.Sampled;

    /// <summary>Initial damping <c>lambda_0</c> &gt; 0. Default 1 (the authors use 1e-2 for deep linear nets, 1 for MNIST).</summary>
    public double InitialDamping { get; init; } = 1.0;

    /// <summary>Lower bound of <c>lambda</c> (&gt; 0). Default 1e-8.</summary>
    public double MinDamping { get; init; } = 1e-8;

    /// <summary>Upper bound of <c>lambda</c>. Default 1e8.</summary>
    public double MaxDamping { get; init; } = 1e8;

    /// <summary>
    /// Whether <c>lambda</c> adapts by Eq. 21 (costs one extra forward pass per step). Default true.
    /// A step whose loss change or predicted decrease is within 4 units in the last place of the loss
    /// (in the element type) leaves <c>lambda</c> unchanged: <c>rho</c> is then rounding, not a measure
    /// of the quadratic model.
    /// </summary>
    public bool AdaptiveDamping { get; init; } = true;

    /// <summary>Factor on <c>lambda</c> when <c>rho</c> &lt; <see cref="LowerRho"/> (or is NaN). Default 3/2.</summary>
    public double DampingIncrease { get; init; } = 1.5;

    /// <summary>Factor on <c>lambda</c> when <c>rho</c> &gt; <see cref="UpperRho"/>. Default 2/3.</summary>
    public double DampingDecrease { get; init; } = 2.0 / 3.0;

    /// <summary>Eq. 21 lower threshold on <c>rho</c>. Default 0.25.</summary>
    public double LowerRho { get; init; } = 0.25;

    /// <summary>Eq. 21 upper threshold on <c>rho</c>. Default 0.75.</summary>
    public double UpperRho { get; init; } = 0.75;

    /// <summary>Inverse strategy. Default <see cref="CurvatureInverse.Cholesky"/>.</summary>
    public CurvatureInverse Inverse { get; init; } = CurvatureInverse.Cholesky;

    /// <summary>Sample-space (Woodbury) policy for the Cholesky inverse. Default <see cref="SampleSpacePolicy.Auto"/>.</summary>
    public SampleSpacePolicy SampleSpace { get; init; } = SampleSpacePolicy.Auto;

    /// <summary>
    /// Sherman-Morrison: the running covariances forget with <c>beta = 1 - 1/Window</c> per example.
    /// Default 1000 examples (the paper's batch size).
    /// </summary>
    public int Window { get; init; } = 1000;

    /// <summary>Sherman-Morrison: steps between Cholesky refreshes of the running inverses. Default 10.</summary>
    public int RefreshInterval { get; init; } = 10;

    /// <summary>
    /// Amortized curvature (Cholesky inverses): steps between refreshes of the damped inverses, as
    /// kfac-jax's <c>inverse_update_period</c>. Default 1: a fresh factorization of the batch
    /// covariances every step (Eq. 20 exactly). With T &gt; 1 each layer keeps running covariances,
    /// <c>C &lt;- beta C + (1 - beta) &lt;x x^T&gt;</c> with <c>beta</c> = <see cref="CurvatureDecay"/>, updated
    /// every step from the batch's activations and sampled errors (or every <see cref="CurvatureUpdatePeriod"/>
    /// steps); every T steps each layer factors them with the damping of that step and inverts them, and
    /// the steps in between apply the kept inverses by two products, without a factorization or a solve.
    /// The first step and a retry (whose damping was raised) refresh every layer; otherwise layer l
    /// refreshes on the steps whose count modulo T is <c>(2l + 1) T / (2L)</c>, staggered so that a step
    /// refactors about L / T layers instead of all L every T-th step, which keeps the tail of the step
    /// time near its median. A layer's inverses therefore carry the damping of its own last refresh.
    /// Checkpoints carry the running covariances, the inverses and the phase, so a run resumed mid-period
    /// continues bit-identically. Must be 1 with <see cref="CurvatureInverse.ShermanMorrison"/>, which
    /// has its own <see cref="RefreshInterval"/>.
    /// </summary>
    public int InverseUpdatePeriod { get; init; } = 1;

    /// <summary>
    /// Amortized curvature: steps between updates of the running covariances, as kfac-jax's
    /// <c>curvature_update_period</c>. Default 1: every step. With T<sub>c</sub> &gt; 1 only the steps whose
    /// count is a multiple of T<sub>c</sub> draw the K sampled targets, propagate their errors and fold both
    /// covariances in; the others cost a forward and a true-target backward pass, the two products per
    /// layer and the update. Any value &gt; 1 selects the amortized form even with
    /// <see cref="InverseUpdatePeriod"/> = 1.
    /// </summary>
    public int CurvatureUpdatePeriod { get; init; } = 1;

    /// <summary>
    /// Steps between damping adaptations (Eq. 21), as kfac-jax's <c>damping_adaptation_interval</c>.
    /// Default 1: every step. With T &gt; 1 the damping adapts on the last step of each period of T steps
    /// (step counts T - 1, 2T - 1, ...), so that a refresh at the same period length factors with the
    /// new damping at once; the other steps skip the after-update forward pass of Eq. 21 and keep
    /// <c>lambda</c>. Needs <see cref="AdaptiveDamping"/> to have any effect.
    /// </summary>
    public int DampingAdaptationInterval { get; init; } = 1;

    /// <summary>
    /// Amortized curvature: weight <c>beta</c> in [0, 1) of the old running covariance per step,
    /// <c>C &lt;- beta C + (1 - beta) &lt;x x^T&gt;</c> (the first step takes the batch's). Default 0.95, as
    /// kfac-jax's <c>curvature_ema</c>: the estimate averages over about 1 / (1 - beta) = 20 batches.
    /// Used only in the amortized form (<see cref="InverseUpdatePeriod"/> or <see cref="CurvatureUpdatePeriod"/> &gt; 1).
    /// </summary>
    public double CurvatureDecay { get; init; } = 0.95;

    /// <summary>
    /// Times a step whose update or loss is not finite, or whose damped covariance is not positive
    /// definite, is undone and retried with damping raised by <see cref="DampingIncrease"/>. Default 4.
    /// </summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>Seed of the model-sampled targets. Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Bytes the optimizer may allocate (its buffers and the network workspace, not the network's
    /// weights), checked at construction and at the first step of each batch size before anything is
    /// allocated; beyond it a <see cref="MemoryLimitException"/> names the layer width, batch size or
    /// <see cref="SampleCount"/> that sizes the largest buffer. Null (the default) means
    /// <see cref="MemoryEstimate.DefaultLimit"/>, 75 % of the memory available to the process.
    /// <see cref="NaturalGradientOptimizer{T}.EstimateMemory"/> lists the buffers.
    /// </summary>
    public long? MemoryLimit { get; init; }

    /// <summary>Whether the Cholesky inverses are kept between refreshes from running covariances.</summary>
    internal bool AmortizedCurvature =>
        Inverse == CurvatureInverse.Cholesky && (InverseUpdatePeriod > 1 || CurvatureUpdatePeriod > 1);

    /// <summary>
    /// How <c>lambda</c> is put on the two covariances: <see cref="DampingForm.Paper"/> (default,
    /// <c>sqrt(lambda)</c> on both) or <see cref="DampingForm.Factored"/> (K-FAC's pi split, invariant to
    /// the scale of the output covariance when <c>lambda</c> scales with the Fisher; Cholesky inverses only).
    /// </summary>
    public DampingForm DampingForm { get; init; } = DampingForm.Paper;

    /// <summary>
    /// Learning-rate schedule: the step after t steps uses <c>LearningRate * Schedule.Factor(t)</c> as
    /// its <c>alpha</c>, in the update and in the Eq. 21 prediction (with <see cref="AdaptiveDamping"/>
    /// each scheduled alpha must be below 2). Null (default): constant.
    /// </summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>
    /// Momentum <c>mu</c> in [0, 1) on the preconditioned direction (as K-FAC): <c>V = mu V + N</c>,
    /// <c>dW = (alpha/L) V</c>, with the Eq. 21 predicted decrease that of the step actually taken
    /// under the same quadratic model (see <see cref="NaturalGradientOptimizer{T}"/>). Default 0.
    /// Cholesky inverses only.
    /// </summary>
    public double Momentum { get; init; }

    /// <summary>
    /// Decoupled weight decay <c>wd</c> &gt;= 0: after the update (and after the Eq. 21 loss, which
    /// measures the natural-gradient step alone), <c>W -= alpha wd W_before</c>. Default 0.
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>
    /// 0-based layers that are not trained: no update, and no gradient block, covariance, factorization
    /// or solve for them (the errors still pass through them to the layers below). The other layers
    /// take the steps they would take anyway (the <c>1/L</c> of Eq. 20 keeps the network's L). Null
    /// or empty (default): every layer trains.
    /// </summary>
    public IReadOnlyList<int>? FrozenLayers { get; init; }

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The message names the option and its value.</exception>
    public void Validate()
    {
        Positive(LearningRate, nameof(LearningRate));
        if (AdaptiveDamping && !(LearningRate < 2))
        {
            throw Range(nameof(LearningRate), LearningRate,
                "with AdaptiveDamping it must be < 2, where the quadratic model predicts a decrease (set AdaptiveDamping = false for larger steps)");
        }

        if (SampleCount < 1)
        {
            throw Range(nameof(SampleCount), SampleCount, "it must be >= 1");
        }

        if (!Enum.IsDefined(Fisher))
        {
            throw Range(nameof(Fisher), Fisher, "not a FisherEstimate");
        }

        if (Fisher == FisherEstimate.Exact && Inverse == CurvatureInverse.ShermanMorrison)
        {
            // The running covariances forget row by row, and the exact Fisher's rows come in n_L blocks
            // of different output columns: the last blocks of a batch would outweigh the first ones.
            throw Range(nameof(Fisher), Fisher,
                "the exact Fisher needs CurvatureInverse.Cholesky (Sherman-Morrison's running covariances forget row by row, which weights the exact Fisher's blocks of output columns unequally)");
        }

        Positive(InitialDamping, nameof(InitialDamping));
        Positive(MinDamping, nameof(MinDamping));
        Positive(MaxDamping, nameof(MaxDamping));
        if (!(MinDamping <= InitialDamping && InitialDamping <= MaxDamping))
        {
            throw Range(nameof(InitialDamping), InitialDamping,
                string.Create(CultureInfo.InvariantCulture, $"it must lie in [MinDamping, MaxDamping] = [{MinDamping}, {MaxDamping}]"));
        }

        if (!(DampingIncrease > 1) || !double.IsFinite(DampingIncrease))
        {
            throw Range(nameof(DampingIncrease), DampingIncrease, "it must be finite and > 1");
        }

        if (!(DampingDecrease > 0 && DampingDecrease < 1))
        {
            throw Range(nameof(DampingDecrease), DampingDecrease, "it must be in (0, 1)");
        }

        if (!(LowerRho <= UpperRho) || !double.IsFinite(LowerRho) || !double.IsFinite(UpperRho))
        {
            throw Range(nameof(LowerRho), LowerRho,
                string.Create(CultureInfo.InvariantCulture, $"it must be finite and <= UpperRho ({UpperRho})"));
        }

        if (!Enum.IsDefined(Inverse))
        {
            throw Range(nameof(Inverse), Inverse, "not a CurvatureInverse");
        }

        if (!Enum.IsDefined(SampleSpace))
        {
            throw Range(nameof(SampleSpace), SampleSpace, "not a SampleSpacePolicy");
        }

        if (Window < 2)
        {
            throw Range(nameof(Window), Window, "it must be >= 2");
        }

        if (RefreshInterval < 1)
        {
            throw Range(nameof(RefreshInterval), RefreshInterval, "it must be >= 1");
        }

        if (InverseUpdatePeriod < 1)
        {
            throw Range(nameof(InverseUpdatePeriod), InverseUpdatePeriod, "it must be >= 1");
        }

        if (InverseUpdatePeriod > 1 && Inverse == CurvatureInverse.ShermanMorrison)
        {
            throw Range(nameof(InverseUpdatePeriod), InverseUpdatePeriod,
                "it must be 1 with Sherman-Morrison inverses, which refresh every RefreshInterval steps");
        }

        if (CurvatureUpdatePeriod < 1)
        {
            throw Range(nameof(CurvatureUpdatePeriod), CurvatureUpdatePeriod, "it must be >= 1");
        }

        if (CurvatureUpdatePeriod > 1 && Inverse == CurvatureInverse.ShermanMorrison)
        {
            throw Range(nameof(CurvatureUpdatePeriod), CurvatureUpdatePeriod,
                "it must be 1 with Sherman-Morrison inverses, which fold every batch into their running inverses");
        }

        if (DampingAdaptationInterval < 1)
        {
            throw Range(nameof(DampingAdaptationInterval), DampingAdaptationInterval, "it must be >= 1");
        }

        if (!(CurvatureDecay >= 0 && CurvatureDecay < 1))
        {
            throw Range(nameof(CurvatureDecay), CurvatureDecay, "it must be in [0, 1)");
        }

        if (MaxRetries < 0)
        {
            throw Range(nameof(MaxRetries), MaxRetries, "it must be >= 0");
        }

        if (!Enum.IsDefined(DampingForm))
        {
            throw Range(nameof(DampingForm), DampingForm, "not a DampingForm");
        }

        if (DampingForm == DampingForm.Factored && Inverse != CurvatureInverse.Cholesky)
        {
            throw Range(nameof(DampingForm), DampingForm,
                "factored damping changes the damping of each side every step, which the running inverses cannot follow: use Inverse = Cholesky");
        }

        if (DampingForm == DampingForm.Factored && AmortizedCurvature)
        {
            throw Range(nameof(DampingForm), DampingForm,
                "factored damping needs the per-step inverses (InverseUpdatePeriod = CurvatureUpdatePeriod = 1)");
        }

        if (Momentum > 0 && AmortizedCurvature)
        {
            throw Range(nameof(Momentum), Momentum,
                "momentum's predicted decrease needs every step's curvature (InverseUpdatePeriod = CurvatureUpdatePeriod = 1)");
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw Range(nameof(Momentum), Momentum, "it must be in [0, 1)");
        }

        if (Momentum > 0 && Inverse != CurvatureInverse.Cholesky)
        {
            throw Range(nameof(Momentum), Momentum,
                "momentum needs the batch's curvature for its Eq. 21 prediction, which the Sherman-Morrison running inverses do not hold: use Inverse = Cholesky");
        }

        OptimizerControls.Validate(WeightDecay, FrozenLayers);
        OptimizerMemory.ValidateLimit(MemoryLimit);
    }

    /// <summary>
    /// The options the buffers are sized by: with the exact Fisher, n_L blocks of errors per example
    /// stand where the K sampled ones do.
    /// </summary>
    internal NaturalGradientOptions Sizing(int outputWidth) =>
        Fisher == FisherEstimate.Exact && SampleCount != outputWidth ? this with { SampleCount = outputWidth } : this;

    internal static void Positive(double value, string name)
    {
        if (!double.IsFinite(value) || !(value > 0))
        {
            throw Range(name, value, "it must be finite and > 0");
        }
    }

    internal static ArgumentOutOfRangeException Range(string name, object value, string rule) =>
        new(name, value, string.Create(CultureInfo.InvariantCulture, $"'{name}' is {value}: {rule}."));
}
