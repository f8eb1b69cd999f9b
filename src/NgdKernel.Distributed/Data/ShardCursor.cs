using NgdKernel.Kernels;

namespace NgdKernel.Distributed;

/// <summary>
/// One rank's batch draws from its shard: epochs of a shuffled order, the shuffle drawn from the
/// rank's own generator stream, so the rows depend only on the seed, the rank and the step, never on
/// timing. Its state at a step boundary is the generator state before the current epoch's shuffle and
/// the position in that epoch: a checkpoint stores those and the shuffle is redrawn on resume.
/// </summary>
internal sealed class ShardCursor
{
    private readonly int[] _order;
    private readonly ulong[] _epochState = new ulong[4];
    private Xoshiro256 _rng;

    public ShardCursor(int count, ulong seed, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _order = new int[count];
        _rng = new Xoshiro256(StreamSeed(seed, rank));
        Shuffle();
    }

    public int Count => _order.Length;

    public int Position { get; private set; }

    public long Epoch { get; private set; }

    /// <summary>The seed of rank <paramref name="rank"/>'s stream: SplitMix64 finalizer of seed and rank.</summary>
    public static ulong StreamSeed(ulong seed, int rank)
    {
        ulong z = seed + (0x9E3779B97F4A7C15UL * (ulong)(rank + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next <c>rows.Length</c> examples (shard-local indices); a new epoch starts when too few remain.</summary>
    public void Next(Span<int> rows)
    {
        if (rows.Length > _order.Length)
        {
            throw new ArgumentException($"A batch of {rows.Length} rows does not fit in a shard of {_order.Length} examples.", nameof(rows));
        }

        if (Position + rows.Length > _order.Length)
        {
            Shuffle();
        }

        _order.AsSpan(Position, rows.Length).CopyTo(rows);
        Position += rows.Length;
    }

    public void GetState(Span<ulong> epochState4, out int position, out long epoch)
    {
        _epochState.CopyTo(epochState4);
        position = Position;
        epoch = Epoch;
    }

    public void SetState(ReadOnlySpan<ulong> epochState4, int position, long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(position, _order.Length);
        _rng.SetState(epochState4);
        Shuffle();
        Position = position;
        Epoch = epoch;
    }

    private void Shuffle()
    {
        _rng.GetState(_epochState);
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = (int)(_rng.NextUInt64() % (ulong)(i + 1));
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }

        Position = 0;
        Epoch++;
    }
}
