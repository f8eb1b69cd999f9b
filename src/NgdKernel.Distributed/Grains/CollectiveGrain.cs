using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Orleans.Concurrency;

namespace NgdKernel.Distributed.Grains;

[GenerateSerializer]
[Immutable]
internal sealed class CollectiveSetup
{
    [Id(0)] public string Group { get; init; } = "";
    [Id(1)] public int Rank { get; init; }
    [Id(2)] public int Size { get; init; }
    [Id(3)] public TimeSpan Timeout { get; init; }
}

/// <summary>A piece of a collective from one rank to another, in pooled memory on both sides.</summary>
[GenerateSerializer]
[Immutable]
internal sealed class Chunk
{
    [Id(0)] public long Tag { get; init; }
    [Id(1)] public int Step { get; init; }
    [Id(2)] public int From { get; init; }
    [Id(3)] public Payload Data { get; init; } = null!;
}

[GenerateSerializer]
[Immutable]
internal sealed class CollectiveRequest
{
    [Id(0)] public long Tag { get; init; }
    [Id(1)] public CollectiveAlgorithm Algorithm { get; init; }
    [Id(2)] public bool IsDouble { get; init; }
    [Id(3)] public byte[] Payload { get; init; } = [];
    [Id(4)] public int Root { get; init; }

    /// <summary>Benchmarks: reduce a buffer of this many bytes held by the rank, and return nothing.</summary>
    [Id(5)] public int LocalLength { get; init; }
}

/// <summary>One rank of a collective group: all-reduce (ring or star), broadcast and gather on grain calls.</summary>
internal interface ICollectiveGrain : IGrainWithStringKey
{
    Task<string> Join(CollectiveSetup setup);

    /// <summary>The element-wise sum over ranks of every rank's payload; every rank returns the same bits.</summary>
    Task<byte[]> AllReduce(CollectiveRequest request);

    /// <summary>The root's payload, on every rank.</summary>
    Task<byte[]> Broadcast(CollectiveRequest request);

    /// <summary>At the root, every rank's payload in rank order; elsewhere, nothing.</summary>
    Task<byte[][]> Gather(CollectiveRequest request);

    /// <summary>A chunk from a peer; runs between the turns of a collective waiting for it.</summary>
    [AlwaysInterleave]
    Task Deliver(Chunk chunk);
}

/// <summary>
/// The collectives. Every wait is bounded by the group's timeout. Sums are in a fixed order (ring: the
/// order of the ring, star: rank order), so the same inputs give the same bits every run. Chunks travel
/// as <see cref="Payload"/>s, one per receiver; a received chunk is copied into a buffer of the shared
/// array pool at once and its payload returned.
/// </summary>
[RankPlacement]
internal sealed class CollectiveGrain : Grain, ICollectiveGrain
{
    private readonly Dictionary<(long Tag, int Step, int From), TaskCompletionSource<(byte[] Buffer, int Length)>> _mailbox = [];
    private ICollectiveGrain[] _peers = [];
    private CollectiveSetup _setup = new();

    public Task<string> Join(CollectiveSetup setup)
    {
        _setup = setup;
        _peers = new ICollectiveGrain[setup.Size];
        for (int r = 0; r < setup.Size; r++)
        {
            _peers[r] = GrainFactory.GetGrain<ICollectiveGrain>(GrainKeys.Collective(setup.Group, r));
        }

        return Task.FromResult(RuntimeIdentity);
    }

    public async Task<byte[]> AllReduce(CollectiveRequest request)
    {
        byte[] buffer = request.LocalLength > 0 ? LocalBuffer(request.LocalLength) : (byte[])request.Payload.Clone();
        if (_setup.Size == 1)
        {
            return buffer;
        }

        if (request.Algorithm == CollectiveAlgorithm.Ring)
        {
            await Ring(request.Tag, buffer, request.IsDouble);
        }
        else
        {
            await Star(request.Tag, buffer, request.IsDouble);
        }

        return request.LocalLength > 0 ? [] : buffer;
    }

    private byte[]? _local;

    /// <summary>The benchmark's buffer, kept between calls (its values grow with every sum; only time matters).</summary>
    private byte[] LocalBuffer(int length)
    {
        if (_local?.Length != length)
        {
            _local = new byte[length];
            MemoryMarshal.Cast<byte, float>(_local.AsSpan()).Fill(1f / (1 + _setup.Rank));
        }

        return _local;
    }

    public async Task<byte[]> Broadcast(CollectiveRequest request)
    {
        if (_setup.Rank == request.Root)
        {
            await Send(request.Tag, 0, request.Payload, All(except: request.Root));
            return request.Payload;
        }

        (byte[] data, int length) = await Receive(request.Tag, 0, request.Root);
        byte[] result = data.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(data);
        return result;
    }

    public async Task<byte[][]> Gather(CollectiveRequest request)
    {
        if (_setup.Rank != request.Root)
        {
            await Deliver(request.Root, request.Tag, 0, request.Payload);
            return [];
        }

        var all = new byte[_setup.Size][];
        for (int r = 0; r < _setup.Size; r++)
        {
            if (r == request.Root)
            {
                all[r] = request.Payload;
                continue;
            }

            (byte[] data, int length) = await Receive(request.Tag, 0, r);
            all[r] = data.AsSpan(0, length).ToArray();
            ArrayPool<byte>.Shared.Return(data);
        }

        return all;
    }

    public Task Deliver(Chunk chunk)
    {
        int length = chunk.Data.Length;
        byte[] copy = ArrayPool<byte>.Shared.Rent(length);
        chunk.Data.CopyTo(copy.AsSpan(0, length), "A chunk");
        chunk.Data.Dispose();
        Slot(chunk.Tag, chunk.Step, chunk.From).TrySetResult((copy, length));
        return Task.CompletedTask;
    }

    /// <summary>Sends a pooled copy of <paramref name="data"/> to rank <paramref name="to"/>.</summary>
    private Task Deliver(int to, long tag, int step, ReadOnlyMemory<byte> data) =>
        Bounded(_peers[to].Deliver(new Chunk { Tag = tag, Step = step, From = _setup.Rank, Data = Payload.From(data.Span) }));

    /// <summary>
    /// Ring all-reduce (reduce-scatter, then all-gather): P - 1 steps each, every rank sends and
    /// receives 1/P of the buffer per step, so each link carries 2 (P - 1)/P of it in all, whatever P.
    /// </summary>
    private async Task Ring(long tag, byte[] buffer, bool isDouble)
    {
        int p = _setup.Size, rank = _setup.Rank, size = isDouble ? 8 : 4;
        int count = buffer.Length / size;
        int next = (rank + 1) % p;
        int previous = (rank + p - 1) % p;
        for (int s = 0; s < p - 1; s++)
        {
            // Step s: send chunk r - s, receive chunk r - s - 1 and add this rank's part to it.
            Task sending = Deliver(next, tag, s, ChunkOf(buffer, Mod(rank - s, p), count, p, size));
            (byte[] data, int length) = await Receive(tag, s, previous);
            Memory<byte> target = ChunkOf(buffer, Mod(rank - s - 1, p), count, p, size);
            Add(target.Span, data.AsSpan(0, length), isDouble);
            ArrayPool<byte>.Shared.Return(data);
            await sending;
        }

        for (int s = 0; s < p - 1; s++)
        {
            // Rank r now holds the whole sum of chunk r + 1; pass the finished chunks around the ring.
            Task sending = Deliver(next, tag, p - 1 + s, ChunkOf(buffer, Mod(rank + 1 - s, p), count, p, size));
            (byte[] data, int length) = await Receive(tag, p - 1 + s, previous);
            data.AsSpan(0, length).CopyTo(ChunkOf(buffer, Mod(rank - s, p), count, p, size).Span);
            ArrayPool<byte>.Shared.Return(data);
            await sending;
        }
    }

    /// <summary>Star all-reduce: every rank to rank 0, summed in rank order, the sum back to every rank.</summary>
    private async Task Star(long tag, byte[] buffer, bool isDouble)
    {
        if (_setup.Rank != 0)
        {
            await Deliver(0, tag, 0, buffer);
            (byte[] sum, int length) = await Receive(tag, 1, 0);
            sum.AsSpan(0, length).CopyTo(buffer);
            ArrayPool<byte>.Shared.Return(sum);
            return;
        }

        for (int r = 1; r < _setup.Size; r++)
        {
            (byte[] data, int length) = await Receive(tag, 0, r);
            Add(buffer, data.AsSpan(0, length), isDouble);
            ArrayPool<byte>.Shared.Return(data);
        }

        await Send(tag, 1, buffer, All(except: 0));
    }

    private IEnumerable<int> All(int except) => Enumerable.Range(0, _setup.Size).Where(r => r != except);

    /// <summary>A pooled copy of <paramref name="data"/> to every rank of <paramref name="ranks"/>.</summary>
    private Task Send(long tag, int step, byte[] data, IEnumerable<int> ranks) =>
        Bounded(Task.WhenAll(ranks.Select(r => _peers[r].Deliver(new Chunk { Tag = tag, Step = step, From = _setup.Rank, Data = Payload.From(data) }))));

    private async Task<(byte[] Buffer, int Length)> Receive(long tag, int step, int from)
    {
        TaskCompletionSource<(byte[] Buffer, int Length)> slot = Slot(tag, step, from);
        try
        {
            return await slot.Task.WaitAsync(_setup.Timeout);
        }
        finally
        {
            _mailbox.Remove((tag, step, from));
        }
    }

    private TaskCompletionSource<(byte[] Buffer, int Length)> Slot(long tag, int step, int from)
    {
        if (!_mailbox.TryGetValue((tag, step, from), out TaskCompletionSource<(byte[] Buffer, int Length)>? slot))
        {
            slot = new TaskCompletionSource<(byte[] Buffer, int Length)>(TaskCreationOptions.RunContinuationsAsynchronously);
            _mailbox[(tag, step, from)] = slot;
        }

        return slot;
    }

    private Task Bounded(Task call) => call.WaitAsync(_setup.Timeout);

    private static int Mod(int value, int p) => ((value % p) + p) % p;

    /// <summary>Elements <c>[c n / P, (c + 1) n / P)</c> of the buffer, as bytes.</summary>
    private static Memory<byte> ChunkOf(byte[] buffer, int chunk, int count, int p, int size)
    {
        int first = (int)((long)chunk * count / p), end = (int)((long)(chunk + 1) * count / p);
        return buffer.AsMemory(first * size, (end - first) * size);
    }

    private static void Add(Span<byte> target, ReadOnlySpan<byte> values, bool isDouble)
    {
        if (isDouble)
        {
            Span<double> t = MemoryMarshal.Cast<byte, double>(target);
            TensorPrimitives.Add(t, MemoryMarshal.Cast<byte, double>(values), t);
        }
        else
        {
            Span<float> t = MemoryMarshal.Cast<byte, float>(target);
            TensorPrimitives.Add(t, MemoryMarshal.Cast<byte, float>(values), t);
        }
    }
}
