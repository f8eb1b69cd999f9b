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
    private const int Warmup = 3;
    private const int Steps = 8;

    // Layers whose sums (about 330 KB in double per rank and layer) are large objects when a message
    // carries them in a byte[]: any copy per step shows in the large-object counter.
    private static readonly int[] Widths = [32, 256, 32];

    private readonly InMemoryShardSource _source = CreateSource();
    private Orleans.TestingHost.InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await DistributedClusterFixture.StartAsync(_source);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Distributed_SteadyStateStep_NoLargeObjectAllocations()
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
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int s = 0; s < Steps; s++)
        {
            await trainer.StepAsync();
        }

        long perStep = (GC.GetTotalAllocatedBytes(precise: true) - before) / Steps;
        long largeBytes = large.Bytes;
        output.WriteLine($"moved per step {moved} B, allocated per step {perStep} B, large objects {largeBytes} B over {Steps} steps");

        // Large-object allocations are sampled once per ~100 KB allocated: one copy of any layer's sums
        // per step would be counted several times over the steps.
        Assert.True(largeBytes == 0, $"{largeBytes} B of large objects allocated over {Steps} steady-state steps");

        // What is left (Orleans' message headers, tasks, the small replies) is a small fraction of the
        // payload; one copy of the payload per step would be at least 'moved' (P - 1)/P.
        Assert.True(perStep < moved / 8, $"{perStep} B allocated per step, moved {moved} B: bound {moved / 8} B");
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
