using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace NgdKernel.Distributed.Tests;

/// <summary>A small regression problem every test trains on, served by every silo.</summary>
internal static class DistributedData
{
    public const string Name = "train";
    public const int Examples = 96;
    public static readonly int[] Widths = [5, 7, 6, 3];

    public static InMemoryShardSource CreateSource()
    {
        var source = new InMemoryShardSource();
        var rng = new Xoshiro256(2024);
        var inputs = new double[Examples * Widths[0]];
        var targets = new double[Examples * Widths[^1]];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (2 * rng.NextDouble()) - 1;
        }

        // Targets: a fixed smooth function of the inputs plus noise, so the loss keeps decreasing.
        for (int n = 0; n < Examples; n++)
        {
            for (int j = 0; j < Widths[^1]; j++)
            {
                double sum = 0;
                for (int i = 0; i < Widths[0]; i++)
                {
                    sum += Math.Sin((i + 1) * (j + 2) * 0.7) * inputs[(n * Widths[0]) + i];
                }

                targets[(n * Widths[^1]) + j] = Math.Tanh(sum) + (0.05 * ((2 * rng.NextDouble()) - 1));
            }
        }

        source.Add(Name, inputs, targets, Widths[0], Widths[^1]);
        return source;
    }

    public static Network<T> CreateNetwork<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new(new NetworkOptions
        {
            Widths = Widths,
            HiddenActivation = Activation.Tanh,
            Bias = true,
            Seed = 11,
        });
}

/// <summary>Three silos in this process (Orleans' in-process test cluster) serving <see cref="DistributedData"/>.</summary>
public sealed class DistributedClusterFixture : IAsyncLifetime
{
    public const int SiloCount = 3;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    internal InMemoryShardSource Source { get; } = DistributedData.CreateSource();

    public async Task InitializeAsync() => Cluster = await StartAsync(Source);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    internal static async Task<InProcessTestCluster> StartAsync(IDataShardSource source)
    {
        var builder = new InProcessTestClusterBuilder(SiloCount);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(source);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(20));
            silo.AddDataParallelTraining();
        });
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(20)));
        InProcessTestCluster cluster = builder.Build();
        await cluster.DeployAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return cluster;
    }
}

[CollectionDefinition(Name)]
public sealed class DistributedClusterCollection : ICollectionFixture<DistributedClusterFixture>
{
    public const string Name = "Distributed cluster";
}
