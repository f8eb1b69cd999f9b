namespace NgdKernel.Optimizers;

// Checkpoint access to the Sherman-Morrison running state (NgdKernel.Checkpoints).
internal sealed partial class LayerCurvature<T>
{
    /// <summary>
    /// Restores the running-estimate flags of a checkpoint; the matrices (<see cref="RightCovariance"/>,
    /// <see cref="LeftCovariance"/>, <see cref="RightFactor"/>, <see cref="LeftFactor"/>) are written by the caller.
    /// </summary>
    public void RestoreRunningFlags(bool initialized, double rightEffectiveDamping, double leftEffectiveDamping)
    {
        Initialized = initialized;
        RightEffectiveDamping = rightEffectiveDamping;
        LeftEffectiveDamping = leftEffectiveDamping;
    }
}
