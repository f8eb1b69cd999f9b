namespace NgdKernel.Cli.Experiments;

/// <summary>
/// Trainers that step on a data-parallel cluster (<c>--workers P</c>); disposing stops the silos this
/// process started, or disconnects from the cluster of other machines.
/// </summary>
internal interface IClusterTrainerSource : ITrainerSource, IDisposable
{
    /// <summary>One line per optimizer: mean wall-clock time of a data-parallel step.</summary>
    void WriteSummary(TextWriter output);
}
