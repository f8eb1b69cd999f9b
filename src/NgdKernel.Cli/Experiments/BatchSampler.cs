namespace NgdKernel.Cli.Experiments;

/// <summary>
/// Draws minibatches by passes through a shuffled training set (a new permutation per pass),
/// gathering rows into preallocated buffers. Deterministic for a seed.
/// </summary>
internal sealed class BatchSampler<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly DataSet<T> data;
    private readonly int[] order;
    private readonly T[] inputs;
    private readonly T[] targets;
    private readonly Random random;
    private int next;

    public BatchSampler(DataSet<T> data, int batchSize, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, data.Count);
        this.data = data;
        BatchSize = batchSize;
        order = Enumerable.Range(0, data.Count).ToArray();
        inputs = new T[batchSize * data.InputWidth];
        targets = new T[batchSize * data.TargetWidth];
        random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        Shuffle();
    }

    public int BatchSize { get; }

    public ReadOnlySpan2D<T> Inputs => new(inputs, BatchSize, data.InputWidth);

    public ReadOnlySpan2D<T> Targets => new(targets, BatchSize, data.TargetWidth);

    /// <summary>Fills <see cref="Inputs"/> and <see cref="Targets"/> with the next batch.</summary>
    public void Next()
    {
        int inWidth = data.InputWidth;
        int outWidth = data.TargetWidth;
        for (int b = 0; b < BatchSize; b++)
        {
            if (next == order.Length)
            {
                Shuffle();
            }

            int row = order[next++];
            data.InputRows(row, 1).GetRowSpan(0).CopyTo(inputs.AsSpan(b * inWidth, inWidth));
            data.TargetRows(row, 1).GetRowSpan(0).CopyTo(targets.AsSpan(b * outWidth, outWidth));
        }
    }

    /// <summary>
    /// Advances the batch order past <paramref name="rows"/> rows without copying them, so that a
    /// resumed run draws the same batches as an uninterrupted one (the generator is replayed).
    /// </summary>
    public void Skip(long rows)
    {
        for (long r = 0; r < rows; r++)
        {
            if (next == order.Length)
            {
                Shuffle();
            }

            next++;
        }
    }

    private void Shuffle()
    {
        random.Shuffle(order);
        next = 0;
    }
}
