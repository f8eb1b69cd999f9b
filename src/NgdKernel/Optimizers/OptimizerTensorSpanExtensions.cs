namespace NgdKernel.Optimizers;

/// <summary>
/// <see cref="IOptimizer{T}.Step"/> over System.Numerics.Tensors spans, for every optimizer: the
/// minibatch is viewed in place (no copy, no allocation), so the step is bit-identical to the
/// span overload's.
/// </summary>
public static class OptimizerTensorSpanExtensions
{
    /// <summary>One training step on a minibatch held in tensor spans.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="inputs">Rank 2, <c>[batch, n_0]</c>, column stride 1 and any row stride of at least n_0 (see <see cref="TensorSpan2D"/>).</param>
    /// <param name="targets">Rank 2, <c>[batch, n_L]</c>, column stride 1.</param>
    /// <returns>As <see cref="IOptimizer{T}.Step"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A tensor is not a rank-2 row-major view, or as <see cref="IOptimizer{T}.Step"/>: shapes do not
    /// match the network, or a value is NaN or infinite.
    /// </exception>
    /// <exception cref="OptimizerStepException">As <see cref="IOptimizer{T}.Step"/>.</exception>
    public static StepResult Step<T>(this IOptimizer<T> optimizer, in ReadOnlyTensorSpan<T> inputs, in ReadOnlyTensorSpan<T> targets)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return optimizer.Step(inputs.AsReadOnlySpan2D(nameof(inputs)), targets.AsReadOnlySpan2D(nameof(targets)));
    }
}
