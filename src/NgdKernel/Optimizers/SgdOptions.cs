namespace NgdKernel.Optimizers;

/// <summary>Options of <see cref="SgdOptimizer{T}"/>.</summary>
public sealed record SgdOptions : IValidatedOptions
{
    /// <summary>Learning rate <c>alpha</c> &gt; 0. Default 0.01.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Heavy-ball momentum <c>mu</c> in [0, 1). Default 0 (plain SGD, the paper's baseline).</summary>
    public double Momentum { get; init; }

    /// <summary>
    /// Bytes the optimizer may allocate (its buffers and the network workspace, not the network's
    /// weights), checked at construction and at the first step of each batch size before anything is
    /// allocated; beyond it a <see cref="MemoryLimitException"/> names the layer width or batch size that
    /// sizes the largest buffer. Null (the default) means <see cref="MemoryEstimate.DefaultLimit"/>, 75 % of
    /// the memory available to the process. <see cref="SgdOptimizer{T}.EstimateMemory"/> lists the buffers.
    /// </summary>
    public long? MemoryLimit { get; init; }

    /// <summary>
    /// Learning-rate schedule: the step after t steps uses <c>LearningRate * Schedule.Factor(t)</c>
    /// (outside the velocity: <c>V = mu V + G; W += alpha_t V</c>). Null (default): constant.
    /// </summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>
    /// Decoupled weight decay <c>wd</c> &gt;= 0 (not added to the gradient or the velocity):
    /// <c>W -= alpha_t wd W_before</c> with each step. Default 0.
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>0-based layers that are not updated (nor their velocity). Null or empty (default): every layer trains.</summary>
    public IReadOnlyList<int>? FrozenLayers { get; init; }

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The message names the option and its value.</exception>
    public void Validate()
    {
        if (!double.IsFinite(LearningRate) || !(LearningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate,
                string.Create(CultureInfo.InvariantCulture, $"'{nameof(LearningRate)}' is {LearningRate}: it must be finite and > 0."));
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum,
                string.Create(CultureInfo.InvariantCulture, $"'{nameof(Momentum)}' is {Momentum}: it must be in [0, 1)."));
        }

        OptimizerMemory.ValidateLimit(MemoryLimit);
        OptimizerControls.Validate(WeightDecay, FrozenLayers);
    }
}
