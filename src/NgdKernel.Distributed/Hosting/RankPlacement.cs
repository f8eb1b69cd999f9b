using System.Globalization;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace NgdKernel.Distributed;

/// <summary>
/// Places a grain on the silo whose rank is the last '/'-separated segment of its string key: rank r
/// is the r-th active silo in (address, port, generation) order, the same order on every silo.
/// Workers (one per silo) and layer owners (assigned by cost) are pinned this way.
/// </summary>
[GenerateSerializer]
[Immutable]
[SuppressReferenceTracking]
internal sealed class RankPlacement : PlacementStrategy
{
}

/// <summary>Marks a grain class as placed by <see cref="RankPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class RankPlacementAttribute : PlacementAttribute
{
    public RankPlacementAttribute()
        : base(new RankPlacement())
    {
    }
}

/// <summary>The director of <see cref="RankPlacement"/>.</summary>
internal sealed class RankPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0)
        {
            throw new InvalidOperationException($"No silo can host {target.GrainIdentity}.");
        }

        int rank = Rank(target.GrainIdentity.Key.ToString()!);
        SiloAddress[] ordered = [.. silos.OrderBy(s => s.Endpoint.Address.ToString(), StringComparer.Ordinal)
            .ThenBy(s => s.Endpoint.Port).ThenBy(s => s.Generation)];
        return Task.FromResult(ordered[rank % ordered.Length]);
    }

    /// <summary>The silo rank a grain key names (its last segment).</summary>
    public static int Rank(string key)
    {
        int slash = key.LastIndexOf('/');
        return int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int rank)
            ? rank
            : throw new ArgumentException($"Grain key '{key}' does not end with a silo rank.", nameof(key));
    }
}

/// <summary>Silo setup for data-parallel training.</summary>
public static class DataParallelSiloExtensions
{
    /// <summary>
    /// Registers the placement that pins workers and layer owners to silos by rank. Every silo of a
    /// data-parallel cluster calls this and registers an <see cref="IDataShardSource"/> service.
    /// </summary>
    public static ISiloBuilder AddDataParallelTraining(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPlacementDirector<RankPlacement, RankPlacementDirector>();
        return builder;
    }
}
