using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

namespace NgdKernel.Cli.Bench;

/// <summary>
/// <c>ngd bench step</c>: one optimizer step of the MNIST autoencoder (784-400-200-100-50-100-200-400-784,
/// tanh, biases) at M = 1000: SGD, NGD with Cholesky inverses and NGD with Sherman-Morrison inverses,
/// as GFLOP/s of the counted flops (SGD and NGD-Cholesky) and the NGD / SGD time ratio at equal batch.
/// </summary>
internal static class StepCases
{
    private const int Batch = 1000;
    private static readonly int[] Widths = [784, 400, 200, 100, 50, 100, 200, 400, 784];

    public static IEnumerable<BenchRow> Run<T>(BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] data = KernelCases.Random<T>(Batch * Widths[0], 7);
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = T.Abs(data[i]); // pixel-like values in [0, 1]; the autoencoder's targets are its inputs
        }

        double sgdSeconds = double.NaN;
        foreach (string op in (string[])["sgd", "ngd-cholesky", "ngd-sherman-morrison"])
        {
            var network = new Network<T>(new NetworkOptions
            {
                Widths = Widths,
                HiddenActivation = Activation.Tanh,
                OutputActivation = Activation.Identity,
                Bias = true,
                OutputCovariance = OutputCovariance.Isotropic(1.0),
                Seed = 1,
            }, settings.Context);
            IOptimizer<T> optimizer = op switch
            {
                "sgd" => new SgdOptimizer<T>(network, new SgdOptions { LearningRate = 0.01 }),
                "ngd-cholesky" => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.Cholesky }),
                _ => new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison }),
            };
            double seconds = Timing.SecondsPerCall(() => optimizer.Step(
                new ReadOnlySpan2D<T>(data, Batch, Widths[0]), new ReadOnlySpan2D<T>(data, Batch, Widths[0])));
            double flops = op switch
            {
                "sgd" => SgdFlops(),
                "ngd-cholesky" => NgdFlops(),
                _ => double.NaN,
            };
            sgdSeconds = op == "sgd" ? seconds : sgdSeconds;
            yield return new BenchRow("step", op, settings.PrecisionName, Batch, Widths[^1], Widths[0], settings.Threads,
                flops / seconds / 1e9, null, peak, seconds);
        }
    }

    /// <summary>Per layer (a = inputs + bias, b = outputs): forward, gradient and propagation (not layer 1), 2Mab each.</summary>
    private static double SgdFlops()
    {
        double total = 0;
        for (int l = 0; l + 1 < Widths.Length; l++)
        {
            double a = Widths[l] + 1, b = Widths[l + 1];
            total += (l == 0 ? 4.0 : 6.0) * Batch * a * b;
        }

        return total;
    }

    /// <summary>
    /// Per layer: two forwards (step and Eq. 21 re-evaluation), true backward (gradient + propagation),
    /// sampled backward (propagation), 2Mab each; covariances M a(a+1) + M b(b+1); Cholesky
    /// (a^3 + b^3)/3; two-sided solve 2b^2 a + 2a^2 b. Same count as the BenchmarkDotNet suite.
    /// </summary>
    private static double NgdFlops()
    {
        double total = 0;
        for (int l = 0; l + 1 < Widths.Length; l++)
        {
            double a = Widths[l] + 1, b = Widths[l + 1];
            total += ((l == 0 ? 6.0 : 10.0) * Batch * a * b) + (Batch * a * (a + 1)) + (Batch * b * (b + 1))
                + (((a * a * a) + (b * b * b)) / 3) + (2 * b * b * a) + (2 * a * a * b);
        }

        return total;
    }
}
