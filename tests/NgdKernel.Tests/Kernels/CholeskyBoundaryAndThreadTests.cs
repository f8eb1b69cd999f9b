using R = NgdKernel.Tests.Reference.ReferenceCholesky;

namespace NgdKernel.Tests.Kernels;

/// <summary>
/// The register-blocked small kernels at every size where their chunking changes (vector widths
/// 2, 4, 8, 16 and their multiples, the 64-row block and the blocked crossover at 64/65), and the
/// threaded factor and solves against the single-threaded ones.
/// </summary>
public class CholeskyBoundaryAndThreadTests
{
    /// <summary>Orders around the vector widths, four-vector chunks and the 64 block (the crossover to the blocked code).</summary>
    private static readonly int[] Orders = [1, 2, 3, 4, 5, 7, 8, 9, 11, 15, 16, 17, 20, 31, 32, 33, 47, 63, 64, 65, 100, 127, 128, 129];

    /// <summary>Right-hand-side widths around 1 to 5 vectors of every width: the chunk and overlap cases.</summary>
    private static readonly int[] Widths = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 79, 80, 81, 97, 130];

    /// <summary>Solves, factor residual and inverse residual (the inverse's rows are chunked like B's).</summary>
    [Theory, Combinations]
    public void Cholesky_SmallKernels_MatchReference_AtChunkBoundaries(KernelPath path)
    {
        int seed = 0;
        foreach (int n in Orders)
        {
            // Every width with a few orders, every order with a few widths: enough to reach each
            // chunk shape on every order class without the full product.
            foreach (int m in Widths)
            {
                if ((n + m + seed) % 4 != 0 && n > 20 && m > 20)
                {
                    seed++;
                    continue;
                }

                int pitch = seed % 3 == 0 ? 0 : seed % 5;
                var c = new FactorCase(n, m, pitch, seed % 7, seed, (seed % 7) * 0.8);
                Assert.True(CholeskyTests.Solves<double>(c, path));
                Assert.True(CholeskyTests.Solves<float>(c with { Log10Condition = c.Log10Condition / 2 }, path));
                seed++;
            }

            var f = new FactorCase(n, 0, n % 3, n % 5, n, 3);
            Assert.True(CholeskyTests.FactorResidual<double>(f, path));
            Assert.True(CholeskyTests.FactorResidual<float>(f with { Seed = n + 1 }, path));
            Assert.True(CholeskyTests.Inverse<double>(f with { Pitch = n % 4 }, path));
            Assert.True(CholeskyTests.Inverse<float>(f with { Seed = n + 2 }, path));
        }
    }

    [Theory, Combinations]
    public void Cholesky_NotPositiveDefinite_ReportsReferencePivot_SmallOrders(KernelPath path)
    {
        foreach (int n in Orders)
        {
            var random = new Random(n + 100);
            double[] lambda = SpdGenerators.LogSpaced(n, 10);
            lambda[random.Next(n)] = -0.5;
            double[,] a = SpdGenerators.FromEigen(SpdGenerators.RandomOrthogonal(n, random), lambda);
            int expected = R.Factor(a, 0.0, out _, out double expectedValue);
            var view = new FactorGuardedMatrix<double>(a, 1, 2);
            Assert.False(Cholesky.TryFactor(view.Span, 0.0, out CholeskyFailure failure, new KernelContext(1, path)));
            Assert.Equal(expected, failure.PivotIndex);
            Assert.Equal(expectedValue, failure.PivotValue, 1e-8);

            // Rows before the pivot hold L: the reference's rows, to rounding.
            R.Factor(a, 0.0, out double[,] lr, out _);
            double[,] partial = view.ToDouble();
            for (int i = 0; i < expected; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    Assert.True(Math.Abs(lr[i, j] - partial[i, j]) <= 1e-9 * (1 + Math.Abs(lr[i, j])), $"n={n} ({i},{j})");
                }
            }

            view.AssertGuardsIntact();
        }
    }

    [Theory, Combinations]
    public void Cholesky_TwoThreads_BitIdenticalToOneThread_AndRunToRun(KernelPath path)
    {
        // 200 and 300: trailing matrices above the parallel threshold; 70 with 400 columns: a
        // one-block factor whose solves still split; widths not multiples of the split grain.
        foreach ((int n, int m) in new[] { (200, 150), (300, 97), (70, 400), (129, 300) })
        {
            double[,] a = SpdGenerators.Spd(n, 1e4, new Random(n));
            double[,] g = SpdGenerators.RandomMatrix(n, m, new Random(n + 1));
            double[,] gt = SpdGenerators.RandomMatrix(m, n, new Random(n + 2));
            double[] single = Run<double>(a, g, gt, null, path);
            using var two = new KernelContext(2, path);
            double[] first = Run<double>(a, g, gt, two, path);
            double[] second = Run<double>(a, g, gt, two, path);
            Assert.Equal(single, first);
            Assert.Equal(first, second);
            Assert.Equal(Run<float>(a, g, gt, null, path), Run<float>(a, g, gt, two, path));
        }
    }

    /// <summary>Factor, left solve, right solve; the factor's residual checked; everything returned flattened.</summary>
    private static double[] Run<T>(double[,] a, double[,] g, double[,] gt, KernelContext? context, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = a.GetLength(0);
        double[,] rounded = FactorGuardedMatrix<T>.Rounded(a);
        var factor = new FactorGuardedMatrix<T>(rounded, 3, 1);
        var left = new FactorGuardedMatrix<T>(g, 1, 2);
        var right = new FactorGuardedMatrix<T>(gt, 2, 0);
        if (context is null)
        {
            Assert.True(Cholesky.TryFactor(factor.Span, T.Zero, out _, new KernelContext(1, path)));
            Cholesky.SolveLeft(factor.ReadOnlySpan, left.Span, new KernelContext(1, path));
            Cholesky.SolveRight(factor.ReadOnlySpan, right.Span, new KernelContext(1, path));
        }
        else
        {
            Assert.True(Cholesky.TryFactor(factor.Span, T.Zero, out _, context));
            Cholesky.SolveLeft(factor.ReadOnlySpan, left.Span, context);
            Cholesky.SolveRight(factor.ReadOnlySpan, right.Span, context);
        }

        // The source-and-destination form, split like the in-place one: bit for bit the in-place result.
        var source = new FactorGuardedMatrix<T>(gt, 1, 1);
        var destination = new FactorGuardedMatrix<T>(gt.GetLength(0), gt.GetLength(1), 0, 3);
        Cholesky.SolveRight(factor.ReadOnlySpan, source.ReadOnlySpan, destination.Span, context ?? new KernelContext(1, path));
        Assert.Equal(right.ToDouble(), destination.ToDouble());
        Assert.Equal(FactorGuardedMatrix<T>.Rounded(gt), source.ToDouble());
        factor.AssertGuardsIntact();
        left.AssertGuardsIntact();
        right.AssertGuardsIntact();
        destination.AssertGuardsIntact();
        double[,] l = factor.ToDouble();
        double residual = R.Norm1(R.Subtract(R.Multiply(l, R.Transpose(l)), rounded));
        double ratio = Tolerances.CholeskyRatio(residual, n, R.Norm1(rounded), Tolerances.Epsilon<T>());
        Assert.True(ratio <= Tolerances.FactorThreshold, $"n={n} threads={context?.ThreadCount ?? 1} {path}: ratio {ratio}");
        return [.. l.Cast<double>(), .. left.ToDouble().Cast<double>(), .. right.ToDouble().Cast<double>()];
    }

    [Fact]
    public void Cholesky_SmallAndThreaded_AllocateNothingAfterWarmUp()
    {
        foreach (KernelPath path in KernelPaths.Supported)
        {
            using var two = new KernelContext(2, path);
            var work = new List<Action>();
            foreach (int n in new[] { 20, 33, 300 })
            {
                double[,] a = SpdGenerators.Spd(n, 100, new Random(n));
                var factor = new FactorGuardedMatrix<float>(a, 1, 1);
                var b = new FactorGuardedMatrix<float>(SpdGenerators.RandomMatrix(n, 70, new Random(2)), 0, 0);
                var bt = new FactorGuardedMatrix<float>(SpdGenerators.RandomMatrix(70, n, new Random(3)), 0, 0);
                work.Add(() =>
                {
                    factor.Set(a);
                    Cholesky.TryFactor(factor.Span, 0f, out _, two);
                    Cholesky.SolveLeft(factor.ReadOnlySpan, b.Span, two);
                    Cholesky.SolveRight(factor.ReadOnlySpan, bt.Span, two);
                });
            }

            // Several warm-ups: the pool's completion event allocates its lock object the first
            // time the caller really blocks on it (not just spins), which a loaded machine may
            // delay past the first call.
            for (int warmUp = 0; warmUp < 3; warmUp++)
            {
                foreach (Action run in work)
                {
                    run();
                }
            }

            long allocated = Allocations.Measure(() =>
            {
                foreach (Action run in work)
                {
                    run();
                }
            });
            Assert.Equal(0, allocated);
        }
    }
}
