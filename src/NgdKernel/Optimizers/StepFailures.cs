using System.Diagnostics.CodeAnalysis;

namespace NgdKernel.Optimizers;

/// <summary>The optimizers' shared failure reports (cold path: built only once a step has failed).</summary>
internal static class StepFailures
{
    /// <summary>
    /// Explains a non-finite batch loss before the update: an <see cref="ArgumentException"/> for the
    /// first NaN or infinity in <paramref name="inputs"/> or <paramref name="targets"/> (row and
    /// column), an <see cref="OptimizerStepException"/> of <see cref="StepQuantity.Weights"/> for the
    /// first one in the weights, otherwise one of <see cref="StepQuantity.Loss"/> (the outputs overflowed).
    /// </summary>
    [DoesNotReturn]
    public static void ThrowNonFiniteLoss<T>(Network<T> network, ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets,
        double loss, double damping = double.NaN)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Network<T>.CheckFinite(inputs, nameof(inputs));
        Network<T>.CheckFinite(targets, nameof(targets));
        if (network.FindNonFiniteWeight() is { } bad)
        {
            throw new OptimizerStepException(StepQuantity.Weights, bad.Layer, damping, 0, string.Create(CultureInfo.InvariantCulture,
                $"The weights of layer {bad.Layer} hold {bad.Value} at [{bad.Row}, {bad.Column}]."));
        }

        throw new OptimizerStepException(StepQuantity.Loss, -1, damping, 0, string.Create(CultureInfo.InvariantCulture,
            $"The batch loss is {loss} although inputs, targets and weights are finite: the outputs overflowed."));
    }
}
