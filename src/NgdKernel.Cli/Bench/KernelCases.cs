using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;

namespace NgdKernel.Cli.Bench;

/// <summary>The GEMM, SYRK and Cholesky cases of <c>ngd bench</c>, each against OpenBLAS when loaded.</summary>
internal static class KernelCases
{
    /// <summary>Square 256 and 512, the MNIST layer 784 -> 400 at batch 1000 in its three backprop
    /// forms, the next two layers, the paper's width-20 layer, and small squares (20..100, the
    /// paper's linear networks, where call overhead counts).</summary>
    private static readonly (string Op, int M, int K, int N)[] GemmShapes =
    [
        ("NN", 256, 256, 256), ("NN", 512, 512, 512),
        ("NN", 1000, 784, 400), ("NT", 1000, 784, 400), ("TN", 400, 1000, 784),
        ("NN", 1000, 400, 200), ("NN", 1000, 100, 50), ("NN", 1000, 20, 20),
        ("NN", 20, 20, 20), ("NT", 20, 20, 20), ("TN", 20, 20, 20),
        ("NN", 32, 32, 32), ("NN", 50, 50, 50), ("NN", 100, 100, 100),
    ];

    /// <summary>
    /// OpenBLAS's idle worker threads spin for about 2^28 cycles (its THREAD_TIMEOUT) after a call
    /// before they sleep; timed in that window, our second thread shared its core with them (512³ on
    /// two threads read as one-thread speed). Waiting this long after OpenBLAS's cases lets them park.
    /// </summary>
    internal static void LetOpenBlasThreadsPark(BenchSettings settings)
    {
        if (settings.Threads > 1 && settings.OpenBlas is not null)
        {
            Thread.Sleep(250);
        }
    }

    public static IEnumerable<BenchRow> Gemm<T>(BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach ((string op, int m, int k, int n) in GemmShapes)
        {
            if (settings.GemmShape is string only && only != $"{m}x{k}x{n}")
            {
                continue;
            }

            bool ta = op[0] == 'T', tb = op[1] == 'T';
            T[] a = Random<T>(m * k, 1), b = Random<T>(k * n, 2), c = new T[m * n];
            int lda = ta ? m : k, ldb = tb ? k : n;
            var opA = ta ? MatrixOp.Transpose : MatrixOp.None;
            var opB = tb ? MatrixOp.Transpose : MatrixOp.None;
            KernelContext context = settings.Context;
            double ours = Timing.SecondsPerCall(() => Kernels.Gemm.Multiply(
                new ReadOnlySpan2D<T>(a, ta ? k : m, lda), opA, new ReadOnlySpan2D<T>(b, tb ? n : k, ldb), opB,
                T.One, T.Zero, new Span2D<T>(c, m, n), context));
            double? theirs = settings.OpenBlas is null ? null
                : Timing.SecondsPerCall(() => OpenBlasInterop.Gemm(ta, tb, m, n, k, a, lda, b, ldb, c, n));
            LetOpenBlasThreadsPark(settings);
            double flops = 2.0 * m * n * k;
            yield return Row("gemm", op, m, n, k, flops, ours, theirs, settings, peak);
        }
    }

    public static IEnumerable<BenchRow> Syrk<T>(BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach ((int rows, int n) in ((int, int)[])[(1000, 785), (1000, 401)])
        {
            T[] a = Random<T>(rows * n, 3), c = new T[n * n];
            KernelContext context = settings.Context;
            double ours = Timing.SecondsPerCall(() => Kernels.Syrk.Multiply(
                new ReadOnlySpan2D<T>(a, rows, n), MatrixOp.Transpose, T.One, T.Zero, new Span2D<T>(c, n, n), context));
            double? theirs = settings.OpenBlas is null ? null
                : Timing.SecondsPerCall(() => OpenBlasInterop.SyrkTransposed(n, rows, a, c));
            LetOpenBlasThreadsPark(settings);
            yield return Row("syrk", "AtA", n, n, rows, (double)n * (n + 1) * rows, ours, theirs, settings, peak);
        }
    }

    /// <summary>Factor + <c>G = A^-1 G A^-1</c>: n^3/3 + 4 n^3 flops; A and G restored every call.
    /// n = 20 and 100 are the paper's linear-network widths, 33 a width-32 layer plus bias (the
    /// small online-learning network), 785 the MNIST input plus bias.</summary>
    public static IEnumerable<BenchRow> Cholesky<T>(BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach (int n in (int[])[20, 33, 100, 785])
        {
            T[] pristine = SymmetricPositiveDefinite<T>(n), g0 = Random<T>(n * n, 5);
            T[] a = new T[n * n], g = new T[n * n];
            KernelContext context = settings.Context;
            void Ours()
            {
                pristine.CopyTo(a, 0);
                g0.CopyTo(g, 0);
                var factor = new Span2D<T>(a, n, n);
                Kernels.Cholesky.Factor(factor, T.Zero, context);
                Kernels.Cholesky.SolveLeft<T>(factor, new Span2D<T>(g, n, n), context);
                Kernels.Cholesky.SolveRight<T>(factor, new Span2D<T>(g, n, n), context);
            }

            double ours = Timing.SecondsPerCall(Ours);
            double? theirs = settings.OpenBlas is null ? null : Timing.SecondsPerCall(() =>
            {
                pristine.CopyTo(a, 0);
                g0.CopyTo(g, 0);
                _ = OpenBlasInterop.CholeskySolve(n, a, g);
            });
            LetOpenBlasThreadsPark(settings);
            double flops = ((double)n * n * n / 3) + (4.0 * n * n * n);
            yield return Row("chol", "potrf+2potrs", n, n, n, flops, ours, theirs, settings, peak);
        }
    }

    internal static BenchRow Row(string kernel, string op, int m, int n, int k, double flops,
        double ours, double? theirs, BenchSettings settings, double peak) =>
        new(kernel, op, settings.PrecisionName, m, n, k, settings.Threads, flops / ours / 1e9,
            theirs is double t ? flops / t / 1e9 : null, peak, ours);

    internal static T[] Random<T>(int length, ulong seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var generator = new Xoshiro256(seed);
        T[] values = new T[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateTruncating((2 * generator.NextDouble()) - 1);
        }

        return values;
    }

    /// <summary>Symmetric, strictly diagonally dominant (so SPD, well conditioned).</summary>
    private static T[] SymmetricPositiveDefinite<T>(int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] a = Random<T>(n * n, 4);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                a[(j * n) + i] = a[(i * n) + j];
            }

            a[(i * n) + i] = T.CreateTruncating(n + 1);
        }

        return a;
    }
}
