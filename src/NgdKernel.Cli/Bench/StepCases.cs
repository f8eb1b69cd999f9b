using System.Diagnostics;
using NgdKernel.LinearAlgebra;
using NgdKernel.Perf.Cases;

namespace NgdKernel.Cli.Bench;

/// <summary>
/// <c>ngd bench step</c>: one optimizer step of the MNIST autoencoder (<see cref="Architecture.Mnist"/>)
/// at M = 1000: SGD, NGD with Cholesky inverses and NGD with Sherman-Morrison inverses, as GFLOP/s
/// of the counted flops (<see cref="SgdOptimizer{T}.FlopsPerStep"/>,
/// <see cref="NaturalGradientOptimizer{T}.FlopsPerStep"/>), the NGD / SGD time ratio at equal batch,
/// and the rate of the step's own matrix products (row <c>gemm step-shapes</c>,
/// <see cref="StepProducts{T}"/>) to read the NGD rate against.
/// </summary>
/// <remarks>
/// The four cases run interleaved, one call each per round, and each reports its median round: a
/// neighbour compiling slows all four alike, so the ratios hold on a loaded machine.
/// </remarks>
internal static class StepCases
{
    private const int Batch = 1000;
    private const int Rounds = 9;

    private static readonly (string Name, StepMethod Method)[] Methods =
    [
        ("sgd", StepMethod.Sgd), ("ngd-cholesky", StepMethod.NgdCholesky),
        ("ngd-sherman-morrison", StepMethod.NgdShermanMorrison),
    ];

    public static IEnumerable<BenchRow> Run<T>(BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Architecture mnist = Architecture.Mnist;
        IReadOnlyList<int> widths = mnist.Widths;
        (Matrix<T> inputs, Matrix<T> targets) = StepData.Create<T>(mnist, Batch, settings.Context);
        var optimizers = new IOptimizer<T>[Methods.Length];
        var flops = new double[Methods.Length + 1];
        for (int c = 0; c < Methods.Length; c++)
        {
            optimizers[c] = mnist.CreateOptimizer(Methods[c].Method, new Network<T>(mnist.Options(seed: 1), settings.Context));
            flops[c] = optimizers[c] switch
            {
                SgdOptimizer<T> sgd => sgd.FlopsPerStep(Batch),
                NaturalGradientOptimizer<T> ngd => ngd.FlopsPerStep(Batch),
                _ => double.NaN,
            };
        }

        var products = new StepProducts<T>(mnist, Batch, settings.Context);
        flops[^1] = products.Flops;
        var seconds = new double[Methods.Length + 1, Rounds];
        for (int round = -2; round < Rounds; round++) // two warm-up rounds: tiered JIT, first-step sizing
        {
            for (int c = 0; c <= Methods.Length; c++)
            {
                long start = Stopwatch.GetTimestamp();
                if (c < Methods.Length)
                {
                    optimizers[c].Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
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

        for (int c = 0; c <= Methods.Length; c++)
        {
            double median = Median(seconds, c);
            (string kernel, string op) = c < Methods.Length ? ("step", Methods[c].Name) : ("gemm", "step-shapes");
            yield return new BenchRow(kernel, op, settings.PrecisionName, Batch, widths[^1], widths[0], settings.Threads,
                flops[c] / median / 1e9, null, peak, median);
        }
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
}
