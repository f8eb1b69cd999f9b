namespace NgdKernel.Optimizers;

// Amortized curvature (NaturalGradientOptions.InverseUpdatePeriod, CurvatureUpdatePeriod,
// DampingAdaptationInterval): the schedule of covariance updates, refreshes and damping adaptations,
// and the layer loop between them.
public sealed partial class NaturalGradientOptimizer<T>
{
    /// <summary>Set by a retry: its damping was raised, so every layer must refactor with it.</summary>
    private bool _forceRefresh;

    /// <summary>Whether the Cholesky inverses are kept between refreshes (<see cref="NaturalGradientOptions.AmortizedCurvature"/>).</summary>
    internal bool Amortized => Options.AmortizedCurvature;

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
    /// Whether the step that follows <paramref name="stepCount"/> successful ones samples targets and
    /// folds its statistics into the covariances: always, except in the amortized form with
    /// <see cref="NaturalGradientOptions.CurvatureUpdatePeriod"/> &gt; 1, where the multiples of it do.
    /// </summary>
    internal bool UpdatesCurvatureAt(long stepCount) =>
        !Amortized || Options.CurvatureUpdatePeriod == 1 || stepCount % Options.CurvatureUpdatePeriod == 0;

    /// <summary>
    /// The phase within the refresh period at which layer <paramref name="layer"/> refreshes, the
    /// middle of its share of the period, <c>(2l + 1) T / (2L)</c>: the refreshes spread evenly, and
    /// when T &gt;= 2L none falls on phase 0 (where the statistics are taken with
    /// <see cref="NaturalGradientOptions.CurvatureUpdatePeriod"/> = T) or on phase T - 1 (where the
    /// damping adapts with <see cref="NaturalGradientOptions.DampingAdaptationInterval"/> = T), so
    /// no step carries two of the periodic costs.
    /// </summary>
    internal int RefreshPhase(int layer) =>
        (int)(((2L * layer) + 1) * Options.InverseUpdatePeriod / (2L * _layers.Length));

    /// <summary>
    /// Directions from the kept inverses (<see cref="LayerCurvature{T}.AmortizedDirection"/>), every
    /// layer in turn. The phase is the step count modulo <see cref="NaturalGradientOptions.InverseUpdatePeriod"/>;
    /// the first step and a retry refresh every layer, any other step the layers of its phase
    /// (<see cref="RefreshPhase"/>). Returns the first failing layer or -1.
    /// </summary>
    private int AmortizedDirections(NetworkWorkspace<T> workspace, int rows, double damping, ref CholeskyFailure failure)
    {
        RefreshSchedule schedule = _state.Refresh;
        bool all = _forceRefresh || double.IsNaN(schedule.RefreshedDamping);
        int phase = (int)(_state.StepCount % Options.InverseUpdatePeriod);
        bool accumulate = UpdatesCurvatureAt(_state.StepCount);
        T d = T.CreateChecked(Math.Sqrt(damping));
        T decay = T.CreateChecked(Options.CurvatureDecay);
        UsedLayerSplit = false;
        EnsureGradients(workspace, rows);
        int samples = rows * Options.SampleCount;
        bool any = false;
        foreach (int l in _controls.TrainedLayers)
        {
            LayerCurvature<T> layer = _layers[l];
            ReadOnlySpan2D<T> inputs = BatchInputs(workspace, layer, l, rows);
            ReadOnlySpan2D<T> errors = SampledErrors(workspace, layer, l, rows, samples);
            bool refresh = all || RefreshPhase(l) == phase;
            any |= refresh;
            if (!layer.AmortizedDirection(inputs, errors, workspace.Gradients[l].ReadOnlySpan, d, decay, accumulate, refresh,
                Network.Context, out failure))
            {
                return l;
            }
        }

        _state.Refresh = new RefreshSchedule
        {
            RefreshedDamping = any ? damping : schedule.RefreshedDamping,
            StepsSinceRefresh = phase,
            ExamplesSinceRefresh = all ? 0 : schedule.ExamplesSinceRefresh + rows,
        };
        return -1;
    }
}
