namespace NgdKernel.Optimizers;

// Checkpoint access to the Sherman-Morrison running state (NgdKernel.Checkpoints).
internal sealed partial class LayerCurvature<T>
{
    /// <summary>
    /// Restores the running-estimate flags of a checkpoint; the matrices (<see cref="InputCovariance"/>,
    /// <see cref="ErrorCovariance"/>, <see cref="InputFactor"/>, <see cref="ErrorFactor"/>) are written by the caller.
    /// </summary>
    public void RestoreRunningFlags(bool initialized, double inputEffectiveDamping, double errorEffectiveDamping)
    {
        Initialized = initialized;
        InputEffectiveDamping = inputEffectiveDamping;
        ErrorEffectiveDamping = errorEffectiveDamping;
    }
}
