using System.CommandLine;

namespace NgdKernel.Cli.Distributed;

/// <summary>
/// The data-parallel part of the command line, on NgdKernel.Distributed (Microsoft Orleans):
/// <c>ngd silo</c> and <c>--workers P [--cluster ...]</c>. Orleans does not support Native AOT, so the
/// Native AOT build compiles <c>DataParallelAot/DataParallelCommands.cs</c> instead, which refuses both
/// by name (see NgdKernel.Cli.csproj).
/// </summary>
internal static class DataParallelCommands
{
    /// <summary>Adds <c>ngd silo</c> to <paramref name="root"/>.</summary>
    public static void AddTo(RootCommand root, TextWriter output, CancellationToken cancellation) =>
        root.Add(SiloCommand.Create(output, cancellation));

    /// <summary>The cluster <c>--workers</c> trains on: P silos in this process, or those of <c>--cluster</c>.</summary>
    public static IClusterTrainerSource Start(ExperimentSettings settings, TextWriter output) => DataParallelTrainerSource.Start(settings, output);
}
