using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;

namespace NgdKernel.Optimizers;

// Checkpoint access to the state that carries from one step to the next (NgdKernel.Checkpoints).
// Everything else in the optimizer is per-step scratch or the one-level undo copy.
public sealed partial class NaturalGradientOptimizer<T>
{
    internal int CurvatureLayerCount => _layers.Length;

    internal void GetGeneratorState(Span<ulong> state4) => _rng.GetState(state4);

    /// <summary>Sherman-Morrison bookkeeping: damping of the last refresh (NaN before the first), steps and examples since.</summary>
    internal (double RefreshedDamping, int StepsSinceRefresh, long ExamplesSinceRefresh) RefreshState =>
        (_refreshedDamping, _stepsSinceRefresh, _examplesSinceRefresh);

    /// <summary>
    /// Restores the scalar state of a checkpoint (values validated by the caller); the running
    /// inverses are written through <see cref="Curvature"/>. Clears the undo point.
    /// </summary>
    internal void RestoreState(long stepCount, double damping, ReadOnlySpan<ulong> generator,
        double refreshedDamping, int stepsSinceRefresh, long examplesSinceRefresh)
    {
        using ReentrancyGuard.Scope busy = _guard.Enter(this);
        StepCount = stepCount;
        _damping = damping;
        _rng.SetState(generator);
        _refreshedDamping = refreshedDamping;
        _stepsSinceRefresh = stepsSinceRefresh;
        _examplesSinceRefresh = examplesSinceRefresh;
        _canRollBack = false;
    }
}
