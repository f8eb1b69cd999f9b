namespace NgdKernel.Checkpoints;

/// <summary>Element type of the weights and state in a checkpoint (header field at byte 12).</summary>
public enum CheckpointElementType
{
    /// <summary>IEEE 754 binary32 (<see cref="float"/>).</summary>
    Float32 = 1,

    /// <summary>IEEE 754 binary64 (<see cref="double"/>).</summary>
    Float64 = 2,
}

/// <summary>Which optimizer's state a checkpoint holds.</summary>
public enum CheckpointOptimizerKind
{
    /// <summary>Weights only (<see cref="Checkpoint.Save{T}(string, Network{T})"/>).</summary>
    None = 0,

    /// <summary><see cref="Optimizers.SgdOptimizer{T}"/>: step count and momentum buffers.</summary>
    Sgd = 1,

    /// <summary>
    /// <see cref="Optimizers.NaturalGradientOptimizer{T}"/>: step count, damping, sampling generator and,
    /// in Sherman-Morrison mode, the running covariances and inverses.
    /// </summary>
    NaturalGradient = 2,

    /// <summary><see cref="Optimizers.ExactNaturalGradientOptimizer{T}"/>: step count and sampling generator.</summary>
    ExactNaturalGradient = 3,
}

/// <summary>What a verified checkpoint holds, from <see cref="Checkpoint.ReadInfo"/>.</summary>
/// <param name="FilePath">The file that was read.</param>
/// <param name="FormatVersion">Format version (1).</param>
/// <param name="ElementType">Element type of weights and state.</param>
/// <param name="Widths">Layer widths <c>n_0 .. n_L</c>.</param>
/// <param name="Activations">One activation per layer.</param>
/// <param name="Bias">Whether the weights carry a bias column.</param>
/// <param name="Optimizer">Whose optimizer state is stored.</param>
/// <param name="StepCount">Optimizer steps taken when the checkpoint was written (0 for weights only).</param>
/// <param name="ApplicationDataLength">Bytes of application data stored with the checkpoint.</param>
/// <param name="Length">File length in bytes.</param>
public sealed record CheckpointInfo(
    string FilePath,
    int FormatVersion,
    CheckpointElementType ElementType,
    IReadOnlyList<int> Widths,
    IReadOnlyList<Activation> Activations,
    bool Bias,
    CheckpointOptimizerKind Optimizer,
    long StepCount,
    long ApplicationDataLength,
    long Length)
{
    /// <summary>The output density <c>p(y | x_L)</c> the network was trained with.</summary>
    public OutputDensity OutputDensity { get; init; } = OutputDensity.Gaussian;

    /// <summary>Every field, with the widths and activations listed (<c>Widths = [784, 400, 784]</c>).</summary>
    /// <returns>One line, invariant culture.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"CheckpointInfo {{ FilePath = {FilePath}, FormatVersion = {FormatVersion}, ElementType = {ElementType}, " +
        $"Widths = [{string.Join(", ", Widths)}], Activations = [{string.Join(", ", Activations)}], Bias = {Bias}, " +
        $"OutputDensity = {OutputDensity}, Optimizer = {Optimizer}, StepCount = {StepCount}, ApplicationDataLength = {ApplicationDataLength}, Length = {Length} }}");
}
