using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;

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

    internal void GetGeneratorState(Span<ulong> state4) => _state.Generator.GetState(state4);

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
        using ReentrancyGuard.Scope busy = _guard.Enter(this);
        _state.StepCount = stepCount;
        _state.Damping = damping;
        _state.Generator.SetState(generator);
        _state.Refresh = new RefreshSchedule
        {
            RefreshedDamping = refreshedDamping,
            StepsSinceRefresh = stepsSinceRefresh,
            ExamplesSinceRefresh = examplesSinceRefresh,
        };
        _canRollBack = false;
    }
}
