using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Networks;

/// <summary>One backward pass over the true and K sampled output errors stacked in one matrix.</summary>
public sealed class StackedBackwardTests
{
    /// <summary>
    /// Propagating three stacked blocks of a 5-example batch (in a workspace for 8) gives each block
    /// what a pass of its own gives: the same products row by row, the same derivative factors. Per
    /// layer the bound is <c>2 n u</c> times the largest entry of <c>|E| |W|</c> (n the summed dimension,
    /// u the unit roundoff), the rounding of a dot product of length n, plus the bound of the layer
    /// above carried through <c>|W|</c>; derivatives have <c>|phi'| &lt;= 1</c>.
    /// </summary>
    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Logistic)]
    [InlineData(Activation.Relu)]
    public void Backpropagate_StackedBlocks_EqualSeparatePasses(Activation activation)
    {
        AssertStackedEqualsSeparate<float>(activation);
        AssertStackedEqualsSeparate<double>(activation);
    }

    private static void AssertStackedEqualsSeparate<T>(Activation activation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int rows = 5, blocks = 3;
        var network = new Network<T>(new NetworkOptions
        {
            Widths = [7, 12, 17, 5, 9],
            HiddenActivation = activation,
            Bias = true,
            Seed = 3,
        });
        var stacked = new NetworkWorkspace<T>(network, 8, blocks - 1);
        var single = new NetworkWorkspace<T>(network, 8);
        T[,] inputs = Convert<T>(Gaussian(rows, 7, 1));
        network.Forward(new ReadOnlySpan2D<T>(inputs), stacked);
        network.Forward(new ReadOnlySpan2D<T>(inputs), single);
        int last = network.LayerCount - 1;
        T[,] outputErrors = Convert<T>(Gaussian(rows * blocks, 9, 2));
        new ReadOnlySpan2D<T>(outputErrors).CopyTo(stacked.Errors[last].Span.Slice(0, 0, rows * blocks, 9));
        network.Backpropagate(stacked, stacked.Errors, 0, rows, blocks);

        double eps = Math.ScaleB(1.0, typeof(T) == typeof(float) ? -24 : -53); // unit roundoff
        for (int b = 0; b < blocks; b++)
        {
            new ReadOnlySpan2D<T>(outputErrors).Slice(b * rows, 0, rows, 9).CopyTo(single.Errors[last].Span.Slice(0, 0, rows, 9));
            network.Backpropagate(single, single.Errors, 0, rows);
            double carried = 0; // bound on the difference in the layer above
            for (int l = last - 1; l >= 0; l--)
            {
                int width = network.Widths[l + 1];
                double[,] expected = ToDouble<T>(single.Errors[l].ReadOnlySpan.Slice(0, 0, rows, width));
                double[,] actual = ToDouble<T>(stacked.Errors[l].ReadOnlySpan.Slice(b * rows, 0, rows, width));
                double[,] above = ToDouble<T>(single.Errors[l + 1].ReadOnlySpan.Slice(0, 0, rows, network.Widths[l + 2]));
                double[,] weights = ToDouble<T>(network.Weights(l + 1));
                int n = network.Widths[l + 2];
                double scale = 0, column = 0;
                for (int c = 0; c < width; c++)
                {
                    double w = 0;
                    for (int k = 0; k < n; k++)
                    {
                        w += Math.Abs(weights[k, c]);
                    }

                    column = Math.Max(column, w);
                    for (int r = 0; r < rows; r++)
                    {
                        double s = 0;
                        for (int k = 0; k < n; k++)
                        {
                            s += Math.Abs(above[r, k] * weights[k, c]);
                        }

                        scale = Math.Max(scale, s);
                    }
                }

                // Rounding of this layer's dot products plus the difference carried from above,
                // both through |phi'| <= 1 (tanh' = 1 - x^2, logistic' = x(1 - x) <= 1/4, relu' in {0, 1}).
                double bound = (2 * n * eps * scale) + (column * carried);
                carried = bound;
                for (int r = 0; r < rows; r++)
                {
                    for (int c = 0; c < width; c++)
                    {
                        Assert.True(Math.Abs(actual[r, c] - expected[r, c]) <= bound,
                            $"{typeof(T).Name} block {b} layer {l} [{r},{c}]: {actual[r, c]} vs {expected[r, c]} (bound {bound:E2})");
                    }
                }
            }
        }
    }
}
