using System.Globalization;

namespace NgdKernel.Distributed.Grains;

/// <summary>Grain keys of a run; the last segment is the silo rank <see cref="RankPlacementDirector"/> reads.</summary>
internal static class GrainKeys
{
    public static string Worker(string run, int rank) => string.Create(CultureInfo.InvariantCulture, $"{run}/worker/{rank}");

    public static string Owner(string run, int layer, int siloRank) =>
        string.Create(CultureInfo.InvariantCulture, $"{run}/owner/{layer}/{siloRank}");

    public static string Collective(string run, int rank) => string.Create(CultureInfo.InvariantCulture, $"{run}/collective/{rank}");
}
