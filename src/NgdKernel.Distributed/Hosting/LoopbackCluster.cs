using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace NgdKernel.Distributed;

/// <summary>
/// P silos in this process, talking over TCP on 127.0.0.1 exactly as silos on separate machines do
/// (each silo its own port and gateway, hosted by <see cref="DataParallelCluster"/>), plus a client:
/// the cluster <c>ngd mnist --workers P</c> uses.
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
            // The hosting of several machines, every address 127.0.0.1.
            for (int i = 0; i < siloCount; i++)
            {
                silos.Add(await DataParallelCluster.StartSiloAsync(
                    new SiloEndpoints(new IPEndPoint(IPAddress.Loopback, siloPorts[i]), gatewayPorts[i], primary, clusterId), source, timeout)
                    .ConfigureAwait(false));
            }

            client = await DataParallelCluster.StartClientAsync(
                [.. gatewayPorts.Select(p => new IPEndPoint(IPAddress.Loopback, p))], clusterId, timeout).ConfigureAwait(false);
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
        if (client is not null)
        {
            await DataParallelCluster.StopAsync(client, StopTimeout).ConfigureAwait(false);
        }

        for (int i = silos.Count - 1; i >= 0; i--)
        {
            await DataParallelCluster.StopAsync(silos[i], StopTimeout).ConfigureAwait(false);
        }

        silos.Clear();
    }

    /// <summary>Longest wait for one host to stop.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Ports the OS reports free on 127.0.0.1 (bound together, then released).</summary>
    internal static int[] FreePorts(int count)
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
