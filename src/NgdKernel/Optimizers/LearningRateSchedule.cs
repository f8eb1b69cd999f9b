namespace NgdKernel.Optimizers;

/// <summary>
/// A learning-rate schedule: the factor on the optimizer's <c>LearningRate</c> at each step,
/// evaluated once per step from the optimizer's step count (0 for the first step).
/// </summary>
/// <remarks>
/// <para>The step count is the only state a schedule reads, and checkpoints store it: a run resumed
/// from a checkpoint with the same options continues the schedule where it stopped. A
/// <see cref="FromDelegate"/> schedule is code, which a checkpoint cannot hold: the caller passes the
/// same delegate again to the optimizer that loads the checkpoint.</para>
/// <para>Evaluating a schedule allocates nothing (the built-in ones are arithmetic on the step count;
/// a delegate is invoked without boxing). A factor that is negative or not finite stops the step
/// with an <see cref="ArgumentOutOfRangeException"/> naming the step and the value before anything
/// changes.</para>
/// </remarks>
public abstract class LearningRateSchedule
{
    private protected LearningRateSchedule()
    {
    }

    /// <summary>The factor 1 at every step (the default when no schedule is given).</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>
    /// Step decay: <c>factor(t) = gamma^floor(t / stepSize)</c>, the rate multiplied by
    /// <paramref name="gamma"/> every <paramref name="stepSize"/> steps.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> &lt; 1, or <paramref name="gamma"/> not in (0, 1].</exception>
    public static LearningRateSchedule Step(long stepSize, double gamma)
    {
        if (stepSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize,
                string.Create(CultureInfo.InvariantCulture, $"'{nameof(stepSize)}' is {stepSize}: it must be >= 1."));
        }

        if (!(gamma > 0 && gamma <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma,
                string.Create(CultureInfo.InvariantCulture, $"'{nameof(gamma)}' is {gamma}: it must be in (0, 1]."));
        }

        return new StepSchedule(stepSize, gamma);
    }

    /// <summary>
    /// Cosine annealing over <paramref name="totalSteps"/> steps:
    /// <c>factor(t) = f + (1 - f) (1 + cos(pi min(t, T) / T)) / 2</c> with <c>f</c> =
    /// <paramref name="finalFactor"/> and <c>T</c> = <paramref name="totalSteps"/>; <c>f</c> after step T.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="totalSteps"/> &lt; 1, or <paramref name="finalFactor"/> not in [0, 1].</exception>
    public static LearningRateSchedule Cosine(long totalSteps, double finalFactor = 0)
    {
        if (totalSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps,
                string.Create(CultureInfo.InvariantCulture, $"'{nameof(totalSteps)}' is {totalSteps}: it must be >= 1."));
        }

        if (!(finalFactor >= 0 && finalFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(finalFactor), finalFactor,
                string.Create(CultureInfo.InvariantCulture, $"'{nameof(finalFactor)}' is {finalFactor}: it must be in [0, 1]."));
        }

        return new CosineSchedule(totalSteps, finalFactor);
    }

    /// <summary>
    /// A factor computed by <paramref name="factor"/> from the step count, called once per step
    /// (retries of a failed attempt reuse it). Not stored by checkpoints: pass the same delegate to the
    /// optimizer that resumes.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="factor"/> is null.</exception>
    public static LearningRateSchedule FromDelegate(Func<long, double> factor)
    {
        ArgumentNullException.ThrowIfNull(factor);
        return new DelegateSchedule(factor);
    }

    /// <summary>The factor on the learning rate at 0-based step <paramref name="step"/>.</summary>
    public abstract double Factor(long step);

    /// <summary>The rate <c>baseRate * Factor(step)</c>, checked.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The factor is negative or not finite.</exception>
    internal double RateAt(long step, double baseRate)
    {
        double factor = Factor(step);
        if (!(factor >= 0) || !double.IsFinite(factor))
        {
            throw BadFactor(step, factor);
        }

        return baseRate * factor;
    }

    private static ArgumentOutOfRangeException BadFactor(long step, double factor) =>
        new("schedule", factor, string.Create(CultureInfo.InvariantCulture,
            $"The learning-rate schedule gives {factor} at step {step}: a factor must be finite and >= 0. The step was not taken."));

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        public override double Factor(long step) => 1.0;

        public override string ToString() => "constant";
    }

    private sealed class StepSchedule(long stepSize, double gamma) : LearningRateSchedule
    {
        public override double Factor(long step) => Math.Pow(gamma, step / stepSize);

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"step(every {stepSize}, gamma {gamma})");
    }

    private sealed class CosineSchedule(long totalSteps, double finalFactor) : LearningRateSchedule
    {
        public override double Factor(long step)
        {
            double progress = (double)Math.Min(step, totalSteps) / totalSteps;
            return finalFactor + ((1 - finalFactor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"cosine({totalSteps} steps, final {finalFactor})");
    }

    private sealed class DelegateSchedule(Func<long, double> factor) : LearningRateSchedule
    {
        public override double Factor(long step) => factor(step);

        public override string ToString() => "delegate";
    }
}
