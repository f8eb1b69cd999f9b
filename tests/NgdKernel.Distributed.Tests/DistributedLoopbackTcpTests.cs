namespace NgdKernel.Distributed.Tests;

/// <summary>The same equality with three silos that talk over TCP on 127.0.0.1, as separate machines do.</summary>
public sealed class DistributedLoopbackTcpTests
{
    [Fact]
    public async Task Distributed_LoopbackTcp_ThreeSilos_EqualsOneMachineOnConcatenatedBatch()
    {
        InMemoryShardSource source = DistributedData.CreateSource();
        await using LoopbackCluster cluster = await LoopbackCluster.StartAsync(3, source, TimeSpan.FromSeconds(60));
        Assert.Equal(3, cluster.SiloPorts.Distinct().Count());
        await DistributedEquivalenceTests.EqualsOneMachine<double>(cluster.Client, source, DistributedEquivalenceTests.Options(), 1e-12);
    }
}
