namespace NgdKernel.Training;

// Overloads over System.Numerics.Tensors spans: the data set is viewed in place (no copy, no
// allocation), so an epoch or an evaluation is bit-identical to the span overload's.
public sealed partial class Trainer<T>
{
    /// <summary>
    /// One pass over a data set held in tensor spans, in minibatches of <see cref="TrainerOptions.BatchSize"/>,
    /// one optimizer step each.
    /// </summary>
    /// <param name="inputs">Rank 2, <c>[examples, n_0]</c>, column stride 1 and any row stride of at least n_0 (see <see cref="TensorSpan2D"/>).</param>
    /// <param name="targets">Rank 2, <c>[examples, n_L]</c>, column stride 1.</param>
    /// <returns>As the span overload.</returns>
    /// <exception cref="ArgumentException">A tensor is not a rank-2 row-major view, or as the span overload: shapes do not match, or a value is NaN or infinite; nothing changes.</exception>
    public EpochSummary RunEpoch(in ReadOnlyTensorSpan<T> inputs, in ReadOnlyTensorSpan<T> targets) =>
        RunEpoch(inputs.AsReadOnlySpan2D(nameof(inputs)), targets.AsReadOnlySpan2D(nameof(targets)));

    /// <summary>
    /// One pass over a data set held in tensor spans, stopped between two steps when
    /// <paramref name="cancellationToken"/> is cancelled (see the span overload with a token).
    /// </summary>
    /// <param name="inputs">Rank 2, <c>[examples, n_0]</c>, column stride 1 and any row stride of at least n_0 (see <see cref="TensorSpan2D"/>).</param>
    /// <param name="targets">Rank 2, <c>[examples, n_L]</c>, column stride 1.</param>
    /// <param name="cancellationToken">Looked at before each step.</param>
    /// <returns>As the span overload.</returns>
    /// <exception cref="ArgumentException">As the overload without a token.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the state is that after the last completed step.</exception>
    public EpochSummary RunEpoch(in ReadOnlyTensorSpan<T> inputs, in ReadOnlyTensorSpan<T> targets, CancellationToken cancellationToken) =>
        RunEpoch(inputs.AsReadOnlySpan2D(nameof(inputs)), targets.AsReadOnlySpan2D(nameof(targets)), cancellationToken);

    /// <summary>Loss of the current network on a data set held in tensor spans, in batches of <see cref="TrainerOptions.EvaluationBatchSize"/>.</summary>
    /// <param name="inputs">Rank 2, <c>[examples, n_0]</c>, column stride 1 (see <see cref="TensorSpan2D"/>).</param>
    /// <param name="targets">Rank 2, <c>[examples, n_L]</c>, column stride 1.</param>
    /// <returns>As the span overload.</returns>
    /// <exception cref="ArgumentException">A tensor is not a rank-2 row-major view, or as the span overload.</exception>
    public LossValues Evaluate(in ReadOnlyTensorSpan<T> inputs, in ReadOnlyTensorSpan<T> targets) =>
        Evaluate(inputs.AsReadOnlySpan2D(nameof(inputs)), targets.AsReadOnlySpan2D(nameof(targets)));
}
