using System.Globalization;

namespace NgdKernel.Optimizers;

/// <summary>How <see cref="NaturalGradientOptimizer{T}"/> applies the damped inverse covariances.</summary>
public enum CurvatureInverse
{
    /// <summary>A fresh Cholesky factorization of each damped batch covariance every step (Eq. 20 exactly).</summary>
    Cholesky = 0,

    /// <summary>
    /// Running estimates of <c>(Lambda_i + d I)^-1</c> and <c>(LambdaT_i + d I)^-1</c> updated by
    /// Sherman-Morrison rank-1 steps per example (paper Sec. 7), refreshed by Cholesky every
    /// <see cref="NaturalGradientOptions.RefreshInterval"/> steps and whenever the damping changes.
    /// Between refreshes, a side of width n whose batch brings m samples with <c>3m &gt;= n</c> gets the
    /// same running inverse (decayed damping included) by Cholesky, which then costs less than m
    /// rank-1 updates.
    /// </summary>
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
