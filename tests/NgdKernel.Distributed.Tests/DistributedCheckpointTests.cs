using System.Runtime.InteropServices;
using NgdKernel.Checkpoints;
using NgdKernel.Distributed.Grains;
using NgdKernel.Optimizers;

namespace NgdKernel.Distributed.Tests;

/// <summary>What a data-parallel checkpoint records; SGD runs saved, resumed and loaded on one machine.</summary>
[Collection(DistributedClusterCollection.Name)]
public sealed class DistributedCheckpointTests(DistributedClusterFixture fixture)
{
    [Theory]
    [InlineData(OutputDensity.Gaussian)]
    [InlineData(OutputDensity.Categorical)]
    public void Distributed_CheckpointInfo_ReportsTheOutputDensity(OutputDensity density)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ngd-density-{Guid.NewGuid():N}.ckpt");
        try
        {
            var network = new Network<double>(new NetworkOptions { Widths = [4, 5, 3], Bias = true, OutputDensity = density, Seed = 2 });
            Checkpoint.Save(path, network);
            Assert.Equal(density, Checkpoint.ReadInfo(path).OutputDensity);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private const int SgdSteps = 9;
    private const int SgdCheckpointStep = 5;

    /// <summary>
    /// An SGD run checkpointed at step 5 and resumed with the same P ends at step 9 with the same bits
    /// on every rank as a run that was never interrupted: the owners' momentum went through the file.
    /// </summary>
    [Theory]
    [InlineData(2, 0.5)]
    [InlineData(3, 0.5)]
    [InlineData(3, 0.0)]
    public async Task Distributed_SgdCheckpoint_ResumeWithSameWorkers_BitIdentical(int workers, double momentum)
    {
        DataParallelOptions options = SgdOptions(workers, momentum);
        int layers = DistributedData.Widths.Length - 1;
        DataParallelTrainer<double> whole = await DataParallelTrainer<double>.StartAsync(fixture.Cluster.Client,
            DistributedData.CreateNetwork<double>(), options);
        for (int s = 0; s < SgdSteps; s++)
        {
            await whole.StepAsync();
        }

        string path = TempPath();
        try
        {
            DataParallelTrainer<double> first = await DataParallelTrainer<double>.StartAsync(fixture.Cluster.Client,
                DistributedData.CreateNetwork<double>(), options);
            for (int s = 0; s < SgdCheckpointStep; s++)
            {
                await first.StepAsync();
            }

            await first.SaveCheckpointAsync(path);
            Assert.Equal(CheckpointOptimizerKind.Sgd, Checkpoint.ReadInfo(path).Optimizer);
            await first.StepAsync(); // steps after the checkpoint do not reach it

            DataParallelTrainer<double> resumed = await DataParallelTrainer<double>.ResumeAsync(fixture.Cluster.Client, path, options);
            Assert.Equal(SgdCheckpointStep, resumed.StepCount);
            while (resumed.StepCount < SgdSteps)
            {
                await resumed.StepAsync();
            }

            for (int l = 0; l < layers; l++)
            {
                double[] expected = await whole.GetWeightsAsync(0, l);
                for (int r = 0; r < workers; r++)
                {
                    Assert.Equal(expected, await resumed.GetWeightsAsync(r, l));
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// The file of a data-parallel SGD run is an ordinary SGD checkpoint: loaded on one machine its
    /// weights, step count and momentum are the owners' bits, and the one-machine SgdOptimizer continues
    /// from it as the data-parallel run does, up to the rounding of the sums over ranks.
    /// </summary>
    [Fact]
    public async Task Distributed_SgdCheckpoint_LoadsOnOneMachine_EqualsDataParallelState()
    {
        const int more = 4;
        DataParallelOptions options = SgdOptions(2, 0.5);
        DataParallelTrainer<double> trainer = await DataParallelTrainer<double>.StartAsync(fixture.Cluster.Client,
            DistributedData.CreateNetwork<double>(), options);
        var reference = new DistributedReference<double>(fixture.Source, options, DistributedData.Widths[0], DistributedData.Widths[^1]);
        for (int s = 0; s < SgdCheckpointStep; s++)
        {
            await trainer.StepAsync();
            reference.NextBatch();
        }

        string path = TempPath();
        Network<double> local = null!;
        SgdOptimizer<double> optimizer = null!;
        try
        {
            await trainer.SaveCheckpointAsync(path);
            local = Checkpoint.LoadNetwork<double>(path);
            optimizer = new SgdOptimizer<double>(local, options.Sgd);
            DataParallelCheckpoint section = DataParallelCheckpoint.Parse(Checkpoint.Load(path, optimizer), path);
            Assert.Equal(options.WorkerCount, section.WorkerCount);
            Assert.Equal(SgdCheckpointStep, optimizer.StepCount);
            for (int l = 0; l < local.LayerCount; l++)
            {
                Assert.Equal(await trainer.GetWeightsAsync(0, l), local.Weights(l).ToArray().Cast<double>());
                var velocity = new double[local.Widths[l + 1] * local.InputWidth(l)];
                optimizer.GetVelocity(l, velocity);
                byte[] owner = await fixture.Cluster.Client
                    .GetGrain<ILayerOwnerGrain>(GrainKeys.Owner(trainer.RunId, l, trainer.OwnerRanks[l])).GetVelocity();
                Assert.Equal(MemoryMarshal.Cast<byte, double>(owner).ToArray(), velocity);
                Assert.Contains(velocity, v => v != 0);
            }

            // The file holds SGD state: a natural-gradient resume is refused.
            await Assert.ThrowsAsync<CheckpointFormatException>(() => DataParallelTrainer<double>.ResumeAsync(fixture.Cluster.Client,
                path, options with { Algorithm = DataParallelAlgorithm.NaturalGradient }));
        }
        finally
        {
            File.Delete(path);
        }

        // Same batches on both sides: momentum that did not round-trip would differ by O(alpha |V|),
        // far above the rounding of the sums over ranks (bounded as in the equivalence tests).
        for (int s = 0; s < more; s++)
        {
            reference.NextBatch();
            await trainer.StepAsync();
            optimizer.Step(reference.Inputs, reference.Targets);
        }

        for (int l = 0; l < local.LayerCount; l++)
        {
            double[] distributed = await trainer.GetWeightsAsync(0, l);
            double[] expected = [.. local.Weights(l).ToArray().Cast<double>()];
            double scale = expected.Max(Math.Abs);
            double worst = expected.Zip(distributed, (e, d) => Math.Abs(e - d) / scale).Max();
            Assert.True(worst <= 1e-12, $"layer {l}: max |W_distributed - W_one machine| / max |W| = {worst:E3} > 1e-12");
        }
    }

    [Fact]
    public void Distributed_SgdOptions_ScheduleWeightDecayAndFrozenLayersRefusedByName()
    {
        DataParallelOptions options = SgdOptions(2, 0.5);
        foreach (SgdOptions sgd in new[]
        {
            options.Sgd with { WeightDecay = 0.01 },
            options.Sgd with { FrozenLayers = [0] },
            options.Sgd with { Schedule = LearningRateSchedule.Cosine(10) },
        })
        {
            NotSupportedException e = Assert.Throws<NotSupportedException>(() => (options with { Sgd = sgd }).Validate());
            Assert.Contains("'Sgd.", e.Message, StringComparison.Ordinal);
        }
    }

    private static DataParallelOptions SgdOptions(int workers, double momentum) => DistributedEquivalenceTests.Options(DataParallelAlgorithm.Sgd) with
    {
        WorkerCount = workers,
        Sgd = new SgdOptions { LearningRate = 0.05, Momentum = momentum },
    };

    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"ngd-dp-sgd-{Guid.NewGuid():N}.ckpt");
}
