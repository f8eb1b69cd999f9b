using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace NgdKernel.Distributed.Tests;

/// <summary>The same equality with silos that talk over TCP on 127.0.0.1, as separate machines do.</summary>
public sealed class DistributedLoopbackTcpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Distributed_LoopbackTcp_ThreeSilos_EqualsOneMachineOnConcatenatedBatch()
    {
        InMemoryShardSource source = DistributedData.CreateSource();
        await using LoopbackCluster cluster = await LoopbackCluster.StartAsync(3, source, Timeout);
        Assert.Equal(3, cluster.SiloPorts.Distinct().Count());
        await DistributedEquivalenceTests.EqualsOneMachine<double>(cluster.Client, source, DistributedEquivalenceTests.Options(), 1e-12);
    }

    /// <summary>
    /// The hosting of several machines (<c>ngd silo</c>, <c>ngd mnist --cluster</c>): two silos started
    /// from their endpoints, the second joining the first, and a client given only the gateways.
    /// </summary>
    [Fact]
    public async Task Distributed_SilosJoinedByEndpoints_TwoSilos_EqualsOneMachineOnConcatenatedBatch()
    {
        InMemoryShardSource source = DistributedData.CreateSource();
        int[] ports = LoopbackCluster.FreePorts(4);
        var primary = new IPEndPoint(IPAddress.Loopback, ports[0]);
        string clusterId = "ngd-test-" + Guid.NewGuid().ToString("N")[..8];
        var hosts = new List<IHost>();
        try
        {
            hosts.Add(await DataParallelCluster.StartSiloAsync(new SiloEndpoints(primary, ports[1], primary, clusterId), source, Timeout));
            hosts.Add(await DataParallelCluster.StartSiloAsync(
                new SiloEndpoints(new IPEndPoint(IPAddress.Loopback, ports[2]), ports[3], primary, clusterId), source, Timeout));
            IHost client = await DataParallelCluster.StartClientAsync(
                [DataParallelCluster.ParseEndpoint($"127.0.0.1:{ports[1]}", "gateway"), DataParallelCluster.ParseEndpoint($"127.0.0.1:{ports[3]}", "gateway")],
                clusterId, Timeout);
            hosts.Insert(0, client);
            await DistributedEquivalenceTests.EqualsOneMachine<double>(client.Services.GetRequiredService<IClusterClient>(), source,
                DistributedEquivalenceTests.Options() with { WorkerCount = 2 }, 1e-12);
        }
        finally
        {
            foreach (IHost host in hosts)
            {
                await DataParallelCluster.StopAsync(host, TimeSpan.FromSeconds(10));
            }
        }
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData(":11111")]
    public void Distributed_ParseEndpoint_RefusesWhatIsNotHostColonPort(string text)
    {
        FormatException e = Assert.Throws<FormatException>(() => DataParallelCluster.ParseEndpoint(text, "--listen"));
        Assert.Contains("--listen", e.Message, StringComparison.Ordinal);
    }
}
