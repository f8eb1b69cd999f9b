using System.Numerics;

namespace NgdKernel.Cli.Bench;

/// <summary>Training-step timings of <c>ngd bench step</c> (filled in once the optimizer API is in place).</summary>
internal static class StepCases
{
    public static IEnumerable<BenchRow> Run<T>(BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        _ = settings;
        _ = peak;
        return [];
    }
}
