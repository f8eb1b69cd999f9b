namespace NgdKernel.Optimizers;

/// <summary>
/// The values that carry one natural-gradient step to the next, apart from the weights and the
/// Sherman-Morrison running covariances (which each <see cref="LayerCurvature{T}"/> holds). A value
/// type: the optimizer's one-level undo is a copy of it, taken before each step and copied back by
/// a failed step or <see cref="NaturalGradientOptimizer{T}.Rollback"/>.
/// </summary>
internal struct NaturalGradientState
{
    /// <summary>Successful steps so far.</summary>
    public long StepCount;

    /// <summary>The damping <c>lambda</c> of the next step (Eq. 21 adapts it).</summary>
    public double Damping;

    /// <summary>The generator of the targets sampled from the model (step 3 of Eq. 20).</summary>
    public Xoshiro256 Generator;

    /// <summary>When the Sherman-Morrison running inverses were last refreshed by Cholesky.</summary>
    public RefreshSchedule Refresh;
}

/// <summary>Sherman-Morrison bookkeeping: the damping of the last Cholesky refresh (NaN before the
/// first) and the steps and examples since.</summary>
internal struct RefreshSchedule
{
    public double RefreshedDamping;
    public int StepsSinceRefresh;
    public long ExamplesSinceRefresh;
}
