using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace NgdKernel.Distributed;

/// <summary>
/// P silos in this process, talking over TCP on 127.0.0.1 exactly as silos on separate machines do
/// (each silo its own port and gateway), plus a client: the cluster <c>ngd mnist --workers P</c> uses.
/// </summary>
public sealed class LoopbackCluster : IAsyncDisposable
{
    private readonly List<IHost> _silos;
    private readonly IHost _client;

    private LoopbackCluster(List<IHost> silos, IHost client, IReadOnlyList<int> siloPorts)
    {
        _silos = silos;
        _client = client;
        SiloPorts = siloPorts;
    }

    /// <summary>The client through which a <see cref="DataParallelTrainer{T}"/> drives the silos.</summary>
    public IClusterClient Client => _client.Services.GetRequiredService<IClusterClient>();

    /// <summary>The silos' ports on 127.0.0.1 (the first is the primary silo others join).</summary>
    public IReadOnlyList<int> SiloPorts { get; }

    /// <summary>Silos still running.</summary>
    public int SiloCount => _silos.Count;

    /// <summary>Starts <paramref name="siloCount"/> silos serving <paramref name="source"/> and a client.</summary>
    /// <param name="siloCount">Silos, one per worker.</param>
    /// <param name="source">The data every silo serves.</param>
    /// <param name="timeout">Longest wait for one silo or the client to start, and Orleans' response timeout.</param>
    public static async Task<LoopbackCluster> StartAsync(int siloCount, IDataShardSource source, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(siloCount, 1);
        ArgumentNullException.ThrowIfNull(source);
        string clusterId = "ngd-" + Guid.NewGuid().ToString("N")[..12];
        int[] siloPorts = FreePorts(siloCount);
        int[] gatewayPorts = FreePorts(siloCount);
        var primary = new IPEndPoint(IPAddress.Loopback, siloPorts[0]);
        var silos = new List<IHost>();
        IHost? client = null;
        try
        {
            for (int i = 0; i < siloCount; i++)
            {
                HostApplicationBuilder builder = Host.CreateApplicationBuilder();
                builder.Logging.ClearProviders();
                builder.Services.AddSingleton(source);
                int index = i;
                builder.UseOrleans(silo =>
                {
                    silo.UseLocalhostClustering(siloPorts[index], gatewayPorts[index], primary, clusterId, clusterId);
                    silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = timeout);
                    silo.AddDataParallelTraining();
                });
                IHost host = builder.Build();
                silos.Add(host);
                await host.StartAsync().WaitAsync(timeout).ConfigureAwait(false);
            }

            HostApplicationBuilder clientBuilder = Host.CreateApplicationBuilder();
            clientBuilder.Logging.ClearProviders();
            clientBuilder.UseOrleansClient(c =>
            {
                c.UseLocalhostClustering(gatewayPorts, clusterId, clusterId);
                c.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = timeout);
            });
            client = clientBuilder.Build();
            await client.StartAsync().WaitAsync(timeout).ConfigureAwait(false);
            return new LoopbackCluster(silos, client, siloPorts);
        }
        catch
        {
            await StopAll(silos, client).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAll(_silos, _client).ConfigureAwait(false);

    private static async Task StopAll(List<IHost> silos, IHost? client)
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        if (client is not null)
        {
            await Stop(client, bounded.Token).ConfigureAwait(false);
        }

        for (int i = silos.Count - 1; i >= 0; i--)
        {
            await Stop(silos[i], bounded.Token).ConfigureAwait(false);
        }

        silos.Clear();
    }

    private static async Task Stop(IHost host, CancellationToken cancellation)
    {
        try
        {
            await host.StopAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            host.Dispose();
        }
    }

    /// <summary>Ports the OS reports free on 127.0.0.1 (bound together, then released).</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (TcpListener? listener in listeners)
            {
                listener?.Stop();
            }
        }
    }
}
