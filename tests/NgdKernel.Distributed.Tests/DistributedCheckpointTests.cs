using NgdKernel.Checkpoints;

namespace NgdKernel.Distributed.Tests;

/// <summary>What a data-parallel checkpoint records, and the runs that are not checkpointed.</summary>
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

    [Fact]
    public async Task Distributed_SgdRun_RefusesCheckpointByName()
    {
        DataParallelTrainer<double> trainer = await DataParallelTrainer<double>.StartAsync(fixture.Cluster.Client,
            DistributedData.CreateNetwork<double>(), DistributedEquivalenceTests.Options(DataParallelAlgorithm.Sgd));
        await trainer.StepAsync();
        NotSupportedException e = await Assert.ThrowsAsync<NotSupportedException>(() => trainer.SaveCheckpointAsync("unused.ckpt"));
        Assert.Contains("SGD", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists("unused.ckpt"));
    }
}
