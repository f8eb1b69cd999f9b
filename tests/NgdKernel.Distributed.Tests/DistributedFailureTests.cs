using System.Diagnostics;
using NgdKernel.Checkpoints;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace NgdKernel.Distributed.Tests;

/// <summary>A silo lost in the middle of a step; resume from the last checkpoint.</summary>
public sealed class DistributedFailureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Steps = 20;
    private const int CheckpointStep = 10;
    private const int FailingStep = 13;
    private const int LostRank = 2;

    private readonly StallingSource _source = new(DistributedData.CreateSource());
    private readonly string _directory = Directory.CreateTempSubdirectory("ngd-distributed-").FullName;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await DistributedClusterFixture.StartAsync(_source);

    public async Task DisposeAsync()
    {
        _source.Release();
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Distributed_SiloLostMidStep_FailsCleanly_ResumeFromCheckpointEqualsUninterruptedRun()
    {
        DataParallelOptions options = DistributedEquivalenceTests.Options() with { Timeout = TimeSpan.FromSeconds(10) };
        int layers = DistributedData.Widths.Length - 1;

        // The run nothing interrupts.
        DataParallelTrainer<double> whole = await DataParallelTrainer<double>.StartAsync(
            _cluster.Client, DistributedData.CreateNetwork<double>(), options);
        double[][] atCheckpoint = [];
        for (int s = 1; s <= Steps; s++)
        {
            await whole.StepAsync();
            if (s == CheckpointStep)
            {
                atCheckpoint = await DistributedEquivalenceTests.WeightsOf(whole, layers);
            }
        }

        double[][] expected = await DistributedEquivalenceTests.WeightsOf(whole, layers);

        // The same run, checkpointed at step 10; rank 2's silo dies while it reads its rows of step 13.
        DataParallelTrainer<double> broken = await DataParallelTrainer<double>.StartAsync(
            _cluster.Client, DistributedData.CreateNetwork<double>(), options);
        string path = Path.Combine(_directory, "run.ngdckpt");
        for (int s = 1; s < FailingStep; s++)
        {
            await broken.StepAsync();
            if (s == CheckpointStep)
            {
                await broken.SaveCheckpointAsync(path);
            }
        }

        InProcessSiloHandle victim = _cluster.Silos.Single(s => s.SiloAddress.ToString() == broken.WorkerSilos[LostRank]);
        _source.StallNextRead(LostRank);
        var clock = Stopwatch.StartNew();
        Task<StepResult> step = broken.StepAsync();
        Assert.True(await _source.Stalled.WaitAsync(TimeSpan.FromSeconds(30)), "rank 2 never reached its rows of the failing step");
        await _cluster.KillSiloAsync(victim);
        _source.Release();
        DataParallelException failure = await Assert.ThrowsAsync<DataParallelException>(() => step);
        output.WriteLine($"failed after {clock.Elapsed.TotalSeconds:F2} s: {failure.Message}");
        Assert.Equal(FailingStep, failure.Step);
        Assert.True(clock.Elapsed < options.Timeout * 3, $"the failed step took {clock.Elapsed}");
        await Assert.ThrowsAsync<InvalidOperationException>(broken.StepAsync);

        // The checkpoint loads on one machine, with the weights and state of step 10.
        Network<double> local = Checkpoint.LoadNetwork<double>(path);
        var optimizer = new NaturalGradientOptimizer<double>(local, options.NaturalGradient);
        DataParallelCheckpoint section = DataParallelCheckpoint.Parse(Checkpoint.Load(path, optimizer), path);
        Assert.Equal(CheckpointStep, optimizer.StepCount);
        Assert.Equal(options.WorkerCount, section.WorkerCount);
        for (int l = 0; l < layers; l++)
        {
            Assert.Equal(atCheckpoint[l], local.Weights(l).ToArray().Cast<double>().ToArray());
        }

        // A new silo takes the lost one's place; the run resumes from step 10 and ends where the whole one did.
        await _cluster.StartAdditionalSiloAsync();
        await _cluster.WaitForLivenessToStabilizeAsync();
        DataParallelTrainer<double> resumed = await DataParallelTrainer<double>.ResumeAsync(_cluster.Client, path, options);
        Assert.Equal(CheckpointStep, resumed.StepCount);
        while (resumed.StepCount < Steps)
        {
            await resumed.StepAsync();
        }

        double[][] actual = await DistributedEquivalenceTests.WeightsOf(resumed, layers);
        for (int l = 0; l < layers; l++)
        {
            Assert.Equal(expected[l], actual[l]);
        }
    }

    /// <summary>Serves the data, and can hold one rank's next read until released (bounded wait).</summary>
    private sealed class StallingSource(IDataShardSource inner) : IDataShardSource
    {
        private readonly ManualResetEventSlim _release = new(false);
        private int _stallRank = -1;

        public SemaphoreSlim Stalled { get; } = new(0);

        public void StallNextRead(int rank)
        {
            _release.Reset();
            Volatile.Write(ref _stallRank, rank);
        }

        public void Release() => _release.Set();

        public IDataShard<T> Open<T>(string dataSet, int rank, int workerCount)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => new Shard<T>(this, inner.Open<T>(dataSet, rank, workerCount), rank);

        private sealed class Shard<T>(StallingSource owner, IDataShard<T> inner, int rank) : IDataShard<T>
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            public int Count => inner.Count;

            public int InputWidth => inner.InputWidth;

            public int OutputWidth => inner.OutputWidth;

            public void ReadRows(ReadOnlySpan<int> rows, Span2D<T> inputs, Span2D<T> targets)
            {
                if (Interlocked.CompareExchange(ref owner._stallRank, -1, rank) == rank)
                {
                    owner.Stalled.Release();
                    owner._release.Wait(TimeSpan.FromSeconds(30));
                }

                inner.ReadRows(rows, inputs, targets);
            }
        }
    }
}
