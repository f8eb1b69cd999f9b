namespace NgdKernel.Optimizers;

/// <summary>The quantity found bad in a failed optimizer step.</summary>
public enum StepQuantity
{
    /// <summary>The batch loss before the update (the forward pass overflows).</summary>
    Loss,

    /// <summary>The gradient block <c>G_i</c> of a layer.</summary>
    Gradient,

    /// <summary>The update (natural-gradient direction) of a layer, or the weights it produces.</summary>
    Update,

    /// <summary>The weights of a layer, already not finite before the step.</summary>
    Weights,

    /// <summary>
    /// The damped input covariance <c>Lambda_i + sqrt(lambda) I</c> of a layer (of its activations,
    /// with the bias component) is not positive definite.
    /// </summary>
    InputCovariance,

    /// <summary>
    /// The damped error covariance <c>LambdaT_i + sqrt(lambda) I</c> of a layer (of its sampled
    /// backpropagated errors) is not positive definite.
    /// </summary>
    ErrorCovariance,

    /// <summary>The batch loss after the update.</summary>
    LossAfter,
}
