namespace NgdKernel.Optimizers;

// Checkpoint access to the state that carries from one step to the next (NaturalGradientState and
// the layers' running curvature). Everything else in the optimizer is per-step scratch or the
// one-level undo copy.
public sealed partial class NaturalGradientOptimizer<T>
{
    internal int CurvatureLayerCount => _layers.Length;

    /// <summary>
    /// The inverse mode a checkpoint records: <see cref="CurvatureInverse"/>'s value, or
    /// <see cref="AmortizedCheckpointMode"/> for Cholesky inverses kept between refreshes.
    /// </summary>
    internal byte CheckpointMode => Amortized ? AmortizedCheckpointMode : (byte)Options.Inverse;

    /// <summary>Checkpoint mode of Cholesky inverses with <see cref="NaturalGradientOptions.InverseUpdatePeriod"/> &gt; 1.</summary>
    internal const byte AmortizedCheckpointMode = 2;

    /// <summary>
    /// Copies the state of the generator of the sampled targets (step 3 of Eq. 20) into
    /// <paramref name="state4"/>: what data-parallel workers start each step's samples from.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="state4"/> is not 4 values long.</exception>
    public void GetGeneratorState(Span<ulong> state4) => _state.Generator.GetState(state4);

    /// <summary>
    /// Sets the state a step carries to the next, as a checkpoint of a run stepped elsewhere (a
    /// data-parallel run) records it: the step count, the damping <c>lambda</c> of the next step and
    /// the generator of the sampled targets. Running inverses, if any, are refreshed at the next step.
    /// Clears the undo point.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The step count is negative, or the damping is not
    /// in [<see cref="NaturalGradientOptions.MinDamping"/>, <see cref="NaturalGradientOptions.MaxDamping"/>].</exception>
    /// <exception cref="ArgumentException"><paramref name="generator"/> is not 4 values, or all zero.</exception>
    public void RestoreState(long stepCount, double damping, ReadOnlySpan<ulong> generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        if (!(damping >= Options.MinDamping && damping <= Options.MaxDamping))
        {
            throw new ArgumentOutOfRangeException(nameof(damping), damping, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"'damping' is {damping}: it must be in [MinDamping, MaxDamping] = [{Options.MinDamping}, {Options.MaxDamping}]."));
        }

        // Validates the generator state before anything changes.
        var validated = default(Xoshiro256);
        validated.SetState(generator);
        RestoreState(stepCount, damping, generator, double.NaN, 0, 0);
    }

    /// <summary>Sherman-Morrison bookkeeping: damping of the last refresh (NaN before the first), steps and examples since.</summary>
    internal (double RefreshedDamping, int StepsSinceRefresh, long ExamplesSinceRefresh) RefreshState =>
        (_state.Refresh.RefreshedDamping, _state.Refresh.StepsSinceRefresh, _state.Refresh.ExamplesSinceRefresh);

    /// <summary>
    /// Restores the scalar state of a checkpoint (values validated by the caller); the running
    /// inverses are written through <see cref="Curvature"/>. Clears the undo point.
    /// </summary>
    internal void RestoreState(long stepCount, double damping, ReadOnlySpan<ulong> generator,
        double refreshedDamping, int stepsSinceRefresh, long examplesSinceRefresh)
    {
        using ReentrancyGuard.Scope busy = _step.Guard.Enter(this);
        _state.StepCount = stepCount;
        _state.Damping = damping;
        _state.Generator.SetState(generator);
        _state.Refresh = new RefreshSchedule
        {
            RefreshedDamping = refreshedDamping,
            StepsSinceRefresh = stepsSinceRefresh,
            ExamplesSinceRefresh = examplesSinceRefresh,
        };
        _step.CanRollBack = false;
    }
}
