using NgdKernel.Distributed.Grains;

namespace NgdKernel.Distributed;

/// <summary>How an all-reduce moves the data.</summary>
public enum CollectiveAlgorithm
{
    /// <summary>Reduce-scatter then all-gather around a ring: each link carries <c>2 (P-1)/P</c> of the buffer.</summary>
    Ring,

    /// <summary>Everything to rank 0, summed in rank order, and back: rank 0's link carries <c>2 (P-1)</c> buffers.</summary>
    Star,
}

/// <summary>
/// P ranks, one per silo, that run collectives on grain calls with byte payloads: all-reduce (ring or
/// star), broadcast and gather. Orleans has no collectives of its own; these are built from one grain
/// per rank pinned to its silo, with bounded waits and a fixed summation order.
/// </summary>
public sealed class CollectiveGroup
{
    private readonly ICollectiveGrain[] _ranks;
    private readonly TimeSpan _timeout;
    private long _tag;

    private CollectiveGroup(ICollectiveGrain[] ranks, TimeSpan timeout, IReadOnlyList<string> silos)
    {
        _ranks = ranks;
        _timeout = timeout;
        Silos = silos;
    }

    /// <summary>Ranks P.</summary>
    public int Size => _ranks.Length;

    /// <summary>Per rank, the silo it runs on.</summary>
    public IReadOnlyList<string> Silos { get; }

    /// <summary>Sets up a group of <paramref name="size"/> ranks on the silos of <paramref name="grains"/>' cluster.</summary>
    /// <exception cref="TimeoutException">A rank did not answer within <paramref name="timeout"/>.</exception>
    public static async Task<CollectiveGroup> CreateAsync(IGrainFactory grains, int size, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        string group = Guid.NewGuid().ToString("N");
        var ranks = new ICollectiveGrain[size];
        for (int r = 0; r < size; r++)
        {
            ranks[r] = grains.GetGrain<ICollectiveGrain>(GrainKeys.Collective(group, r));
        }

        string[] silos = await Waits.All(ranks.Select((g, r) => g.Join(new CollectiveSetup { Group = group, Rank = r, Size = size, Timeout = timeout })),
            timeout).ConfigureAwait(false);
        return new CollectiveGroup(ranks, timeout, silos);
    }

    /// <summary>
    /// The element-wise sum of <paramref name="contributions"/> (one per rank, float or double values as
    /// bytes), as every rank holds it after the all-reduce (the same bits on every rank).
    /// </summary>
    public Task<byte[][]> AllReduceAsync(IReadOnlyList<byte[]> contributions, bool isDouble, CollectiveAlgorithm algorithm)
    {
        Check(contributions);
        long tag = Interlocked.Increment(ref _tag);
        return Waits.All(_ranks.Select((g, r) => g.AllReduce(new CollectiveRequest
        {
            Tag = tag,
            Algorithm = algorithm,
            IsDouble = isDouble,
            Payload = contributions[r],
        })), _timeout);
    }

    /// <summary>
    /// Times <paramref name="repetitions"/> all-reduces of a <paramref name="bytes"/>-byte float buffer each
    /// rank holds (nothing travels to or from the caller but the request); returns the time of each.
    /// </summary>
    public async Task<TimeSpan[]> TimeAllReduceAsync(int bytes, CollectiveAlgorithm algorithm, int repetitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        var times = new TimeSpan[repetitions];
        for (int i = 0; i < repetitions; i++)
        {
            long tag = Interlocked.Increment(ref _tag);
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            await Waits.All(_ranks.Select(g => g.AllReduce(new CollectiveRequest { Tag = tag, Algorithm = algorithm, LocalLength = bytes & ~3 })),
                _timeout).ConfigureAwait(false);
            times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start);
        }

        return times;
    }

    /// <summary><paramref name="payload"/> from <paramref name="root"/> to every rank; returns what each rank holds.</summary>
    public Task<byte[][]> BroadcastAsync(int root, byte[] payload)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        long tag = Interlocked.Increment(ref _tag);
        return Waits.All(_ranks.Select((g, r) => g.Broadcast(new CollectiveRequest { Tag = tag, Root = root, Payload = r == root ? payload : [] })),
            _timeout);
    }

    /// <summary>Every rank's contribution, collected at <paramref name="root"/> in rank order.</summary>
    public async Task<byte[][]> GatherAsync(int root, IReadOnlyList<byte[]> contributions)
    {
        Check(contributions);
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        long tag = Interlocked.Increment(ref _tag);
        byte[][][] results = await Waits.All(_ranks.Select((g, r) => g.Gather(new CollectiveRequest { Tag = tag, Root = root, Payload = contributions[r] })),
            _timeout).ConfigureAwait(false);
        return results[root];
    }

    private void Check(IReadOnlyList<byte[]> contributions)
    {
        ArgumentNullException.ThrowIfNull(contributions);
        if (contributions.Count != Size)
        {
            throw new ArgumentException($"{contributions.Count} contributions for a group of {Size} ranks.", nameof(contributions));
        }
    }
}
