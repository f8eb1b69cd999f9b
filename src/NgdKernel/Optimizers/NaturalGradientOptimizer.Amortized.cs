using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;
using NgdKernel.Networks;

namespace NgdKernel.Optimizers;

// Amortized curvature (NaturalGradientOptions.InverseUpdatePeriod, DampingAdaptationInterval):
// the schedule of refreshes and damping adaptations, and the layer loop between them.
public sealed partial class NaturalGradientOptimizer<T>
{
    /// <summary>Set by a retry: its damping was raised, so the inverses must be refactored with it.</summary>
    private bool _forceRefresh;

    /// <summary>Whether the Cholesky inverses are kept between refreshes (<see cref="NaturalGradientOptions.InverseUpdatePeriod"/> &gt; 1).</summary>
    internal bool Amortized => Options.InverseUpdatePeriod > 1 && Options.Inverse == CurvatureInverse.Cholesky;

    /// <summary>Whether the layers hold running covariances and inverses that carry from step to step (and into checkpoints).</summary>
    internal bool HasRunningCurvature => Amortized || Options.Inverse == CurvatureInverse.ShermanMorrison;

    /// <summary>
    /// Whether the step that follows <paramref name="stepCount"/> successful ones adapts the damping
    /// by Eq. 21: every step by default, else the last of each <see cref="NaturalGradientOptions.DampingAdaptationInterval"/>.
    /// </summary>
    internal bool AdaptsDampingAt(long stepCount) =>
        Options.AdaptiveDamping
        && (Options.DampingAdaptationInterval == 1 || (stepCount + 1) % Options.DampingAdaptationInterval == 0);

    /// <summary>
    /// Directions from the kept inverses (<see cref="LayerCurvature{T}.AmortizedDirection"/>), every
    /// layer in turn: refreshed before the first step, every <see cref="NaturalGradientOptions.InverseUpdatePeriod"/>
    /// steps after, and on a retry. Returns the first failing layer or -1.
    /// </summary>
    private int AmortizedDirections(NetworkWorkspace<T> workspace, int rows, double damping, ref CholeskyFailure failure)
    {
        RefreshSchedule schedule = _state.Refresh;
        bool refresh = _forceRefresh || double.IsNaN(schedule.RefreshedDamping)
            || schedule.StepsSinceRefresh + 1 >= Options.InverseUpdatePeriod;
        T d = T.CreateChecked(Math.Sqrt(damping));
        T decay = T.CreateChecked(Options.CurvatureDecay);
        UsedLayerSplit = false;
        EnsureGradients(workspace, rows);
        int samples = rows * Options.SampleCount;
        for (int l = 0; l < _layers.Length; l++)
        {
            LayerCurvature<T> layer = _layers[l];
            ReadOnlySpan2D<T> inputs = workspace.Activations[l].ReadOnlySpan.Slice(0, 0, rows, layer.InputWidth);
            ReadOnlySpan2D<T> errors = workspace.Errors[l].ReadOnlySpan.Slice(rows, 0, samples, layer.OutputWidth);
            if (!layer.AmortizedDirection(inputs, errors, workspace.Gradients[l].ReadOnlySpan, d, decay, refresh,
                Network.Context, out failure))
            {
                return l;
            }
        }

        _state.Refresh = refresh
            ? new RefreshSchedule { RefreshedDamping = damping }
            : new RefreshSchedule
            {
                RefreshedDamping = schedule.RefreshedDamping,
                StepsSinceRefresh = schedule.StepsSinceRefresh + 1,
                ExamplesSinceRefresh = schedule.ExamplesSinceRefresh + rows,
            };
        return -1;
    }
}
