namespace NgdKernel.Networks;

// A network is saved and loaded by NgdKernel.Checkpoints.Checkpoint (Save(path or stream, network),
// LoadNetwork, Load(..., network)): the one checksummed format, for weights alone or with an
// optimizer's state. It lives a layer above Networks, which knows nothing of files.
public sealed partial class Network<T>
{
    /// <summary>Copies the weights of layer <paramref name="layer"/> into <paramref name="destination"/>.</summary>
    /// <param name="layer">0-based layer.</param>
    /// <param name="destination"><c>[n_{l+1}, n_l (+1)]</c>, the shape of <see cref="Weights(int)"/>, any row pitch.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not in [0, <see cref="LayerCount"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has another shape.</exception>
    public void CopyWeights(int layer, Span2D<T> destination)
    {
        CheckLayer(layer, LayerCount);
        Matrix<T> weights = _weights[layer];
        if (destination.Height != weights.Rows || destination.Width != weights.Columns)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'destination' is {destination.Height}x{destination.Width} but the weights of layer {layer} are {weights.Rows}x{weights.Columns}: it must be {weights.Rows}x{weights.Columns}."),
                nameof(destination));
        }

        weights.Span.CopyTo(destination);
    }
}
