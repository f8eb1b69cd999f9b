namespace NgdKernel.Optimizers;

/// <summary>Where <see cref="ExactNaturalGradientOptimizer{T}"/> takes a model covariance from.</summary>
public enum CovarianceSource
{
    /// <summary>
    /// From the model's own distribution in closed form: <c>&lt;e_i e_i^T&gt; = A_i^T SigmaT^-1 A_i</c>
    /// (Eq. 14) and <c>&lt;x_{i-1} x_{i-1}^T&gt; = B_i Sigma B_i^T</c> (Eq. 15). Linear networks only.
    /// </summary>
    Model = 0,

    /// <summary>
    /// From samples: the batch's forward activations, and K backward passes with targets sampled from
    /// the model. Works for any network.
    /// </summary>
    Samples = 1,

    /// <summary>
    /// The exact expectation over the output density, for any network and density: per example the
    /// n_L columns of a square root of the output Fisher are back-propagated in place of sampled errors
    /// (see <see cref="FisherEstimate.Exact"/>). <see cref="ExactNaturalGradientOptions.SampleCount"/> is ignored.
    /// </summary>
    ExactOutputFisher = 2,
}

/// <summary>Options of the undamped exact natural gradient (paper Eq. 10).</summary>
public sealed record ExactNaturalGradientOptions : IValidatedOptions
{
    /// <summary>Learning rate <c>alpha</c> &gt; 0 (time step of Eq. 10). Default 1.</summary>
    public double LearningRate { get; init; } = 1.0;

    /// <summary>
    /// Error covariance <c>&lt;e e^T&gt;</c>: <see cref="CovarianceSource.Model"/> (Eq. 14, default; linear
    /// Gaussian networks), sampled, or <see cref="CovarianceSource.ExactOutputFisher"/>.
    /// </summary>
    public CovarianceSource ErrorCovariance { get; init; } = CovarianceSource.Model;

    /// <summary>
    /// Input covariance <c>Sigma = &lt;x x^T&gt;</c>, <c>[n_0, n_0]</c> row-major, for Eq. 15 in closed form
    /// (linear network without bias). Null: use the batch's activations <c>&lt;x_{i-1} x_{i-1}^T&gt;</c>.
    /// </summary>
    public double[]? InputCovariance { get; init; }

    /// <summary>Sampled backward passes <c>K</c> when <see cref="ErrorCovariance"/> is sampled. Default 1.</summary>
    public int SampleCount { get; init; } = 1;

    /// <summary>
    /// Bytes the optimizer may allocate (its buffers and the network workspace, not the network's
    /// weights), checked at construction and at the first step of each batch size before anything is
    /// allocated; beyond it a <see cref="MemoryLimitException"/> names the layer width, batch size or
    /// <see cref="SampleCount"/> that sizes the largest buffer. Null (the default) means
    /// <see cref="MemoryEstimate.DefaultLimit"/>, 75 % of the memory available to the process.
    /// <see cref="ExactNaturalGradientOptimizer{T}.EstimateMemory"/> lists the buffers.
    /// </summary>
    public long? MemoryLimit { get; init; }

    /// <summary>
    /// Eigenvalues at or below <c>cutoff * max</c> are dropped by the pseudo-inverses. Null (default):
    /// <c>100 n eps</c> of the element type, n the covariance's size.
    /// </summary>
    public double? PseudoInverseCutoff { get; init; }

    /// <summary>Seed of the sampled targets. Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Blocks of back-propagated output errors per example: K, n_L for the exact output Fisher, 0 for the closed form.</summary>
    internal int ErrorBlocks(int outputWidth) => ErrorCovariance switch
    {
        CovarianceSource.Samples => SampleCount,
        CovarianceSource.ExactOutputFisher => outputWidth,
        _ => 0,
    };

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The message names the option and its value.</exception>
    public void Validate()
    {
        NaturalGradientOptions.Positive(LearningRate, nameof(LearningRate));
        if (!Enum.IsDefined(ErrorCovariance))
        {
            throw NaturalGradientOptions.Range(nameof(ErrorCovariance), ErrorCovariance, "not a CovarianceSource");
        }

        OptimizerMemory.ValidateLimit(MemoryLimit);
        if (SampleCount < 1)
        {
            throw NaturalGradientOptions.Range(nameof(SampleCount), SampleCount, "it must be >= 1");
        }

        if (PseudoInverseCutoff is double c && !(c >= 0 && c < 1))
        {
            throw NaturalGradientOptions.Range(nameof(PseudoInverseCutoff), c, "it must be in [0, 1)");
        }

        if (InputCovariance is not null)
        {
            foreach (double v in InputCovariance)
            {
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"'{nameof(InputCovariance)}' holds {v}: it must be finite."),
                        nameof(InputCovariance));
                }
            }
        }
    }
}
