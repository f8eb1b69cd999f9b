using NgdKernel.LinearAlgebra;

namespace NgdKernel.Tests.Networks;

/// <summary>
/// One worker's rows of a batch's sampled output errors are the rows the whole-batch draw gives, bit
/// for bit, and leave the generator where the whole draw does (data-parallel sampling).
/// </summary>
public class SampledRowsTests
{
    public static TheoryData<int, int, int> Cases()
    {
        int blockRows = GaussianSampler.BlockRows(3);
        var data = new TheoryData<int, int, int>();
        foreach (int batch in new[] { 1, 2, 7, blockRows - 1, blockRows, blockRows + 1, (2 * blockRows) + 3 })
        {
            foreach (int parts in new[] { 1, 2, 3, 5 })
            {
                if (parts <= batch)
                {
                    data.Add(batch, 3, parts);
                }
            }
        }

        data.Add(40, 784, 3); // one row per several blocks' worth of values: 20 blocks of 2 rows
        data.Add(1000, 17, 7);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GaussianRowRange_Split_EqualsWholeFill(int batchRows, int columns, int parts)
    {
        Check<double>(batchRows, columns, parts);
        Check<float>(batchRows, columns, parts);

        static void Check<T>(int batchRows, int columns, int parts)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            var whole = new Matrix<T>(batchRows, columns);
            var wholeRng = new Xoshiro256(77);
            GaussianFillJob<T>.Fill(ref wholeRng, whole, 0, batchRows, columns, T.CreateChecked(0.5), new KernelContext(1), null);

            var scratch = new T[GaussianRowRange.ScratchLength(columns)];
            for (int p = 0; p < parts; p++)
            {
                int first = p * batchRows / parts, end = (p + 1) * batchRows / parts;
                var part = new Matrix<T>(Math.Max(1, end - first), columns);
                var rng = new Xoshiro256(77);
                GaussianRowRange.Fill(ref rng, batchRows, first, T.CreateChecked(0.5), KernelPath.Scalar, scratch,
                    part.Span.Slice(0, 0, end - first, columns));
                for (int r = first; r < end; r++)
                {
                    Assert.True(whole.Span.GetRowSpan(r).SequenceEqual(part.Span.GetRowSpan(r - first)), $"row {r} of part {p}");
                }

                var expected = new ulong[4];
                var actual = new ulong[4];
                wholeRng.GetState(expected);
                rng.GetState(actual);
                Assert.Equal(expected, actual); // every part leaves the generator where the whole fill does
            }
        }
    }

    [Theory, Combinations]
    public void SampleOutputErrorRows_EqualWholeBatchSampledErrors(bool fullCovariance)
    {
        // Tanh output and a full output covariance: the derivative and the factor product of each row
        // must use that row's own activations.
        var options = new NetworkOptions
        {
            Widths = [4, 6, 3],
            HiddenActivation = Activation.Tanh,
            OutputActivation = Activation.Tanh,
            Bias = true,
            Seed = 3,
            OutputCovariance = fullCovariance
                ? OutputCovariance.Full(new double[,] { { 2, 0.3, 0.1 }, { 0.3, 1, 0.2 }, { 0.1, 0.2, 0.5 } })
                : OutputCovariance.Identity,
        };
        var network = new Network<double>(options);
        const int Batch = 11;
        var inputs = new Matrix<double>(Batch, 4);
        var data = new Xoshiro256(5);
        data.FillGaussian(inputs.AsSpan(), 0.0, 1.0);

        NetworkWorkspace<double> whole = network.CreateWorkspace(Batch);
        network.ForwardUnchecked(inputs.ReadOnlySpan, whole);
        var wholeRng = new Xoshiro256(8);
        network.SampleOutputErrors(ref wholeRng, whole, whole.Errors, 0, Batch);

        var scratch = new double[GaussianRowRange.ScratchLength(3)];
        foreach ((int first, int rows) in new[] { (0, 4), (4, 3), (7, 4) })
        {
            NetworkWorkspace<double> part = network.CreateWorkspace(rows);
            network.ForwardUnchecked(inputs.ReadOnlySpan.Slice(first, 0, rows, 4), part);
            var rng = new Xoshiro256(8);
            network.SampleOutputErrorRows(ref rng, part, part.Errors, 0, Batch, first, rows, scratch);
            for (int r = 0; r < rows; r++)
            {
                Assert.True(whole.Errors[1].Span.GetRowSpan(first + r).SequenceEqual(part.Errors[1].Span.GetRowSpan(r)),
                    $"row {first + r}");
            }
        }
    }
}
