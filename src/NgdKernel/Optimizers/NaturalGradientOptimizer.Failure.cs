namespace NgdKernel.Optimizers;

// The typed error of a step that failed after the retries (cold path: runs once per failure, after
// the weights were restored, so it may scan buffers and format a message).
public sealed partial class NaturalGradientOptimizer<T>
{
    /// <summary>
    /// The error of the last failed attempt: the factorization of <paramref name="layer"/> (when
    /// &gt;= 0), or else the first layer whose gradient, direction or updated weights are not finite,
    /// or the loss after the update.
    /// </summary>
    private OptimizerStepException StepFailure(int layer, CholeskyFailure failure, double predicted, double after, double damping, int retries)
    {
        if (layer >= 0)
        {
            LayerCurvature<T> curvature = _layers[layer];
            StepQuantity side = curvature.FailedSide;
            bool sampleSpace = Options.Inverse == CurvatureInverse.Cholesky
                && (side == StepQuantity.InputCovariance ? curvature.InputInSampleSpace : curvature.ErrorInSampleSpace);

            return new CurvatureFactorizationException(side, layer, failure.PivotIndex, failure.PivotValue, damping, sampleSpace, retries);
        }

        (StepQuantity quantity, int badLayer) = FindBadUpdate(predicted, after);
        string what = quantity switch
        {
            StepQuantity.Gradient => string.Create(CultureInfo.InvariantCulture, $"the gradient of layer {badLayer} is not finite"),
            StepQuantity.LossAfter => string.Create(CultureInfo.InvariantCulture, $"the loss after the update is {after}"),
            _ when badLayer >= 0 => string.Create(CultureInfo.InvariantCulture,
                $"the update of layer {badLayer} is not finite or overflows its weights"),
            _ => "the update is not finite (NaN or infinity in the direction or the updated weights)",
        };
        return new OptimizerStepException(quantity, badLayer, damping, retries, string.Create(CultureInfo.InvariantCulture,
            $"Natural-gradient step failed after {retries} retries: {what} at damping lambda = {damping}. The weights are as before the step."));
    }

    /// <summary>Which layer made the last attempt's update fail; the weights are the restored ones.</summary>
    private (StepQuantity Quantity, int Layer) FindBadUpdate(double predicted, double after)
    {
        if (_step.Workspace is { } workspace)
        {
            for (int l = 0; l < _layers.Length; l++)
            {
                if (!TensorPrimitives.IsFiniteAll<T>(workspace.Gradients[l].AsSpan()))
                {
                    return (StepQuantity.Gradient, l);
                }
            }
        }

        for (int l = 0; l < _layers.Length; l++)
        {
            if (!TensorPrimitives.IsFiniteAll<T>(_layers[l].Direction.AsSpan()))
            {
                return (StepQuantity.Update, l);
            }
        }

        // A finite direction whose step overflows the weights (W + (alpha/L) N, as ApplyUpdate).
        T scale = T.CreateTruncating(Options.LearningRate / Network.LayerCount);
        for (int l = 0; l < _layers.Length; l++)
        {
            ReadOnlySpan<T> w = Network.WeightMatrix(l).AsSpan();
            ReadOnlySpan<T> d = _layers[l].Direction.AsSpan();
            for (int i = 0; i < w.Length; i++)
            {
                if (!T.IsFinite(w[i] + (scale * d[i])))
                {
                    return (StepQuantity.Update, l);
                }
            }
        }

        return double.IsFinite(predicted) && !double.IsNaN(after) && !double.IsFinite(after)
            ? (StepQuantity.LossAfter, -1)
            : (StepQuantity.Update, -1);
    }
}
