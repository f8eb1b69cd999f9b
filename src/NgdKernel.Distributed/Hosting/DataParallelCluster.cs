using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace NgdKernel.Distributed;

/// <summary>
/// Where one silo of a data-parallel cluster listens and which silo it joins.
/// </summary>
/// <param name="Silo">The address other silos reach this one at (advertised and listened on) and its silo port.</param>
/// <param name="GatewayPort">The port clients connect to (the trainer's client).</param>
/// <param name="Primary">The primary silo's address and silo port; the primary itself gives its own <paramref name="Silo"/>.</param>
/// <param name="ClusterId">The cluster's name: silos and clients of one cluster give the same.</param>
public sealed record SiloEndpoints(IPEndPoint Silo, int GatewayPort, IPEndPoint Primary, string ClusterId = DataParallelCluster.DefaultClusterId);

/// <summary>
/// Silos and clients of a data-parallel cluster over TCP, one silo per machine, with Orleans'
/// development clustering: the primary silo keeps the membership table and the others join it, and
/// clients connect to a static list of gateways. No other service (database, coordinator) is needed;
/// the cluster lives as long as the primary silo. <see cref="LoopbackCluster"/> runs the same on one
/// machine.
/// </summary>
public static class DataParallelCluster
{
    /// <summary>The cluster name when none is given.</summary>
    public const string DefaultClusterId = "ngd";

    /// <summary>
    /// Starts a silo at <paramref name="endpoints"/> serving <paramref name="source"/>, with the
    /// placement of data-parallel workers and owners.
    /// </summary>
    /// <param name="endpoints">Where it listens and whom it joins.</param>
    /// <param name="source">The data this silo serves (an empty source when every batch comes from the client).</param>
    /// <param name="timeout">Longest wait to start (and to join the primary), and Orleans' response timeout.</param>
    /// <returns>The running silo; stop and dispose it to leave the cluster.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A port is not in [1, 65535] or the timeout is not positive.</exception>
    /// <exception cref="TimeoutException">The silo did not start within <paramref name="timeout"/>.</exception>
    public static async Task<IHost> StartSiloAsync(SiloEndpoints endpoints, IDataShardSource source, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(endpoints.Silo);
        ArgumentNullException.ThrowIfNull(endpoints.Primary);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(endpoints.ClusterId);
        CheckPort(endpoints.Silo.Port, "Silo.Port");
        CheckPort(endpoints.GatewayPort, nameof(endpoints.GatewayPort));
        CheckPort(endpoints.Primary.Port, "Primary.Port");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(source);
        builder.UseOrleans(silo =>
        {
            silo.UseDevelopmentClustering(endpoints.Primary);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = endpoints.ClusterId;
                o.ServiceId = endpoints.ClusterId;
            });
            silo.ConfigureEndpoints(endpoints.Silo.Address, endpoints.Silo.Port, endpoints.GatewayPort);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = timeout);
            silo.AddDataParallelTraining();
        });
        return await StartAsync(builder.Build(), timeout).ConfigureAwait(false);
    }

    /// <summary>Starts a client of the cluster whose gateways are <paramref name="gateways"/>.</summary>
    /// <param name="gateways">Address and gateway port of one or more silos.</param>
    /// <param name="clusterId">The cluster's name, as its silos give it.</param>
    /// <param name="timeout">Longest wait to connect, and Orleans' response timeout.</param>
    /// <returns>The running client (<see cref="IClusterClient"/> among its services); stop and dispose it to disconnect.</returns>
    /// <exception cref="ArgumentException">No gateway is given.</exception>
    /// <exception cref="TimeoutException">No gateway answered within <paramref name="timeout"/>.</exception>
    public static async Task<IHost> StartClientAsync(IReadOnlyList<IPEndPoint> gateways, string clusterId, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        if (gateways.Count == 0)
        {
            throw new ArgumentException("A client needs the address of at least one gateway.", nameof(gateways));
        }

        foreach (IPEndPoint gateway in gateways)
        {
            ArgumentNullException.ThrowIfNull(gateway, nameof(gateways));
            CheckPort(gateway.Port, nameof(gateways));
        }

        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering([.. gateways]);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = timeout);
        });
        return await StartAsync(builder.Build(), timeout).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads <c>HOST:PORT</c> (an IPv4 address, a bracketed IPv6 address, or a host name resolved
    /// here to its first address).
    /// </summary>
    /// <param name="text">The endpoint.</param>
    /// <param name="what">What the endpoint is, for messages (a command-line flag, say).</param>
    /// <exception cref="FormatException">Not <c>HOST:PORT</c>, a port outside [1, 65535], or a host name that does not resolve.</exception>
    public static IPEndPoint ParseEndpoint(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.LastIndexOf(':');
        string host = colon > 0 ? text[..colon].Trim('[', ']') : "";
        if (host.Length == 0
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new FormatException($"{what} '{text}' is not HOST:PORT with a port in [1, 65535].");
        }

        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return new IPEndPoint(address, port);
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new FormatException($"{what} '{text}': host '{host}' does not resolve ({e.Message}).", e);
        }

        return addresses.Length > 0
            ? new IPEndPoint(addresses[0], port)
            : throw new FormatException($"{what} '{text}': host '{host}' has no address.");
    }

    /// <summary>Stops and disposes a silo or client, waiting at most <paramref name="timeout"/> for a graceful stop.</summary>
    public static async Task StopAsync(IHost host, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(host);
        using var bounded = new CancellationTokenSource(timeout);
        try
        {
            await host.StopAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Past the timeout the host stops ungracefully: its peers see it as lost.
        }
        finally
        {
            host.Dispose();
        }
    }

    private static async Task<IHost> StartAsync(IHost host, TimeSpan timeout)
    {
        try
        {
            await host.StartAsync().WaitAsync(timeout).ConfigureAwait(false);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private static void CheckPort(int port, string name)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(name, port, $"'{name}' is {port}: a port must be in [1, 65535].");
        }
    }
}
