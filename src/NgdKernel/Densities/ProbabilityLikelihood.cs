namespace NgdKernel.Densities;

/// <summary>
/// A density whose parameter is a vector of probabilities <c>p(x_L)</c> computed row by row
/// (categorical softmax, Bernoulli sigmoid): sampling, the output Fisher's square-root columns and
/// predictions all start from <c>p</c>, so each is one loop here over the density's row operations.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal abstract class ProbabilityLikelihood<T> : OutputLikelihood<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public sealed override void Sample(Network<T> network, ref Xoshiro256 rng, NetworkWorkspace<T> workspace, Matrix<T> errors,
        int offset, int rows)
    {
        ReadOnlySpan2D<T> output = Outputs(network, workspace, rows);
        Span2D<T> target = errors.Span.Slice(offset, 0, rows, output.Width);
        for (int r = 0; r < rows; r++)
        {
            Span<T> e = target.GetRowSpan(r);
            Probabilities(output.GetRowSpan(r), e);
            SampledError(ref rng, e);
        }
    }

    public sealed override void FisherColumn(Network<T> network, NetworkWorkspace<T> workspace, Matrix<T> errors, int offset, int rows,
        int column, T scale)
    {
        ReadOnlySpan2D<T> output = Outputs(network, workspace, rows);
        Span2D<T> target = errors.Span.Slice(offset, 0, rows, output.Width);
        for (int r = 0; r < rows; r++)
        {
            Span<T> e = target.GetRowSpan(r);
            Probabilities(output.GetRowSpan(r), e);
            FisherColumn(e, column, scale);
        }
    }

    public sealed override ReadOnlySpan2D<T> Predict(Network<T> network, NetworkWorkspace<T> workspace, int rows)
    {
        ReadOnlySpan2D<T> output = Outputs(network, workspace, rows);
        Span2D<T> probabilities = workspace.Difference.Span.Slice(0, 0, rows, output.Width);
        for (int r = 0; r < rows; r++)
        {
            Probabilities(output.GetRowSpan(r), probabilities.GetRowSpan(r));
        }

        return probabilities;
    }

    /// <summary><c>p</c> of one example from its output row <paramref name="logits"/>.</summary>
    protected abstract void Probabilities(ReadOnlySpan<T> logits, Span<T> p);

    /// <summary>Replaces <paramref name="p"/> by the output error of a target drawn from the model.</summary>
    protected abstract void SampledError(ref Xoshiro256 rng, Span<T> p);

    /// <summary>Replaces <paramref name="p"/> by <paramref name="scale"/> times column <paramref name="column"/> of a square root of the output Fisher.</summary>
    protected abstract void FisherColumn(Span<T> p, int column, T scale);

    /// <summary>The network outputs <c>x_L</c>, rows <c>[0, rows)</c>.</summary>
    protected static ReadOnlySpan2D<T> Outputs(Network<T> network, NetworkWorkspace<T> workspace, int rows) =>
        workspace.Activations[network.LayerCount].ReadOnlySpan.Slice(0, 0, rows, network.OutputSize);
}
