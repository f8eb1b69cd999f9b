using NgdKernel.Densities;

namespace NgdKernel.Networks;

// One worker's share of the sampled output errors of a data-parallel batch.
public sealed partial class Network<T>
{
    /// <summary>
    /// Rows <c>[firstRow, firstRow + rows)</c> of the output errors <see cref="SampleOutputErrors"/> would
    /// sample for a batch of <paramref name="batchRows"/> examples, into rows
    /// <c>[offset, offset + rows)</c> of <paramref name="errors"/>; the workspace holds the activations
    /// of those <paramref name="rows"/> examples in rows <c>[0, rows)</c>. The generator advances as for the
    /// whole batch, so every worker keeps the same generator state and the rows are those of one machine.
    /// </summary>
    /// <remarks>The scratch holds at least <see cref="GaussianRowRange.ScratchLength"/> values of the output width.</remarks>
    internal void SampleOutputErrorRows(ref Xoshiro256 rng, NetworkWorkspace<T> workspace, Matrix<T>[] errors, int offset,
        int batchRows, int firstRow, int rows, Span<T> scratch)
    {
        if (_likelihood is not GaussianLikelihood<T> gaussian)
        {
            throw new NotSupportedException(
                $"Sampling a worker's rows of the output errors needs the Gaussian output density; this network's is {OutputDensity}.");
        }

        int nOut = OutputSize;
        Span2D<T> target = errors[LayerCount - 1].Span.Slice(offset, 0, rows, nOut);
        if (gaussian.Precision is null)
        {
            GaussianRowRange.Fill(ref rng, batchRows, firstRow, T.Sqrt(gaussian.PrecisionScale), Context.Path, scratch, target);
        }
        else
        {
            Span2D<T> z = workspace.Difference.Span.Slice(0, 0, rows, nOut);
            GaussianRowRange.Fill(ref rng, batchRows, firstRow, T.One, Context.Path, scratch, z);

            // Row e = L_S z, i.e. E = Z L_S^T, as SampleOutputErrors.
            Gemm.Multiply(z, MatrixOp.None, gaussian.PrecisionFactor!.ReadOnlySpan, MatrixOp.Transpose, T.One, T.Zero, target, Context);
        }

        MultiplyByDerivative(LayerCount - 1, errors[LayerCount - 1], offset, rows, nOut, workspace.Activations[LayerCount], rows);
    }
}
