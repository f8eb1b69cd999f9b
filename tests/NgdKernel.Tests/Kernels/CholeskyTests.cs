using R = NgdKernel.Tests.Reference.ReferenceCholesky;

namespace NgdKernel.Tests.Kernels;

public class CholeskyTests
{
    // ----------------------------------------------------------------- factor residual (dpot01)

    [Theory, Combinations]
    public void Cholesky_ResidualWithinThreshold(KernelPath path, Precision precision) =>
        FactorCases.Check(path, precision, FactorCases.Cases(300, precision.Pick(3, 6)), FactorResidual<float>, FactorResidual<double>, 18);

    internal static bool FactorResidual<T>(FactorCase c, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(c.Seed);
        double damping = c.Seed % 3 == 0 ? 0.25 : 0.0;
        double[,] a = FactorGuardedMatrix<T>.Rounded(SpdGenerators.Spd(c.N, Math.Pow(10, c.Log10Condition), random));
        var view = new FactorGuardedMatrix<T>(a, c.Pitch, c.Offset);

        // The strict upper triangle is not read: poison it.
        for (int i = 0; i < c.N; i++)
        {
            for (int j = i + 1; j < c.N; j++)
            {
                view.Span[i, j] = T.CreateTruncating(1e30);
            }
        }

        Assert.True(Cholesky.TryFactor(view.Span, T.CreateTruncating(damping), out CholeskyFailure failure, new KernelContext(1, path)), $"{c}: {failure}");
        view.AssertGuardsIntact();
        double[,] l = view.ToDouble();
        for (int i = 0; i < c.N; i++)
        {
            for (int j = i + 1; j < c.N; j++)
            {
                Assert.Equal(0.0, l[i, j]);
            }
        }

        double[,] damped = (double[,])a.Clone();
        for (int i = 0; i < c.N; i++)
        {
            damped[i, i] += double.CreateTruncating(T.CreateTruncating(damping));
        }

        double residual = R.Norm1(R.Subtract(R.Multiply(l, R.Transpose(l)), damped));
        double ratio = Tolerances.CholeskyRatio(residual, c.N, R.Norm1(damped), Tolerances.Epsilon<T>());
        Assert.True(ratio <= Tolerances.FactorThreshold, $"{c} {path}: ratio {ratio}");
        return true;
    }

    // ----------------------------------------------------------------- failures

    [Theory, Combinations]
    public void Cholesky_NotPositiveDefinite_ReportsReferencePivot(KernelPath path)
    {
        foreach (int n in new[] { 1, 2, 3, 7, 17, 33, 64, 65, 129, 200 })
        {
            var random = new Random(n);
            double[] lambda = SpdGenerators.LogSpaced(n, 100);
            lambda[random.Next(n)] = -0.5;   // indefinite
            double[,] a = SpdGenerators.FromEigen(SpdGenerators.RandomOrthogonal(n, random), lambda);
            int expected = R.Factor(a, 0.0, out _, out double expectedValue);
            Assert.True(expected >= 0);

            var view = new FactorGuardedMatrix<double>(a, 2, 3);
            Assert.False(Cholesky.TryFactor(view.Span, 0.0, out CholeskyFailure failure, new KernelContext(1, path)));
            Assert.Equal(expected, failure.PivotIndex);
            Assert.False(failure.PivotValue > 0);
            Assert.Equal(expectedValue, failure.PivotValue, 1e-8);
            view.AssertGuardsIntact();
        }
    }

    [Theory, Combinations]
    public void Cholesky_DampingRestoresDefiniteness_AndIsReportedInPivot(KernelPath path)
    {
        // diag(1, -0.5, 2): without damping pivot 1 is -0.5; with 0.25 it is -0.25; with 1 it succeeds.
        double[,] a = { { 1, 0, 0 }, { 0, -0.5, 0 }, { 0, 0, 2 } };
        var view = new FactorGuardedMatrix<double>(a, 1, 1);
        Assert.False(Cholesky.TryFactor(view.Span, 0.25, out CholeskyFailure failure, new KernelContext(1, path)));
        Assert.Equal(new CholeskyFailure(1, -0.25), failure);
        view.Set(a);
        Assert.True(Cholesky.TryFactor(view.Span, 1.0, out failure, new KernelContext(1, path)));
        Assert.Equal(default, failure);
        Assert.Equal(Math.Sqrt(0.5), view.Span[1, 1], 15);
    }

    [Theory, Combinations]
    public void Cholesky_NaNOrInfinityInLowerTriangle_FailsAtOrAfterIt(KernelPath path)
    {
        // 40: one diagonal block; 150: NaN must also travel through panels and trailing updates.
        foreach (int n in new[] { 40, 150 })
        {
            var random = new Random(5);
            double[,] spd = SpdGenerators.Spd(n, 10, random);
            foreach ((int i, int j) in new[] { (0, 0), (5, 2), (n - 1, 0), (n - 1, n - 1), (20, 19), (17, 17), (n - 2, n / 2), (n / 2 + 3, 1) })
            {
                foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
                {
                    var view = new FactorGuardedMatrix<float>(spd, 0, 0);
                    view.Span[i, j] = (float)bad;
                    Assert.False(Cholesky.TryFactor(view.Span, 0f, out CholeskyFailure failure, new KernelContext(1, path)), $"n={n} ({i},{j})={bad} {failure}");
                    Assert.InRange(failure.PivotIndex, j, n - 1);
                    Assert.False(failure.PivotValue > 0 && double.IsFinite(failure.PivotValue), failure.ToString());
                }
            }
        }
    }

    [Fact]
    public void Cholesky_Factor_ThrowsArithmeticNamingPivotValueAndDamping()
    {
        double[,] a = { { 4, 0 }, { 0, -3 } };
        var view = new FactorGuardedMatrix<double>(a, 0, 0);
        var ex = Assert.Throws<ArithmeticException>(() => Cholesky.Factor(view.Span, 0.5));
        Assert.Contains("pivot 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-2.5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("damping 0.5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'a'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cholesky_Factor_ZeroSize_Succeeds()
    {
        Cholesky.Factor(Span2D<double>.Empty, 0.0);
        Assert.True(Cholesky.TryFactor(Span2D<float>.Empty, 1f, out CholeskyFailure f));
        Assert.Equal(default, f);
    }

    // ----------------------------------------------------------------- argument validation

    [Fact]
    public void Cholesky_ThrowsFor_NonSquare_BadDamping_ShapeMismatch_Overlap()
    {
        var rect = new double[3, 4];
        var ex = Assert.Throws<ArgumentException>(() => Cholesky.Factor(new Span2D<double>(rect), 0.0));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("3×4", ex.Message, StringComparison.Ordinal);

        var square = new double[3, 3];
        square[0, 0] = square[1, 1] = square[2, 2] = 1;
        foreach (double d in new[] { double.NaN, double.PositiveInfinity, -1.0 })
        {
            var dex = Assert.Throws<ArgumentOutOfRangeException>(() => Cholesky.TryFactor(new Span2D<double>(square), d, out _));
            Assert.Equal("damping", dex.ParamName);
            Assert.Equal(1.0, square[0, 0]);   // nothing mutated
        }

        var b = new double[4, 2];
        ex = Assert.Throws<ArgumentException>(() => Cholesky.SolveLeft<double>(new ReadOnlySpan2D<double>(square), new Span2D<double>(b)));
        Assert.Equal("b", ex.ParamName);
        Assert.Contains("4×2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3×3", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => Cholesky.SolveRight<double>(new ReadOnlySpan2D<double>(square), new Span2D<double>(b)));
        Assert.Contains("must have 3 columns", ex.Message, StringComparison.Ordinal);

        var source = new double[2, 3];
        ex = Assert.Throws<ArgumentException>(() => Cholesky.SolveRight<double>(new ReadOnlySpan2D<double>(square), new ReadOnlySpan2D<double>(source),
            new Span2D<double>(source)));
        Assert.Equal("destination", ex.ParamName);
        Assert.Contains("'source'", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => Cholesky.SolveRight<double>(new ReadOnlySpan2D<double>(square), new ReadOnlySpan2D<double>(source),
            new Span2D<double>(b).Slice(0, 0, 2, 2)));
        Assert.Equal("destination", ex.ParamName);
        Assert.Contains("2×3", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => Cholesky.SolveRight<double>(new ReadOnlySpan2D<double>(square), new ReadOnlySpan2D<double>(b).Slice(0, 0, 2, 2),
            new Span2D<double>(source).Slice(0, 0, 2, 2)));
        Assert.Equal("source", ex.ParamName);
        Assert.Contains("must have 3 columns", ex.Message, StringComparison.Ordinal);
        var shared = new double[4, 4];
        ex = Assert.Throws<ArgumentException>(() => Cholesky.SolveRight<double>(new Span2D<double>(shared).Slice(0, 0, 3, 3), new ReadOnlySpan2D<double>(source),
            new Span2D<double>(shared).Slice(2, 1, 2, 3)));
        Assert.Equal("destination", ex.ParamName);
        Assert.Contains("'factor'", ex.Message, StringComparison.Ordinal);

        var big = new double[6, 6];
        ex = Assert.Throws<ArgumentException>(() => Cholesky.SolveLeft<double>(new Span2D<double>(big).Slice(0, 0, 3, 3), new Span2D<double>(big).Slice(2, 2, 3, 2)));
        Assert.Contains("'factor'", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentException>(() => Cholesky.Invert(new Span2D<double>(rect)));
        Assert.Equal("factor", ex.ParamName);
    }

    // ----------------------------------------------------------------- solves

    [Theory, Combinations]
    public void Cholesky_SolveLeftAndRight_MatchReference(KernelPath path, Precision precision) =>
        FactorCases.Check(path, precision, FactorCases.Cases(200, precision.Pick(3, 6)), Solves<float>, Solves<double>, 15);

    internal static bool Solves<T>(FactorCase c, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        (double[,] a, FactorGuardedMatrix<T> factor, Random random) = Factored<T>(c, path);
        double[,] inverse = R.Inverse(a);
        double eps = Tolerances.Epsilon<T>();
        double kappa = R.Norm1(a) * R.Norm1(inverse);

        double[,] bl = FactorGuardedMatrix<T>.Rounded(SpdGenerators.RandomMatrix(c.N, c.M, random));
        var left = new FactorGuardedMatrix<T>(bl, c.Pitch + 1, c.Offset);
        Cholesky.SolveLeft(factor.ReadOnlySpan, left.Span, new KernelContext(1, path));
        left.AssertGuardsIntact();
        double[,] expectedLeft = R.Multiply(inverse, bl);
        double ratio = Tolerances.SolveRatio(R.Norm1(R.Subtract(left.ToDouble(), expectedLeft)), R.Norm1(expectedLeft), c.N, kappa, eps);
        Assert.True(ratio <= Tolerances.FactorThreshold, $"{c} {path} left: ratio {ratio}");

        double[,] br = FactorGuardedMatrix<T>.Rounded(SpdGenerators.RandomMatrix(c.M, c.N, random));
        var right = new FactorGuardedMatrix<T>(br, c.Pitch, c.Offset + 2);
        Cholesky.SolveRight(factor.ReadOnlySpan, right.Span, new KernelContext(1, path));
        right.AssertGuardsIntact();
        double[,] expectedRight = R.Multiply(br, inverse);
        ratio = Tolerances.SolveRatio(R.Norm1(R.Subtract(right.ToDouble(), expectedRight)), R.Norm1(expectedRight), c.N, kappa, eps);
        Assert.True(ratio <= Tolerances.FactorThreshold, $"{c} {path} right: ratio {ratio}");

        // From a source into a destination (other layouts, stale values): bit for bit the in-place solve.
        var source = new FactorGuardedMatrix<T>(br, c.Pitch + 3, c.Offset + 1);
        var destination = new FactorGuardedMatrix<T>(SpdGenerators.RandomMatrix(c.M, c.N, random), c.Pitch + 1, c.Offset);
        Cholesky.SolveRight(factor.ReadOnlySpan, source.ReadOnlySpan, destination.Span, new KernelContext(1, path));
        source.AssertGuardsIntact();
        destination.AssertGuardsIntact();
        Assert.Equal(br, source.ToDouble());
        Assert.Equal(right.ToDouble(), destination.ToDouble());
        factor.AssertGuardsIntact();
        return true;
    }

    // ----------------------------------------------------------------- inverse (dpot03)

    [Theory, Combinations]
    public void Cholesky_Invert_ResidualWithinThreshold(KernelPath path, Precision precision) =>
        FactorCases.Check(path, precision, FactorCases.Cases(200, precision.Pick(3, 6)), Inverse<float>, Inverse<double>, 15);

    internal static bool Inverse<T>(FactorCase c, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        (double[,] a, FactorGuardedMatrix<T> view, _) = Factored<T>(c, path);
        Cholesky.Invert(view.Span, new KernelContext(1, path));
        view.AssertGuardsIntact();
        double[,] inv = view.ToDouble();
        for (int i = 0; i < c.N; i++)
        {
            for (int j = 0; j < i; j++)
            {
                Assert.Equal(inv[i, j], inv[j, i]);
            }
        }

        double residual = R.Norm1(R.Subtract(R.Identity(c.N), R.Multiply(a, inv)));
        double ratio = Tolerances.InverseRatio(residual, c.N, R.Norm1(a), R.Norm1(inv), Tolerances.Epsilon<T>());
        Assert.True(ratio <= Tolerances.FactorThreshold, $"{c} {path}: ratio {ratio}");
        return true;
    }

    /// <summary>
    /// The case's SPD matrix (condition 10^Log10Condition, rounded to T) factored on <paramref name="path"/>
    /// in a guarded view at the case's pitch and offset, and the generator that drew it, for the case's further data.
    /// </summary>
    private static (double[,] A, FactorGuardedMatrix<T> Factor, Random Random) Factored<T>(FactorCase c, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(c.Seed);
        double[,] a = FactorGuardedMatrix<T>.Rounded(SpdGenerators.Spd(c.N, Math.Pow(10, c.Log10Condition), random));
        var factor = new FactorGuardedMatrix<T>(a, c.Pitch, c.Offset);
        Assert.True(Cholesky.TryFactor(factor.Span, T.Zero, out CholeskyFailure failure, new KernelContext(1, path)), $"{c} {path}: {failure}");
        return (a, factor, random);
    }

    // ----------------------------------------------------------------- determinism

    [Theory, Combinations]
    public void Cholesky_SameInputSamePath_BitIdenticalResults(KernelPath path)
    {
        const int N = 157;
        double[,] a = SpdGenerators.Spd(N, 1e3, new Random(11));
        double[,] g = SpdGenerators.RandomMatrix(70, N, new Random(12));
        double[][] results = new double[2][];
        for (int run = 0; run < 2; run++)
        {
            var factor = new FactorGuardedMatrix<double>(a, 3, 1);
            var b = new FactorGuardedMatrix<double>(g, 1, 2);
            Assert.True(Cholesky.TryFactor(factor.Span, 1e-3, out _, new KernelContext(1, path)));
            Cholesky.SolveRight(factor.ReadOnlySpan, b.Span, new KernelContext(1, path));
            results[run] = [.. factor.ToDouble().Cast<double>(), .. b.ToDouble().Cast<double>()];
        }

        Assert.Equal(results[0], results[1]);
    }

    // ----------------------------------------------------------------- allocation

    [Fact]
    public void Cholesky_AllOperations_AllocateNothingAfterWarmUp()
    {
        foreach (KernelPath path in KernelPaths.Supported)
        {
            const int N = 70;
            double[,] a = SpdGenerators.Spd(N, 100, new Random(1));
            var work = new FactorGuardedMatrix<double>(a, 1, 1);
            var b = new FactorGuardedMatrix<double>(SpdGenerators.RandomMatrix(N, 9, new Random(2)), 0, 0);
            var bt = new FactorGuardedMatrix<double>(SpdGenerators.RandomMatrix(9, N, new Random(2)), 0, 0);
            var btOut = new FactorGuardedMatrix<double>(9, N, 0, 0);
            var single = new FactorGuardedMatrix<float>(a, 0, 0);
            using var context = new KernelContext(1, path);

            void Run()
            {
                work.Set(a);
                Cholesky.TryFactor(work.Span, 0.0, out _, context);
                Cholesky.SolveLeft(work.ReadOnlySpan, b.Span, context);
                Cholesky.SolveRight(work.ReadOnlySpan, bt.Span, context);
                Cholesky.SolveRight(work.ReadOnlySpan, bt.ReadOnlySpan, btOut.Span, context);
                Cholesky.Invert(work.Span, context);
                single.Set(a);
                Cholesky.Factor(single.Span, 0.5f);
                Cholesky.TryFactor(single.Span, 0f, out _);
            }

            Run();
            // work.Set boxes nothing; the only allocations would come from the kernels.
            Assert.Equal(0, Allocations.Measure(Run));
        }
    }
}
