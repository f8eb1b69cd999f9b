namespace NgdKernel.Networks;

/// <summary>
/// A range of rows of the Gaussian fill <see cref="GaussianFillJob{T}.Fill"/> makes of a whole batch,
/// without the other rows: what one worker of a data-parallel step needs of the batch's sampled errors.
/// </summary>
/// <remarks>
/// A batch of more than one block of <see cref="GaussianSampler.BlockRows"/> rows draws one seed per
/// block from the generator, then fills each block from its own seed; a single block is filled from the
/// generator itself. The range takes every seed (so the generator ends where the whole fill leaves it)
/// and fills only the blocks that overlap it, each in a block-sized scratch whose overlapping rows are
/// copied out. So a worker's rows are bit for bit the rows of the one-machine fill, whatever the number
/// of workers, for at most two blocks of extra draws per worker.
/// </remarks>
internal static class GaussianRowRange
{
    /// <summary>Values a scratch buffer for <see cref="Fill{T}"/> needs for rows of <paramref name="columns"/>.</summary>
    public static int ScratchLength(int columns) => GaussianSampler.BlockRows(columns) * columns;

    /// <summary>
    /// Rows <c>[firstRow, firstRow + destination.Height)</c> of an N(0, sd^2) fill of
    /// <paramref name="batchRows"/> rows of <c>destination.Width</c> columns, into <paramref name="destination"/>.
    /// </summary>
    public static void Fill<T>(ref Xoshiro256 rng, int batchRows, int firstRow, T standardDeviation, KernelPath path,
        Span<T> scratch, Span2D<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int columns = destination.Width;
        int blockRows = GaussianSampler.BlockRows(columns);
        int blockCount = (batchRows + blockRows - 1) / blockRows;
        int end = firstRow + destination.Height;
        if (blockCount <= 1)
        {
            FillBlock(ref rng, 0, batchRows, firstRow, end, standardDeviation, path, scratch, destination);
            return;
        }

        for (int b = 0, row = 0; b < blockCount; b++, row += blockRows)
        {
            var block = new Xoshiro256(rng.NextUInt64());
            int rows = Math.Min(blockRows, batchRows - row);
            if (row < end && row + rows > firstRow)
            {
                FillBlock(ref block, row, rows, firstRow, end, standardDeviation, path, scratch, destination);
            }
        }
    }

    /// <summary>Fills block rows <c>[row, row + rows)</c> in the scratch and copies its overlap with <c>[first, end)</c>.</summary>
    private static void FillBlock<T>(ref Xoshiro256 rng, int row, int rows, int first, int end, T standardDeviation,
        KernelPath path, Span<T> scratch, Span2D<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int columns = destination.Width;
        Span2D<T> block = scratch[..(rows * columns)].AsSpan2D(rows, columns);
        GaussianSampler.Fill(ref rng, block, standardDeviation, path);
        for (int r = Math.Max(row, first); r < Math.Min(row + rows, end); r++)
        {
            block.GetRowSpan(r - row).CopyTo(destination.GetRowSpan(r - first));
        }
    }
}
