using System.Numerics;
using NgdKernel.Experiments;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

namespace NgdKernel.Perf.Cases;

/// <summary>The optimizers a step benchmark compares.</summary>
public enum StepMethod
{
    /// <summary>Plain SGD, the baseline of every step ratio.</summary>
    Sgd = 0,

    /// <summary>Damped NGD (Eq. 20-21) with a fresh Cholesky factor of each covariance per step.</summary>
    NgdCholesky = 1,

    /// <summary>Damped NGD with Sherman-Morrison running inverses (Sec. 7).</summary>
    NgdShermanMorrison = 2,

    /// <summary>
    /// Damped NGD with amortized curvature: Cholesky inverses refreshed and damping adapted every
    /// <see cref="Architecture.AmortizedPeriod"/> steps, running covariances in between.
    /// </summary>
    NgdAmortized = 3,

    /// <summary>
    /// As <see cref="NgdAmortized"/>, and the covariances (with the sampled backward pass) also
    /// updated only every <see cref="Architecture.AmortizedPeriod"/> steps.
    /// </summary>
    NgdAmortizedStatistics = 4,
}

/// <summary>One of the paper's networks, with the settings its benchmark uses.</summary>
/// <param name="Network">The architecture (widths, activations, bias).</param>
/// <param name="NoiseVariance">sigma^2 of the output density.</param>
/// <param name="InitialDamping">NGD's lambda_0.</param>
/// <param name="SgdLearningRate">A stable SGD learning rate on this loss scale.</param>
public sealed record Architecture(PaperNetwork Network, double NoiseVariance, double InitialDamping, double SgdLearningRate)
{
    /// <summary>
    /// The four architectures of the paper's Fig. 1. The linear networks use output variance 1
    /// here, not the experiments' 1e-6: a step costs the same, but with 1e-6 the first damped NGD
    /// step on these 12-16-layer linear networks does not factor (non-positive pivot after the
    /// optimizer's 4 retries) in float, and for fig1a in double too.
    /// </summary>
    public static readonly Architecture[] Paper =
    [
        new(PaperNetwork.Fig1A, 1.0, 1e-2, 1e-3),
        new(PaperNetwork.Fig1B, 1.0, 1e-2, 1e-3),
        new(PaperNetwork.Fig1C, 1.0, 1e-2, 1e-3),
        new(PaperNetwork.MnistAutoencoder, 1.0, 1.0, 0.01),
    ];

    /// <summary>The step-latency case: 4 tanh layers of width 32 with biases.</summary>
    public static readonly Architecture Small = new(PaperNetwork.Small, 1.0, 1.0, 0.01);

    /// <summary>The MNIST autoencoder of Fig. 1D.</summary>
    public static Architecture Mnist => Paper[^1];

    /// <summary>fig1a, fig1b, fig1c, mnist or small.</summary>
    public string Name => Network.Name;

    /// <summary>n_0 .. n_L.</summary>
    public IReadOnlyList<int> Widths => Network.Widths;

    /// <summary>Whether layers have biases.</summary>
    public bool Bias => Network.Bias;

    /// <summary>Number of layers L.</summary>
    public int Layers => Network.LayerCount;

    /// <summary>The network options (student seed 1; a teacher uses another seed).</summary>
    public NetworkOptions Options(ulong seed) => Network.Options(NoiseVariance, seed);

    /// <summary>Steps between refreshes and damping adaptations of <see cref="StepMethod.NgdAmortized"/>.</summary>
    public const int AmortizedPeriod = 10;

    /// <summary>The optimizer of <paramref name="method"/> with this architecture's learning rate
    /// or initial damping.</summary>
    public IOptimizer<T> CreateOptimizer<T>(StepMethod method, Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => method switch
        {
            StepMethod.Sgd => new SgdOptimizer<T>(network, new SgdOptions { LearningRate = SgdLearningRate }),
            StepMethod.NgdCholesky => new NaturalGradientOptimizer<T>(network,
                new NaturalGradientOptions { InitialDamping = InitialDamping, Inverse = CurvatureInverse.Cholesky }),
            StepMethod.NgdShermanMorrison => new NaturalGradientOptimizer<T>(network,
                new NaturalGradientOptions { InitialDamping = InitialDamping, Inverse = CurvatureInverse.ShermanMorrison }),
            StepMethod.NgdAmortized => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions
            {
                InitialDamping = InitialDamping,
                InverseUpdatePeriod = AmortizedPeriod,
                DampingAdaptationInterval = AmortizedPeriod,
            }),
            StepMethod.NgdAmortizedStatistics => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions
            {
                InitialDamping = InitialDamping,
                InverseUpdatePeriod = AmortizedPeriod,
                DampingAdaptationInterval = AmortizedPeriod,
                CurvatureUpdatePeriod = AmortizedPeriod,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown step method."),
        };

    /// <summary>
    /// Flops of one SGD step at batch M: per layer (a inputs with bias, b outputs) forward 2Mab,
    /// gradient 2Mab, and the error propagated to the layer below 2Mab (not for the first layer).
    /// </summary>
    /// <remarks>
    /// Not the same count as <see cref="NgdKernel.Optimizers.SgdOptimizer{T}.FlopsPerStep"/>, which
    /// the CLI's <c>ngd bench step</c> reports: that one propagates without the bias column (2Mbn)
    /// and adds the update (2ab). They agree within 0.05% at M = 1000 and differ by 1.7-1.9% at
    /// M = 20; this count is kept so that the GFLOP/s of the committed perf/results tables stay
    /// comparable from run to run.
    /// </remarks>
    public double SgdFlops(int batch)
    {
        double total = 0;
        for (int l = 0; l < Layers; l++)
        {
            double a = Widths[l] + (Bias ? 1 : 0), b = Widths[l + 1];
            total += (l == 0 ? 4.0 : 6.0) * batch * a * b;
        }

        return total;
    }

    /// <summary>
    /// Flops of one damped NGD step (K = 1, Cholesky, covariance space) at batch M, per layer:
    /// forward 2Mab and the Eq. 21 re-evaluation forward 2Mab; true backward (gradient 2Mab,
    /// propagation 2Mab except layer 1); sampled backward (propagation 2Mab except layer 1, its
    /// gradient is not needed); Lambda M a(a+1) and LambdaT M b(b+1); two Cholesky a^3/3 + b^3/3;
    /// the two-sided solve 2b^2 a + 2a^2 b. NaN when a layer is wider than the batch (the optimizer
    /// then works in sample space, which this count does not model).
    /// </summary>
    /// <remarks>
    /// Not the same count as <see cref="NgdKernel.Optimizers.NaturalGradientOptimizer{T}.FlopsPerStep"/>
    /// (the CLI's): that one propagates without the bias column, adds the dot and update (4ab) and
    /// counts sample-space layers. Where both are defined they agree within 0.05% at M = 1000 and
    /// differ by 1.2% (fig1a) at M = 20; the optimizer's also counts fig1b, fig1c and MNIST at
    /// M = 20, which this one leaves NaN.
    /// </remarks>
    public double NgdFlops(int batch)
    {
        double total = 0;
        for (int l = 0; l < Layers; l++)
        {
            double a = Widths[l] + (Bias ? 1 : 0), b = Widths[l + 1];
            if (a > batch || b > batch)
            {
                return double.NaN;
            }

            double products = (l == 0 ? 6.0 : 10.0) * batch * a * b;
            double covariances = (batch * a * (a + 1)) + (batch * b * (b + 1));
            double factors = ((a * a * a) + (b * b * b)) / 3;
            double solves = (2 * b * b * a) + (2 * a * a * b);
            total += products + covariances + factors + solves;
        }

        return total;
    }
}

/// <summary>A training-step case: architecture, batch and threads; shown as <c>mnist M=1000 t1</c>.</summary>
/// <param name="Network">The architecture.</param>
/// <param name="Batch">Examples per step (M).</param>
/// <param name="Threads">Kernel threads.</param>
public sealed record StepCase(Architecture Network, int Batch, int Threads = 1) : IMethodFlopCount, IThreadCount
{
    /// <summary>NGD at the paper's M = 1000 and SGD's M = 20 for every architecture, at equal batch;
    /// MNIST also on 2 threads.</summary>
    public static IEnumerable<StepCase> All()
    {
        foreach (Architecture architecture in Architecture.Paper)
        {
            yield return new(architecture, 1000);
            yield return new(architecture, 20);
        }

        yield return new(Architecture.Paper[^1], 1000, 2);
    }

    /// <inheritdoc/>
    public double FlopsFor(string method) => method switch
    {
        "Sgd" => Network.SgdFlops(Batch),
        "NgdCholesky" => Network.NgdFlops(Batch),
        _ => double.NaN, // Sherman-Morrison: rank-1 updates per example plus periodic refreshes
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Network.Name} M={Batch} t{Threads}";
}
