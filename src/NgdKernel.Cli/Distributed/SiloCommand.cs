using System.CommandLine;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NgdKernel.Distributed;

namespace NgdKernel.Cli.Distributed;

/// <summary>
/// <c>ngd silo --listen HOST:PORT --gateway PORT [--primary HOST:PORT]</c>: one silo of a
/// data-parallel cluster on this machine, until Ctrl+C or SIGTERM. The first silo is the primary (no
/// <c>--primary</c>); the others name it. A trainer then runs on the cluster with
/// <c>ngd mnist --workers P --cluster HOST:GATEWAY,...</c> from any machine that reaches the gateways.
/// The silos hold no data: every batch comes from the trainer.
/// </summary>
internal static class SiloCommand
{
    /// <summary>Longest wait for the silo to start or to stop, and for any reply between silos.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Builds the <c>silo</c> command; it runs until <paramref name="cancellation"/> fires.</summary>
    public static Command Create(TextWriter output, CancellationToken cancellation)
    {
        var listen = new Option<string>("--listen")
        {
            Description = "Address other machines reach this silo at, and its silo port (HOST:PORT, e.g. 10.0.0.2:11111).",
            HelpName = "HOST:PORT",
            Required = true,
        };
        var gateway = new Option<int>("--gateway")
        {
            Description = "Port trainers (ngd mnist --cluster) connect to on this machine.",
            HelpName = "PORT",
            DefaultValueFactory = _ => 30000,
        };
        var primary = new Option<string?>("--primary")
        {
            Description = "The primary silo's HOST:PORT (its --listen), which keeps the cluster's membership; omit on the primary itself.",
            HelpName = "HOST:PORT",
        };
        var command = new Command("silo", "Runs one silo of a data-parallel cluster on this machine until Ctrl+C (development clustering over TCP, no other service).")
        {
            listen,
            gateway,
            primary,
        };
        command.SetAction(parse =>
        {
            IPEndPoint self = Endpoint(parse.GetValue(listen)!, "--listen");
            IPEndPoint first = parse.GetValue(primary) is string p ? Endpoint(p, "--primary") : self;
            int port = parse.GetValue(gateway);
            if (port is < 1 or > 65535)
            {
                throw new UsageException($"--gateway is {port}: a port must be in [1, 65535].");
            }

            IHost silo = DataParallelCluster.StartSiloAsync(new SiloEndpoints(self, port, first), new InMemoryShardSource(), Timeout)
                .GetAwaiter().GetResult();
            output.WriteLine($"silo {self} (gateway port {port}) in cluster '{DataParallelCluster.DefaultClusterId}', primary {first}; Ctrl+C or SIGTERM stops it");
            try
            {
                // Ctrl+C, or SIGTERM (a service manager), which the host's console lifetime turns into ApplicationStopping.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(
                    cancellation, silo.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
                Task.Delay(System.Threading.Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default).GetAwaiter().GetResult();
            }
            finally
            {
                DataParallelCluster.StopAsync(silo, Timeout).GetAwaiter().GetResult();
            }

            return CliApp.ExitSuccess;
        });
        return command;
    }

    /// <summary>A HOST:PORT flag, or a usage error naming it.</summary>
    internal static IPEndPoint Endpoint(string text, string flag)
    {
        try
        {
            return DataParallelCluster.ParseEndpoint(text, flag);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
