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
    /// <summary>
    /// The loop over the examples of <see cref="OutputLikelihood{T}.Loss"/>, one <see cref="RowLoss"/> each; the
    /// probabilities go through the workspace's difference buffer.
    /// </summary>
    public sealed override LossValues Loss(Network<T> network, ReadOnlySpan2D<T> targets, NetworkWorkspace<T> workspace, bool computeErrors)
    {
        int rows = targets.Height;
        int nOut = network.OutputSize;
        ReadOnlySpan2D<T> output = Outputs(network, workspace, rows);
        Span2D<T> probabilities = workspace.Difference.Span.Slice(0, 0, rows, nOut);
        Span2D<T> errors = workspace.Errors[network.LayerCount - 1].Span.Slice(0, 0, rows, nOut);
        double loss = 0;
        double squared = 0;
        for (int r = 0; r < rows; r++)
        {
            RowLoss(output.GetRowSpan(r), targets.GetRowSpan(r), probabilities.GetRowSpan(r),
                computeErrors ? errors.GetRowSpan(r) : default, ref loss, ref squared);
        }

        // A sum of squares written as a difference of terms can round below zero.
        return new LossValues(loss / rows, Math.Max(0, squared) / ((double)rows * nOut));
    }

    public sealed override void Sample(Network<T> network, ref Xoshiro256 rng, NetworkWorkspace<T> workspace, Matrix<T> errors,
        int offset, int rows)
    {
        Span2D<T> target = WriteProbabilities(network, workspace, errors.Span.Slice(offset, 0, rows, network.OutputSize));
        for (int r = 0; r < rows; r++)
        {
            SampledError(ref rng, target.GetRowSpan(r));
        }
    }

    public sealed override void FisherColumn(Network<T> network, NetworkWorkspace<T> workspace, Matrix<T> errors, int offset, int rows,
        int column, T scale)
    {
        Span2D<T> target = WriteProbabilities(network, workspace, errors.Span.Slice(offset, 0, rows, network.OutputSize));
        for (int r = 0; r < rows; r++)
        {
            FisherColumn(target.GetRowSpan(r), column, scale);
        }
    }

    public sealed override ReadOnlySpan2D<T> Predict(Network<T> network, NetworkWorkspace<T> workspace, int rows) =>
        WriteProbabilities(network, workspace, workspace.Difference.Span.Slice(0, 0, rows, network.OutputSize));

    /// <summary>
    /// One example of <see cref="Loss"/>: its probabilities into the scratch row <paramref name="p"/>, its loss
    /// added to <paramref name="loss"/> and <c>|y - p|^2</c> to <paramref name="squared"/>; unless
    /// <paramref name="error"/> is empty, its output error <c>-dloss/dx_L</c> into <paramref name="error"/>.
    /// </summary>
    protected abstract void RowLoss(ReadOnlySpan<T> z, ReadOnlySpan<T> y, Span<T> p, Span<T> error, ref double loss, ref double squared);

    /// <summary><c>p</c> of one example from its output row <paramref name="logits"/>.</summary>
    protected abstract void Probabilities(ReadOnlySpan<T> logits, Span<T> p);

    /// <summary>Replaces <paramref name="p"/> by the output error of a target drawn from the model.</summary>
    protected abstract void SampledError(ref Xoshiro256 rng, Span<T> p);

    /// <summary>Replaces <paramref name="p"/> by <paramref name="scale"/> times column <paramref name="column"/> of a square root of the output Fisher.</summary>
    protected abstract void FisherColumn(Span<T> p, int column, T scale);

    /// <summary>The probabilities of output rows <c>[0, into.Height)</c> into the rows of <paramref name="into"/>, returned.</summary>
    private Span2D<T> WriteProbabilities(Network<T> network, NetworkWorkspace<T> workspace, Span2D<T> into)
    {
        ReadOnlySpan2D<T> output = Outputs(network, workspace, into.Height);
        for (int r = 0; r < into.Height; r++)
        {
            Probabilities(output.GetRowSpan(r), into.GetRowSpan(r));
        }

        return into;
    }

    /// <summary>The network outputs <c>x_L</c>, rows <c>[0, rows)</c>.</summary>
    private static ReadOnlySpan2D<T> Outputs(Network<T> network, NetworkWorkspace<T> workspace, int rows) =>
        workspace.Activations[network.LayerCount].ReadOnlySpan.Slice(0, 0, rows, network.OutputSize);
}
