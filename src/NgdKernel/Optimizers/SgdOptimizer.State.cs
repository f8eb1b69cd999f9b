namespace NgdKernel.Optimizers;

// Checkpoint access to the state that carries from one step to the next (NgdKernel.Checkpoints).
public sealed partial class SgdOptimizer<T>
{
    /// <summary>Momentum buffers <c>V</c> (one per layer, shaped like the weights), or null without momentum.</summary>
    internal Matrix<T>[]? Velocity => _velocity;

    /// <summary>Restores the step count of a checkpoint (velocity is written by the caller); clears the undo point.</summary>
    internal void RestoreState(long stepCount)
    {
        using ReentrancyGuard.Scope busy = _guard.Enter(this);
        StepCount = stepCount;
        _canRollBack = false;
    }
}
