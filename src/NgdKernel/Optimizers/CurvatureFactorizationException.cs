namespace NgdKernel.Optimizers;

/// <summary>
/// The damped covariance of one side of a layer is not positive definite, so its Cholesky
/// factorization failed (LAPACK's <c>dpotrf</c> INFO &gt; 0): the pivot, its value after damping and
/// the damping are given. Thrown by <see cref="NaturalGradientOptimizer{T}"/> after its retries, with
/// the state as before the step.
/// </summary>
/// <remarks>
/// <para><see cref="OptimizerStepException.Quantity"/> is <see cref="StepQuantity.InputCovariance"/>
/// (<c>Lambda_i + sqrt(lambda) I</c>, <c>[in, in]</c> with the bias component) or
/// <see cref="StepQuantity.ErrorCovariance"/> (<c>LambdaT_i + sqrt(lambda) I</c>,
/// <c>[out, out]</c>), the two factors of Eq. 20.</para>
/// <para>In sample space (<see cref="SampleSpace"/>) the matrix factored is the Gram matrix
/// <c>X X^T + m sqrt(lambda) I</c> of the <c>m</c> samples, so <see cref="PivotIndex"/> is a sample
/// (row of the batch, or of the sampled errors) and the diagonal is shifted by <c>m sqrt(lambda)</c>.</para>
/// </remarks>
public sealed class CurvatureFactorizationException : OptimizerStepException
{
    /// <summary>Creates the exception with a message that names the layer, the side, the pivot and the damping.</summary>
    /// <param name="quantity"><see cref="StepQuantity.InputCovariance"/> or <see cref="StepQuantity.ErrorCovariance"/>.</param>
    /// <param name="layer">0-based layer.</param>
    /// <param name="pivotIndex">0-based index of the first pivot that is not positive.</param>
    /// <param name="pivotValue">That pivot after damping: zero, negative, NaN or infinite.</param>
    /// <param name="damping">The optimizer's damping <c>lambda</c> of the failed attempt.</param>
    /// <param name="sampleSpace">Whether the sample-space Gram matrix was factored.</param>
    /// <param name="retries">Retries the optimizer made before giving up.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="quantity"/> is not a covariance, or <paramref name="layer"/> or <paramref name="pivotIndex"/> is negative.</exception>
    public CurvatureFactorizationException(StepQuantity quantity, int layer, int pivotIndex, double pivotValue,
        double damping, bool sampleSpace, int retries)
        : base(quantity, layer, damping, retries, Describe(quantity, layer, pivotIndex, pivotValue, damping, sampleSpace, retries))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfNegative(pivotIndex);
        PivotIndex = pivotIndex;
        PivotValue = pivotValue;
        SampleSpace = sampleSpace;
    }

    /// <summary>Creates the exception.</summary>
    public CurvatureFactorizationException()
        : this("A damped covariance is not positive definite.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public CurvatureFactorizationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CurvatureFactorizationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>0-based index of the first pivot that is not positive (a sample index in sample space).</summary>
    public int PivotIndex { get; }

    /// <summary>That pivot after damping, widened to double: zero, negative, NaN or infinite.</summary>
    public double PivotValue { get; }

    /// <summary>Whether the sample-space Gram matrix <c>X X^T + m sqrt(lambda) I</c> was factored instead of the covariance.</summary>
    public bool SampleSpace { get; }

    private static string Describe(StepQuantity quantity, int layer, int pivotIndex, double pivotValue,
        double damping, bool sampleSpace, int retries)
    {
        string side = quantity switch
        {
            StepQuantity.InputCovariance => "input covariance Lambda (of the activations)",
            StepQuantity.ErrorCovariance => "error covariance LambdaT (of the sampled errors)",
            _ => throw new ArgumentOutOfRangeException(nameof(quantity), quantity,
                "A factorization failure is of the input or the error covariance."),
        };
        string damped = sampleSpace
            ? ", factored in sample space as X X^T + m sqrt(lambda) I (pivot = sample),"
            : ", shifted by sqrt(lambda),";
        return string.Create(CultureInfo.InvariantCulture,
            $"Natural-gradient step failed after {retries} retries: the damped {side}{damped} of layer {layer} is not positive definite (pivot {pivotIndex} = {pivotValue}) at damping lambda = {damping}. The weights are as before the step.");
    }
}
