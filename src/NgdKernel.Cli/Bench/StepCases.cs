using System.Diagnostics;
using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Experiments;
using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

namespace NgdKernel.Cli.Bench;

/// <summary>
/// <c>ngd bench step</c>: one optimizer step of the MNIST autoencoder (784-400-200-100-50-100-200-400-784,
/// tanh, biases) at M = 1000: SGD, NGD with Cholesky inverses and NGD with Sherman-Morrison inverses,
/// as GFLOP/s of the counted flops (<see cref="SgdOptimizer{T}.FlopsPerStep"/>,
/// <see cref="NaturalGradientOptimizer{T}.FlopsPerStep"/>), the NGD / SGD time ratio at equal batch,
/// and the rate of the step's own matrix products (row <c>gemm step-shapes</c>: every forward NT,
/// gradient TN and propagation NN product of one SGD step, back to back) to read the NGD rate against.
/// </summary>
/// <remarks>
/// The four cases run interleaved, one call each per round, and each reports its median round: a
/// neighbour compiling slows all four alike, so the ratios hold on a loaded machine.
/// </remarks>
internal static class StepCases
{
    private const int Batch = 1000;
    private const int Rounds = 9;
    private static readonly PaperNetwork Architecture = PaperNetwork.MnistAutoencoder;
    private static readonly IReadOnlyList<int> Widths = Architecture.Widths;
    private static readonly string[] Names = ["sgd", "ngd-cholesky", "ngd-sherman-morrison"];

    public static IEnumerable<BenchRow> Run<T>(BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] data = KernelCases.Random<T>(Batch * Widths[0], 7);
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = T.Abs(data[i]); // pixel-like values in [0, 1]; the autoencoder's targets are its inputs
        }

        var optimizers = new IOptimizer<T>[Names.Length];
        var flops = new double[Names.Length + 1];
        for (int c = 0; c < Names.Length; c++)
        {
            var network = new Network<T>(Architecture.Options(outputVariance: 1.0, seed: 1), settings.Context);
            (optimizers[c], flops[c]) = Names[c] switch
            {
                "sgd" => Create(new SgdOptimizer<T>(network, new SgdOptions { LearningRate = 0.01 })),
                "ngd-cholesky" => Create(new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.Cholesky })),
                _ => Create(new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison })),
            };
        }

        var products = new StepProducts<T>(settings.Context);
        flops[^1] = products.Flops;
        var inputs = new ReadOnlySpan2D<T>(data, Batch, Widths[0]);
        var seconds = new double[Names.Length + 1, Rounds];
        for (int round = -2; round < Rounds; round++) // two warm-up rounds: tiered JIT, first-step sizing
        {
            for (int c = 0; c <= Names.Length; c++)
            {
                long start = Stopwatch.GetTimestamp();
                if (c < Names.Length)
                {
                    optimizers[c].Step(inputs, inputs);
                }
                else
                {
                    products.Run();
                }

                if (round >= 0)
                {
                    seconds[c, round] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                }
            }
        }

        for (int c = 0; c <= Names.Length; c++)
        {
            double median = Median(seconds, c);
            yield return c < Names.Length
                ? new BenchRow("step", Names[c], settings.PrecisionName, Batch, Widths[^1], Widths[0], settings.Threads,
                    flops[c] / median / 1e9, null, peak, median)
                : new BenchRow("gemm", "step-shapes", settings.PrecisionName, Batch, Widths[^1], Widths[0], settings.Threads,
                    flops[c] / median / 1e9, null, peak, median);
        }

        static (IOptimizer<T>, double) Create(IOptimizer<T> optimizer) => optimizer switch
        {
            SgdOptimizer<T> sgd => (sgd, sgd.FlopsPerStep(Batch)),
            NaturalGradientOptimizer<T> ngd => (ngd, ngd.FlopsPerStep(Batch)),
            _ => (optimizer, double.NaN),
        };
    }

    private static double Median(double[,] seconds, int row)
    {
        var values = new double[Rounds];
        for (int i = 0; i < Rounds; i++)
        {
            values[i] = seconds[row, i];
        }

        Array.Sort(values);
        return values[Rounds / 2];
    }

    /// <summary>The matrix products of one SGD step of the autoencoder at M = 1000, on random data.</summary>
    private sealed class StepProducts<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly KernelContext _context;
        private readonly Matrix<T>[] _activations = new Matrix<T>[Widths.Count];
        private readonly Matrix<T>[] _weights = new Matrix<T>[Widths.Count - 1];
        private readonly Matrix<T>[] _gradients = new Matrix<T>[Widths.Count - 1];

        public StepProducts(KernelContext context)
        {
            _context = context;
            for (int l = 0; l < Widths.Count; l++)
            {
                _activations[l] = Filled(Batch, Widths[l] + (l + 1 < Widths.Count ? 1 : 0), l);
            }

            for (int l = 0; l + 1 < Widths.Count; l++)
            {
                _weights[l] = Filled(Widths[l + 1], Widths[l] + 1, 100 + l);
                _gradients[l] = new Matrix<T>(Widths[l + 1], Widths[l] + 1);
                double a = Widths[l] + 1, b = Widths[l + 1];
                Flops += (4.0 * Batch * a * b) + (l > 0 ? 2.0 * Batch * b * Widths[l] : 0);
            }
        }

        /// <summary>Forward 2Mab and gradient 2Mab per layer, propagation 2Mbn above the first.</summary>
        public double Flops { get; }

        public void Run()
        {
            for (int l = 0; l + 1 < Widths.Count; l++)
            {
                Matrix<T> x = _activations[l];
                Gemm.Multiply(x.ReadOnlySpan, MatrixOp.None, _weights[l].ReadOnlySpan, MatrixOp.Transpose, T.One, T.Zero,
                    _activations[l + 1].Span.Slice(0, 0, Batch, Widths[l + 1]), _context);
            }

            for (int l = Widths.Count - 2; l >= 0; l--)
            {
                Matrix<T> errors = _activations[l + 1];
                ReadOnlySpan2D<T> e = errors.ReadOnlySpan.Slice(0, 0, Batch, Widths[l + 1]);
                Gemm.Multiply(e, MatrixOp.Transpose, _activations[l].ReadOnlySpan, MatrixOp.None, T.One, T.Zero,
                    _gradients[l].Span, _context);
                if (l > 0)
                {
                    Gemm.Multiply(e, MatrixOp.None, _weights[l].ReadOnlySpan.Slice(0, 0, Widths[l + 1], Widths[l]),
                        MatrixOp.None, T.One, T.Zero, _activations[l].Span.Slice(0, 0, Batch, Widths[l]), _context);
                }
            }
        }

        private static Matrix<T> Filled(int rows, int columns, int seed)
        {
            var m = new Matrix<T>(rows, columns);
            KernelCases.Random<T>(rows * columns, (ulong)seed).CopyTo(m.AsSpan());
            return m;
        }
    }
}
