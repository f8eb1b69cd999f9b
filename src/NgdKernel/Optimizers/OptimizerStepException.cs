namespace NgdKernel.Optimizers;

/// <summary>
/// An optimizer step failed on a non-finite or not positive definite quantity; the message names
/// the layer and the quantity. Optimizers throw it after restoring the state they had before the
/// step (the weights, damping and generator as before it).
/// </summary>
/// <remarks>
/// Read <see cref="Quantity"/> and <see cref="Layer"/> rather than the message: the message is for
/// people and may change. A failed factorization is the derived
/// <see cref="CurvatureFactorizationException"/>, which adds the pivot.
/// </remarks>
public class OptimizerStepException : ArithmeticException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="quantity">What was bad.</param>
    /// <param name="layer">0-based layer of the bad quantity, or -1 when it belongs to no single layer.</param>
    /// <param name="damping">The damping <c>lambda</c> of the failed attempt, or NaN for optimizers without damping.</param>
    /// <param name="retries">Retries the optimizer made before giving up.</param>
    /// <param name="message">The message, naming the layer and the quantity.</param>
    /// <param name="innerException">The cause, if any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is below -1 or <paramref name="retries"/> is negative.</exception>
    public OptimizerStepException(StepQuantity quantity, int layer, double damping, int retries, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layer, -1);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        Quantity = quantity;
        Layer = layer;
        Damping = damping;
        Retries = retries;
    }

    /// <summary>Creates the exception.</summary>
    public OptimizerStepException()
        : this(StepQuantity.Update, -1, double.NaN, 0, "An optimizer step failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public OptimizerStepException(string message)
        : this(StepQuantity.Update, -1, double.NaN, 0, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public OptimizerStepException(string message, Exception innerException)
        : this(StepQuantity.Update, -1, double.NaN, 0, message, innerException)
    {
    }

    /// <summary>What was bad.</summary>
    public StepQuantity Quantity { get; }

    /// <summary>0-based layer of the bad quantity, or -1 when it belongs to no single layer.</summary>
    public int Layer { get; }

    /// <summary>The damping <c>lambda</c> of the failed attempt, or NaN for optimizers without damping.</summary>
    public double Damping { get; }

    /// <summary>Retries the optimizer made before giving up (0 when it does not retry).</summary>
    public int Retries { get; }
}
