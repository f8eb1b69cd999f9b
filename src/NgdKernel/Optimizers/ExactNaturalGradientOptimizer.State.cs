namespace NgdKernel.Optimizers;

// Checkpoint access to the state that carries from one step to the next (NgdKernel.Checkpoints).
public sealed partial class ExactNaturalGradientOptimizer<T>
{
    internal void GetGeneratorState(Span<ulong> state4) => _rng.GetState(state4);

    /// <summary>Restores step count and sampling generator of a checkpoint; clears the undo point.</summary>
    internal void RestoreState(long stepCount, ReadOnlySpan<ulong> generator)
    {
        using ReentrancyGuard.Scope busy = _step.Guard.Enter(this);
        StepCount = stepCount;
        _rng.SetState(generator);
        _step.CanRollBack = false;
    }
}
