namespace NgdKernel.Networks;

// Finiteness checks of caller data: NaN/Inf in inputs, targets or weights is reported with where
// it was found, before it can reach the weights or the covariances of Eq. 20. One vectorized pass
// per row; the search for the exact element and the message are built only on failure, so the
// check allocates nothing.
public sealed partial class Network<T>
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first NaN or infinity of <paramref name="values"/> by row and column.</summary>
    internal static void CheckFinite(ReadOnlySpan2D<T> values, string paramName)
    {
        for (int r = 0; r < values.Height; r++)
        {
            ReadOnlySpan<T> row = values.GetRowSpan(r);
            if (!TensorPrimitives.IsFiniteAll(row))
            {
                ThrowNotFinite(row, r, paramName);
            }
        }
    }

    /// <summary>The first non-finite weight as (layer, row, column), or null when all weights are finite.</summary>
    internal (int Layer, int Row, int Column, T Value)? FindNonFiniteWeight()
    {
        for (int l = 0; l < LayerCount; l++)
        {
            Span2D<T> w = _weights[l].Span;
            for (int r = 0; r < w.Height; r++)
            {
                Span<T> row = w.GetRowSpan(r);
                if (!TensorPrimitives.IsFiniteAll<T>(row))
                {
                    int c = 0;
                    while (T.IsFinite(row[c]))
                    {
                        c++;
                    }

                    return (l, r, c, row[c]);
                }
            }
        }

        return null;
    }

    private static void ThrowNotFinite(ReadOnlySpan<T> row, int r, string paramName)
    {
        int c = 0;
        while (T.IsFinite(row[c]))
        {
            c++;
        }

        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture,
                $"'{paramName}' holds {row[c]} at row {r}, column {c}: inputs and targets must be finite."),
            paramName);
    }
}
