namespace NgdKernel.Networks;

/// <summary>
/// Preallocated activations, errors and gradients of one <see cref="Network{T}"/> for batches of up
/// to <see cref="Capacity"/> examples. Forward and backward passes write only here.
/// </summary>
/// <remarks>
/// Layout (row-major, one example per row): <c>Activations[l]</c> is <c>x_l</c> as
/// <c>[Capacity, n_l (+1)]</c>, where the extra last column holds the constant 1 of a folded bias
/// (set once here and never overwritten). <c>Errors[l]</c> is <c>e_{l+1}</c> as
/// <c>[Capacity, n_{l+1}]</c> (times 1 + K for a natural-gradient optimizer's K sampled passes); <c>Gradients[l]</c> is the negative gradient
/// <c>G_{l+1} = &lt;e x^T&gt;</c> (Eq. 7-8) with the shape of the weights. A workspace is not thread-safe; use one per concurrent caller.
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed class NetworkWorkspace<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <param name="network">The network.</param>
    /// <param name="capacity">Largest batch.</param>
    /// <param name="sampleCount">
    /// Sampled backward passes K stacked under the true one in <see cref="Errors"/>: rows
    /// <c>[0, M)</c> hold the true errors of a batch of M, rows <c>[M, M + K M)</c> the sampled ones, so one
    /// product per layer propagates all of them.
    /// </param>
    internal NetworkWorkspace(Network<T> network, int capacity, int sampleCount = 0)
    {
        Capacity = capacity;
        int layers = network.LayerCount;
        Activations = new Matrix<T>[layers + 1];
        Errors = new Matrix<T>[layers];
        Gradients = new Matrix<T>[layers];
        for (int l = 0; l <= layers; l++)
        {
            int width = network.Widths[l] + (network.HasBias && l < layers ? 1 : 0);
            Activations[l] = new Matrix<T>(capacity, width);
            if (network.HasBias && l < layers)
            {
                Span2D<T> span = Activations[l].Span;
                for (int r = 0; r < capacity; r++)
                {
                    span[r, width - 1] = T.One;
                }
            }
        }

        for (int l = 0; l < layers; l++)
        {
            Errors[l] = new Matrix<T>(capacity * (1 + sampleCount), network.Widths[l + 1]);
            Gradients[l] = new Matrix<T>(network.Widths[l + 1], network.InputWidth(l));
        }

        Difference = new Matrix<T>(capacity, network.Widths[layers]);
    }

    /// <summary>Largest batch this workspace holds.</summary>
    public int Capacity { get; }

    internal Matrix<T>[] Activations { get; }

    internal Matrix<T>[] Errors { get; }

    internal Matrix<T>[] Gradients { get; }

    /// <summary><c>y - x_L</c>, or standard normal draws during sampled passes.</summary>
    internal Matrix<T> Difference { get; }

    /// <summary>Network output <c>x_L</c> of the last forward pass, <c>[rows, n_L]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is not in [0, <see cref="Capacity"/>].</exception>
    public ReadOnlySpan2D<T> Output(int rows)
    {
        if ((uint)rows > (uint)Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, string.Create(CultureInfo.InvariantCulture,
                $"'rows' is {rows} but the workspace holds {Capacity} examples: it must be in [0, {Capacity}]."));
        }

        return Activations[^1].ReadOnlySpan.Slice(0, 0, rows, Activations[^1].Columns);
    }

    /// <summary><see cref="Output"/> as a dense tensor span <c>[rows, n_L]</c>; rows already checked.</summary>
    internal ReadOnlyTensorSpan<T> OutputTensor(int rows)
    {
        Matrix<T> output = Activations[^1];
        int columns = output.Columns;
        return new ReadOnlyTensorSpan<T>(output.AsSpan()[..(rows * columns)], [rows, columns], [columns, 1]);
    }

    /// <summary>
    /// The negative loss gradient of layer <paramref name="layer"/>'s weights from the last
    /// <see cref="Network{T}.ComputeGradient(CommunityToolkit.HighPerformance.ReadOnlySpan2D{T}, CommunityToolkit.HighPerformance.ReadOnlySpan2D{T}, NetworkWorkspace{T})"/>: <c>G_i = -dL/dW_i = &lt;e_i x_{i-1}^T&gt;</c> (paper
    /// Eq. 7-8, <c>i = layer + 1</c>), averaged over the batch, <c>[n_{l+1}, n_l (+1)]</c> like the weights.
    /// </summary>
    /// <remarks>
    /// The sign is the paper's: <c>e_i</c> are the back-propagated output errors <c>y - x_L</c>, so this
    /// block is the steepest-descent direction, and SGD's update is <c>W_i += alpha G_i</c>. Negate it
    /// for <c>dL/dW_i</c>. A view into the workspace, valid until its next pass.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not a layer of the network.</exception>
    public ReadOnlySpan2D<T> NegativeGradient(int layer)
    {
        Network<T>.CheckLayer(layer, Gradients.Length);
        return Gradients[layer].ReadOnlySpan;
    }
}
