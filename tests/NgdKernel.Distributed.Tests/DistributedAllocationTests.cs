using System.Diagnostics.Tracing;
using Xunit.Abstractions;

namespace NgdKernel.Distributed.Tests;

/// <summary>
/// The allocations of a steady-state data-parallel step, measured over the whole process (workers,
/// owners and the client are all here). Runs alone: allocation counters are process-wide.
/// </summary>
[Collection(DistributedAllocationCollection.Name)]
public sealed class DistributedAllocationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string DataSet = "wide";
    private const int Warmup = 6;
    private const int Steps = 9;

    // Layers whose sums (about 330 KB in double per rank and layer) are large objects when a message
    // carries them in a byte[]: any copy per step shows in the large-object counter.
    private static readonly int[] Widths = [32, 256, 32];

    private readonly InMemoryShardSource _source = CreateSource();
    private Orleans.TestingHost.InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await DistributedClusterFixture.StartAsync(_source);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Distributed_SteadyStateStep_AllocatesFarLessThanOneCopyOfThePayload()
    {
        DataParallelOptions options = DistributedEquivalenceTests.Options() with { BatchSize = 60, DataSet = DataSet };
        var network = new Network<double>(new NetworkOptions { Widths = Widths, HiddenActivation = Activation.Tanh, Bias = true, Seed = 3 });
        DataParallelTrainer<double> trainer = await DataParallelTrainer<double>.StartAsync(_cluster.Client, network, options);
        for (int s = 0; s < Warmup; s++)
        {
            await trainer.StepAsync();
        }

        // What a step moves between grains: every rank's sums to the owners, every layer's weights back.
        long moved = 0;
        for (int l = 0; l < network.LayerCount; l++)
        {
            int a = network.InputWidth(l), b = network.Widths[l + 1];
            long sums = (long)a * b + PrecomputedCurvature<double>.PackedLength(a) + PrecomputedCurvature<double>.PackedLength(b);
            moved += options.WorkerCount * (sums + ((long)a * b)) * sizeof(double);
        }

        using var large = new LargeAllocationListener();
        // The median step: a burst of another cluster's background work in the same process lands in one step.
        var allocated = new long[Steps];
        for (int s = 0; s < Steps; s++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await trainer.StepAsync();
            allocated[s] = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        Array.Sort(allocated);
        long perStep = allocated[Steps / 2];
        long largeBytes = large.Bytes;
        output.WriteLine($"moved per step {moved} B, allocated per step (median) {perStep} B, large objects {largeBytes} B over {Steps} steps");

        // A copy of the payload per step would allocate at least the part that crosses silos, moved (P - 1)/P
        // (two thirds here), much of it as large objects: with byte[] messages the median step allocated
        // 1.71 MB and 1.5-1.8 MB of large objects. The pooled messages leave Orleans' own message buffers
        // and headers, the tasks and the small replies: measured at about 4 % of 'moved' per step, large
        // objects (sampled once per ~100 KB) 0-5 %, after six warm-up steps (with three, Orleans' segment
        // pools were still growing: up to 26 % and 15 %). The bound is half of one copy, moved (P - 1)/(2P).
        long bound = moved * (options.WorkerCount - 1) / (2 * options.WorkerCount);
        Assert.True(perStep < bound, $"{perStep} B allocated per step, moved {moved} B: bound {bound} B");
        Assert.True(largeBytes / Steps < bound, $"{largeBytes / Steps} B of large objects per step, moved {moved} B: bound {bound} B");
    }

    private static InMemoryShardSource CreateSource()
    {
        var source = new InMemoryShardSource();
        var rng = new Xoshiro256(77);
        var inputs = new double[96 * Widths[0]];
        var targets = new double[96 * Widths[^1]];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (2 * rng.NextDouble()) - 1;
            targets[i] = Math.Tanh(inputs[i]);
        }

        source.Add(DataSet, inputs, targets, Widths[0], Widths[^1]);
        return source;
    }

    /// <summary>Bytes of the runtime's large-object allocation samples (GC AllocationTick events).</summary>
    private sealed class LargeAllocationListener : EventListener
    {
        private long _bytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && eventData.Payload is { } payload
                && eventData.PayloadNames is { } names)
            {
                int kind = names.IndexOf("AllocationKind"), amount = names.IndexOf("AllocationAmount64");
                if (kind >= 0 && Convert.ToInt32(payload[kind], System.Globalization.CultureInfo.InvariantCulture) == 1 && amount >= 0)
                {
                    Interlocked.Add(ref _bytes, Convert.ToInt64(payload[amount], System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DistributedAllocationCollection
{
    public const string Name = "Distributed allocation (alone)";
}
