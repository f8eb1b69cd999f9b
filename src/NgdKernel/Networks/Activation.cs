namespace NgdKernel.Networks;

/// <summary>The element-wise nonlinearity <c>phi_i</c> of a layer (paper Eq. 1).</summary>
public enum Activation
{
    /// <summary><c>phi(z) = z</c>, the deep linear network of the paper's theory.</summary>
    Identity = 0,

    /// <summary><c>phi(z) = tanh(z)</c>, the paper's nonlinear MNIST autoencoder.</summary>
    Tanh = 1,

    /// <summary><c>phi(z) = 1 / (1 + exp(-z))</c>.</summary>
    Logistic = 2,

    /// <summary><c>phi(z) = max(z, 0)</c>; its derivative at 0 is taken as 0.</summary>
    Relu = 3,
}

/// <summary>Forward application and derivative of <see cref="Activation"/>, in place on rows.</summary>
/// <remarks>
/// Derivatives are computed from the layer's <em>output</em> <c>x = phi(z)</c>, so the forward pass
/// keeps only the outputs: tanh' = 1 - x^2, logistic' = x (1 - x), relu' = [x &gt; 0].
/// </remarks>
internal static class ActivationFunctions
{
    public static void Apply<T>(Activation activation, Span<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Identity:
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh<T>(values, values);
                break;
            case Activation.Logistic:
                TensorPrimitives.Sigmoid<T>(values, values);
                break;
            case Activation.Relu:
                TensorPrimitives.Max<T>(values, T.Zero, values);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary><c>error[j] *= phi'(z_j)</c> with <c>output[j] = phi(z_j)</c>.</summary>
    public static void MultiplyByDerivative<T>(Activation activation, ReadOnlySpan<T> output, Span<T> error)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Identity:
                break;
            case Activation.Tanh:
                Kernels.VectorMath.TanhBackward<T>(output, error, error);
                break;
            case Activation.Logistic:
                for (int j = 0; j < error.Length; j++)
                {
                    T x = output[j];
                    error[j] *= x * (T.One - x);
                }

                break;
            case Activation.Relu:
                for (int j = 0; j < error.Length; j++)
                {
                    if (!(output[j] > T.Zero))
                    {
                        error[j] = T.Zero;
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }
}
