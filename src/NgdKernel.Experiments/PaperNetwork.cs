using NgdKernel.Networks;

namespace NgdKernel.Experiments;

/// <summary>
/// A network architecture of the paper's experiments (Fig. 1A-D) or of the step-latency benchmark:
/// the one definition the command line, the benchmarks and the tests build their networks from.
/// </summary>
/// <param name="Name">Short name used on the command line and in result tables (<c>fig1a</c>, <c>mnist</c>, ...).</param>
/// <param name="Widths">Layer widths <c>n_0 .. n_L</c>.</param>
/// <param name="TanhHidden">tanh on the hidden layers and identity on the last; else linear everywhere.</param>
/// <param name="Bias">Whether every layer has a bias (a folded last weight column).</param>
public sealed record PaperNetwork(string Name, IReadOnlyList<int> Widths, bool TanhHidden, bool Bias)
{
    /// <summary>The output density; Gaussian (the paper's) unless stated.</summary>
    public OutputDensity Density { get; init; } = OutputDensity.Gaussian;

    /// <summary>Fig. 1A: deep linear network, L = 16, all widths 20, no bias.</summary>
    public static PaperNetwork Fig1A { get; } = new("fig1a", [.. Enumerable.Repeat(20, 17)], TanhHidden: false, Bias: false);

    /// <summary>Fig. 1B: deep linear network, L = 16, widths 20, 30, ..., 100, ..., 30, 20, no bias.</summary>
    public static PaperNetwork Fig1B { get; } = new("fig1b",
        [20, 30, 40, 50, 60, 70, 80, 90, 100, 90, 80, 70, 60, 50, 40, 30, 20], TanhHidden: false, Bias: false);

    /// <summary>Fig. 1C: bottleneck linear network, L = 12, widths 200, 80, 34, 20, 10, 5, 2 and back, no bias.</summary>
    public static PaperNetwork Fig1C { get; } = new("fig1c",
        [200, 80, 34, 20, 10, 5, 2, 5, 10, 20, 34, 80, 200], TanhHidden: false, Bias: false);

    /// <summary>Fig. 1D: MNIST autoencoder 784-400-200-100-50-100-200-400-784, tanh except the last layer, biases.</summary>
    public static PaperNetwork MnistAutoencoder { get; } = new("mnist",
        [784, 400, 200, 100, 50, 100, 200, 400, 784], TanhHidden: true, Bias: true);

    /// <summary>
    /// MNIST digit classification: 784-400-200-10, tanh hidden layers, biases, a softmax output with the
    /// cross-entropy loss (<see cref="OutputDensity.Categorical"/>).
    /// </summary>
    public static PaperNetwork MnistClassifier { get; } = new("mnistclass", [784, 400, 200, 10], TanhHidden: true, Bias: true)
    {
        Density = OutputDensity.Categorical,
    };

    /// <summary>
    /// The step-latency case of online learning in an embedding application: 4 tanh layers of
    /// width 32 with biases (32-32-32-32-32).
    /// </summary>
    public static PaperNetwork Small { get; } = new("small", [32, 32, 32, 32, 32], TanhHidden: true, Bias: true);

    /// <summary>The four networks of Fig. 1, in the figure's order.</summary>
    public static IReadOnlyList<PaperNetwork> Figure1 { get; } = [Fig1A, Fig1B, Fig1C, MnistAutoencoder];

    /// <summary>Number of layers <c>L</c>.</summary>
    public int LayerCount => Widths.Count - 1;

    /// <summary>Input width <c>n_0</c>.</summary>
    public int InputWidth => Widths[0];

    /// <summary>Output width <c>n_L</c>.</summary>
    public int OutputWidth => Widths[^1];

    /// <summary>Options of a network of this architecture.</summary>
    /// <param name="outputVariance">
    /// Variance <c>s</c> of the isotropic output density <c>N(x_L, s I)</c> (Eq. 6); unused by a
    /// categorical or Bernoulli output.
    /// </param>
    /// <param name="seed">Seed of the weight initialisation.</param>
    /// <returns>Widths, activations and bias of this architecture, with the given covariance and seed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputVariance"/> is not positive and finite.</exception>
    public NetworkOptions Options(double outputVariance, ulong seed) => new()
    {
        Widths = Widths,
        HiddenActivation = TanhHidden ? Activation.Tanh : Activation.Identity,
        OutputActivation = Activation.Identity,
        Bias = Bias,
        OutputCovariance = Density == OutputDensity.Gaussian ? OutputCovariance.Isotropic(outputVariance) : OutputCovariance.Identity,
        OutputDensity = Density,
        Seed = seed,
    };

    /// <summary>The architecture called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No architecture has that name (the message lists the names).</exception>
    public static PaperNetwork Get(string name)
    {
        foreach (PaperNetwork network in (PaperNetwork[])[.. Figure1, MnistClassifier, Small])
        {
            if (network.Name == name)
            {
                return network;
            }
        }

        throw new ArgumentException(
            $"'{name}' is not a paper network: use one of fig1a, fig1b, fig1c, mnist, mnistclass, small.", nameof(name));
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{string.Join("-", Widths)}]";
}
