using System.CommandLine;

namespace NgdKernel.Cli.Distributed;

/// <summary>
/// The Native AOT build's stand-in for the data-parallel commands: Microsoft Orleans, which they run
/// on, does not support Native AOT (its assemblies produce trim and AOT analysis warnings), so this
/// build leaves NgdKernel.Distributed out and refuses <c>ngd silo</c> and <c>--workers</c> by name.
/// </summary>
internal static class DataParallelCommands
{
    private const string Refusal =
        "data-parallel training runs on Microsoft Orleans, which does not support Native AOT: use the JIT build of ngd (dotnet ngd.dll) for {0}.";

    /// <summary>Adds a <c>silo</c> command that explains where to find it.</summary>
    public static void AddTo(RootCommand root, TextWriter output, CancellationToken cancellation)
    {
        _ = output;
        _ = cancellation;
        var command = new Command("silo", "Not in the Native AOT build: runs one silo of a data-parallel cluster (JIT build only).")
        {
            // Any flags of the JIT build's silo command reach the refusal, not a parse error.
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(_ => Refuse("'ngd silo'"));
        root.Add(command);
    }

    /// <summary>Refuses <c>--workers</c>.</summary>
    public static IClusterTrainerSource Start(ExperimentSettings settings, TextWriter output)
    {
        _ = settings;
        _ = output;
        return Refuse<IClusterTrainerSource>("--workers");
    }

    private static int Refuse(string what) => Refuse<int>(what);

    private static T Refuse<T>(string what) =>
        throw new UsageException(string.Format(System.Globalization.CultureInfo.InvariantCulture, Refusal, what));
}
