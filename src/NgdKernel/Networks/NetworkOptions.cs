namespace NgdKernel.Networks;

/// <summary>
/// Architecture and initialisation of a <see cref="Network{T}"/>: widths <c>n_0..n_L</c>, one
/// activation per layer, optional biases, the output covariance and the seed.
/// </summary>
/// <remarks>
/// Layer <c>l</c> (0-based in the API, paper index <c>i = l + 1</c>) maps width
/// <c>Widths[l]</c> to <c>Widths[l + 1]</c>. Validation happens in <see cref="Validate"/>, called by
/// the network's constructor; every message names the property and the offending value.
/// </remarks>
public sealed record NetworkOptions
{
    /// <summary>Layer widths <c>n_0</c> (input) .. <c>n_L</c> (output); at least two entries, each &gt;= 1.</summary>
    public required IReadOnlyList<int> Widths { get; init; }

    /// <summary>
    /// One activation per layer (<c>L</c> entries). When null, layers 0..L-2 use
    /// <see cref="HiddenActivation"/> and the last layer <see cref="OutputActivation"/>.
    /// </summary>
    public IReadOnlyList<Activation>? Activations { get; init; }

    /// <summary>Activation of the hidden layers when <see cref="Activations"/> is null. Default identity.</summary>
    public Activation HiddenActivation { get; init; } = Activation.Identity;

    /// <summary>Activation of the last layer when <see cref="Activations"/> is null. Default identity.</summary>
    public Activation OutputActivation { get; init; } = Activation.Identity;

    /// <summary>
    /// Whether each layer has a bias, folded into <c>W_i</c> as an extra last column that multiplies a
    /// constant-1 input component (so <c>W_i</c> is <c>[n_i, n_{i-1} + 1]</c>). Default false.
    /// </summary>
    public bool Bias { get; init; }

    /// <summary>
    /// Output covariance <c>SigmaT</c> of the <see cref="OutputDensity.Gaussian"/> density. Default
    /// <see cref="OutputCovariance.Identity"/>, the only value the other densities accept.
    /// </summary>
    public OutputCovariance OutputCovariance { get; init; } = OutputCovariance.Identity;

    /// <summary>
    /// The output density <c>p(y | x_L)</c>: loss, output error and the targets sampled for Eq. 20.
    /// Default <see cref="OutputDensity.Gaussian"/> (the paper's).
    /// </summary>
    public OutputDensity OutputDensity { get; init; } = OutputDensity.Gaussian;

    /// <summary>Seed of the weight initialisation. Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Initial weights are <c>N(0, InitScale^2 / n_{i-1})</c> (biases 0). Default 1, the paper's
    /// <c>N(0, 1/n_in)</c>.
    /// </summary>
    public double InitScale { get; init; } = 1.0;

    /// <summary>
    /// Bytes the network may allocate for its weights (and the output precision matrices of a full
    /// <see cref="OutputCovariance"/>), checked by the constructor before allocating; beyond it, or for a
    /// layer whose weights exceed one .NET array, a <see cref="Optimizers.MemoryLimitException"/> names the
    /// widths that size it. Null (the default) means <see cref="Optimizers.MemoryEstimate.DefaultLimit"/>.
    /// <see cref="Network{T}.EstimateMemory"/> lists the buffers.
    /// </summary>
    public long? MemoryLimit { get; init; }

    /// <summary>Number of layers <c>L</c>.</summary>
    public int LayerCount => Widths.Count - 1;

    /// <summary>Activation of layer <paramref name="layer"/> (0-based).</summary>
    public Activation ActivationOf(int layer) =>
        Activations is not null ? Activations[layer]
        : layer == LayerCount - 1 ? OutputActivation : HiddenActivation;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentException">A width, activation, scale or covariance is invalid.</exception>
    public void Validate()
    {
        if (Widths is null || Widths.Count < 2)
        {
            throw new ArgumentException(
                $"'{nameof(Widths)}' has {Widths?.Count ?? 0} entries: give at least the input and output widths.",
                nameof(Widths));
        }

        Optimizers.OptimizerMemory.ValidateLimit(MemoryLimit);

        for (int l = 0; l < Widths.Count; l++)
        {
            if (Widths[l] < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(Widths), Widths[l],
                    string.Create(CultureInfo.InvariantCulture, $"'{nameof(Widths)}[{l}]' is {Widths[l]}: widths must be >= 1."));
            }
        }

        if (Activations is not null)
        {
            if (Activations.Count != LayerCount)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"'{nameof(Activations)}' has {Activations.Count} entries but the network has {LayerCount} layers."),
                    nameof(Activations));
            }

            for (int l = 0; l < Activations.Count; l++)
            {
                if (!Enum.IsDefined(Activations[l]))
                {
                    throw new ArgumentOutOfRangeException(nameof(Activations), Activations[l],
                        string.Create(CultureInfo.InvariantCulture, $"'{nameof(Activations)}[{l}]' is not an activation."));
                }
            }
        }

        if (!Enum.IsDefined(HiddenActivation))
        {
            throw new ArgumentOutOfRangeException(nameof(HiddenActivation), HiddenActivation, "Not an activation.");
        }

        if (!Enum.IsDefined(OutputActivation))
        {
            throw new ArgumentOutOfRangeException(nameof(OutputActivation), OutputActivation, "Not an activation.");
        }

        if (!double.IsFinite(InitScale) || InitScale < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(InitScale), InitScale, "'InitScale' must be finite and >= 0.");
        }

        ArgumentNullException.ThrowIfNull(OutputCovariance, nameof(OutputCovariance));
        if (!Enum.IsDefined(OutputDensity))
        {
            throw new ArgumentOutOfRangeException(nameof(OutputDensity), OutputDensity, "Not an output density.");
        }

        if (OutputDensity != OutputDensity.Gaussian)
        {
            if (!(OutputCovariance.IsIsotropic && OutputCovariance.Variance == 1.0))
            {
                throw new ArgumentException(
                    $"'{nameof(OutputCovariance)}' is set but '{nameof(OutputDensity)}' is {OutputDensity}: an output covariance belongs to the Gaussian density only.",
                    nameof(OutputCovariance));
            }

            if (OutputDensity == OutputDensity.Categorical && Widths[^1] < 2)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"'{nameof(OutputDensity)}' is Categorical but the output width is {Widths[^1]}: a categorical output needs n_L >= 2 classes (use Bernoulli for one binary output)."),
                    nameof(OutputDensity));
            }
        }

        if (!OutputCovariance.IsIsotropic && OutputCovariance.Dimension != Widths[^1])
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"'{nameof(OutputCovariance)}' is {OutputCovariance.Dimension}x{OutputCovariance.Dimension} but the output width is {Widths[^1]}."),
                nameof(OutputCovariance));
        }
    }
}

/// <summary>Loss of a batch: the negative log-likelihood of the output density, and the plain mean squared error.</summary>
/// <param name="Loss">
/// Negative log-likelihood averaged over examples: Gaussian without constants,
/// <c>0.5 &lt;(y - x_L)^T SigmaT^-1 (y - x_L)&gt;</c> (Eq. 6); categorical the cross-entropy
/// <c>&lt;-log p_y&gt;</c>; Bernoulli the binary cross-entropy summed over outputs.
/// </param>
/// <param name="MeanSquaredError">
/// Mean over examples and output components of <c>(y - x_L)^2</c> (Gaussian), or of <c>(y - p)^2</c>
/// with <c>p</c> the predicted probabilities and labels read as one-hot rows (categorical, Bernoulli).
/// </param>
public readonly record struct LossValues(double Loss, double MeanSquaredError);
