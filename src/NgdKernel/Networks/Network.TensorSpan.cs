namespace NgdKernel.Networks;

// Overloads over System.Numerics.Tensors spans: inputs and targets are viewed in place as the
// matrix views the span overloads take (no copy, no allocation), so results are bit-identical.
public sealed partial class Network<T>
{
    /// <summary>
    /// Forward pass (Eq. 1) of <paramref name="inputs"/> <c>[batch, n_0]</c> into the workspace.
    /// </summary>
    /// <param name="inputs">Rank 2, <c>[batch, n_0]</c>, column stride 1 and any row stride of at least n_0 (see <see cref="TensorSpan2D"/>).</param>
    /// <param name="workspace">Receives every layer's activations.</param>
    /// <returns>The output <c>x_L</c> as a dense <c>[batch, n_L]</c> tensor span over the workspace.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="inputs"/> is not a rank-2 row-major view, its shape does not match, it holds NaN or
    /// infinity, or the batch is larger than the workspace.
    /// </exception>
    public ReadOnlyTensorSpan<T> Forward(in ReadOnlyTensorSpan<T> inputs, NetworkWorkspace<T> workspace)
    {
        int rows = Forward(inputs.AsReadOnlySpan2D(nameof(inputs)), workspace).Height;
        return workspace.OutputTensor(rows);
    }

    /// <summary>Loss of a batch (forward pass plus Eq. 6), without touching the weights.</summary>
    /// <param name="inputs">Rank 2, <c>[batch, n_0]</c>, column stride 1 (see <see cref="TensorSpan2D"/>).</param>
    /// <param name="targets">Rank 2, <c>[batch, n_L]</c>, column stride 1.</param>
    /// <param name="workspace">Receives every layer's activations.</param>
    /// <returns>The batch loss.</returns>
    /// <exception cref="ArgumentException">A tensor is not a rank-2 row-major view, a shape does not match, a value is NaN or infinite, or the batch is larger than the workspace.</exception>
    public LossValues Evaluate(in ReadOnlyTensorSpan<T> inputs, in ReadOnlyTensorSpan<T> targets, NetworkWorkspace<T> workspace) =>
        Evaluate(inputs.AsReadOnlySpan2D(nameof(inputs)), targets.AsReadOnlySpan2D(nameof(targets)), workspace);

    /// <summary>
    /// Forward pass, output errors against <paramref name="targets"/> and backward pass (Eq. 7-8):
    /// fills <see cref="NetworkWorkspace{T}.NegativeGradient"/> with <c>G_i = -dL/dW_i = &lt;e_i x_{i-1}^T&gt;</c>
    /// averaged over the batch.
    /// </summary>
    /// <param name="inputs">Rank 2, <c>[batch, n_0]</c>, column stride 1 (see <see cref="TensorSpan2D"/>).</param>
    /// <param name="targets">Rank 2, <c>[batch, n_L]</c>, column stride 1.</param>
    /// <param name="workspace">Receives activations, errors and the negative gradient.</param>
    /// <returns>The batch loss before any update.</returns>
    /// <exception cref="ArgumentException">A tensor is not a rank-2 row-major view, a shape does not match, a value is NaN or infinite, or the batch is larger than the workspace.</exception>
    public LossValues ComputeGradient(in ReadOnlyTensorSpan<T> inputs, in ReadOnlyTensorSpan<T> targets, NetworkWorkspace<T> workspace) =>
        ComputeGradient(inputs.AsReadOnlySpan2D(nameof(inputs)), targets.AsReadOnlySpan2D(nameof(targets)), workspace);
}
