using System.Numerics;
using CommunityToolkit.HighPerformance;
using FsCheck;
using FsCheck.Fluent;
using NgdKernel.Kernels;
using NgdKernel.Tests.Generators;
using R = NgdKernel.Tests.Reference.ReferenceCholesky;

namespace NgdKernel.Tests.Kernels;

public class DampedSolveTests
{
    public static TheoryData<KernelPath> Paths => FactorCases.Paths();

    private static Arbitrary<FactorCase> Cases(double maxLog10Condition) =>
        FactorCases.Cases(DampedSolve.MaxOrder, maxLog10Condition);

    [Theory, MemberData(nameof(Paths))]
    public void DampedSolve_MatchesReference_BothSides_Double(KernelPath path) =>
        FactorCases.Check(Cases(6), c => Solves<double>(c, path), 40);

    [Theory, MemberData(nameof(Paths))]
    public void DampedSolve_MatchesReference_BothSides_Single(KernelPath path) =>
        FactorCases.Check(Cases(3), c => Solves<float>(c, path), 40);

    /// <summary>
    /// X = (A + dI)^-1 B and B (A + dI)^-1 against the double reference inverse of the damped matrix,
    /// within dpot02's forward-error ratio; the strict lower triangle of A holds NaN (never read),
    /// and the guard cells around A and B stay intact.
    /// </summary>
    internal static bool Solves<T>(FactorCase c, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(c.Seed);
        double condition = Math.Pow(10, c.Log10Condition);
        T damping = T.CreateTruncating(c.Seed % 3 == 0 ? 0.0 : 0.125 * (c.Seed % 5));
        double[,] a = FactorGuardedMatrix<T>.Rounded(SpdGenerators.Spd(c.N, condition, random));
        var view = new FactorGuardedMatrix<T>(a, c.Pitch, c.Offset);
        for (int i = 0; i < c.N; i++)
        {
            for (int j = 0; j < i; j++)
            {
                view.Span[i, j] = T.NaN;
            }
        }

        double[,] damped = R.Subtract(a, Scalar(c.N, -double.CreateTruncating(damping)));
        double[,] inverse = R.Inverse(damped);
        double eps = FactorTolerances.Epsilon<T>();
        double kappa = R.Norm1(damped) * R.Norm1(inverse);

        double[,] bl = FactorGuardedMatrix<T>.Rounded(SpdGenerators.RandomMatrix(c.N, c.M, random));
        var left = new FactorGuardedMatrix<T>(bl, c.Pitch + 1, c.Offset);
        Assert.True(DampedSolve.TrySolveOnPath(view.ReadOnlySpan, damping, TrsmSide.Left, left.Span, path, out CholeskyFailure failure));
        Assert.Equal(default, failure);
        left.AssertGuardsIntact();
        double[,] expected = R.Multiply(inverse, bl);
        double ratio = FactorTolerances.SolveRatio(R.Norm1(R.Subtract(left.ToDouble(), expected)), R.Norm1(expected), c.N, kappa, eps);
        Assert.True(ratio <= FactorTolerances.Threshold, $"{c} {path} left: ratio {ratio}");

        double[,] br = FactorGuardedMatrix<T>.Rounded(SpdGenerators.RandomMatrix(c.M, c.N, random));
        var right = new FactorGuardedMatrix<T>(br, c.Pitch, c.Offset + 2);
        Assert.True(DampedSolve.TrySolveOnPath(view.ReadOnlySpan, damping, TrsmSide.Right, right.Span, path, out failure));
        right.AssertGuardsIntact();
        expected = R.Multiply(br, inverse);
        ratio = FactorTolerances.SolveRatio(R.Norm1(R.Subtract(right.ToDouble(), expected)), R.Norm1(expected), c.N, kappa, eps);
        Assert.True(ratio <= FactorTolerances.Threshold, $"{c} {path} right: ratio {ratio}");
        view.AssertGuardsIntact();
        return true;
    }

    private static double[,] Scalar(int n, double value)
    {
        var s = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            s[i, i] = value;
        }

        return s;
    }

    [Fact]
    public void DampedSolve_SameBitsOnEveryPath()
    {
        foreach (int n in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48 })
        {
            foreach (int k in new[] { 1, 7, 16, 17, 33, 65 })
            {
                SameBits<float>(n, k);
                SameBits<double>(n, k);
            }
        }
    }

    private static void SameBits<T>(int n, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random((n * 131) + k);
        double[,] a = SpdGenerators.Spd(n, 100, random);
        double[,] b = SpdGenerators.RandomMatrix(n, k, random);
        var view = new FactorGuardedMatrix<T>(a, 1, 2);
        T[]? first = null;
        foreach (KernelPath path in KernelPaths.Supported)
        {
            foreach (TrsmSide side in new[] { TrsmSide.Left, TrsmSide.Right })
            {
                var rhs = new FactorGuardedMatrix<T>(side == TrsmSide.Left ? b : R.Transpose(b), 0, 1);
                Assert.True(DampedSolve.TrySolveOnPath(view.ReadOnlySpan, T.CreateTruncating(0.01), side, rhs.Span, path, out _));
                T[] result = side == TrsmSide.Left ? rhs.Span.ToArray().Cast<T>().ToArray() : Transposed(rhs.Span);
                first ??= result;
                Assert.True(first.AsSpan().SequenceEqual(result), $"n={n} k={k} {path} {side}");
            }
        }
    }

    private static T[] Transposed<T>(Span2D<T> s)
        where T : unmanaged
    {
        var result = new T[s.Width * s.Height];
        for (int i = 0; i < s.Height; i++)
        {
            for (int j = 0; j < s.Width; j++)
            {
                result[(j * s.Height) + i] = s[i, j];
            }
        }

        return result;
    }

    [Theory, MemberData(nameof(Paths))]
    public void DampedSolve_NotPositiveDefinite_ReportsReferencePivot_LeavesBUntouched(KernelPath path)
    {
        foreach (int n in new[] { 1, 2, 3, 4, 5, 7, 17, 33, 48 })
        {
            var random = new Random(n);
            double[] lambda = SpdGenerators.LogSpaced(n, 100);
            lambda[random.Next(n)] = -0.5;
            double[,] a = SpdGenerators.FromEigen(SpdGenerators.RandomOrthogonal(n, random), lambda);
            int expected = R.Factor(a, 0.1, out _, out double expectedValue);
            Assert.True(expected >= 0);

            var view = new FactorGuardedMatrix<double>(a, 2, 3);
            double[,] b = SpdGenerators.RandomMatrix(n, 5, random);
            var rhs = new FactorGuardedMatrix<double>(b, 1, 1);
            Assert.False(DampedSolve.TrySolveOnPath(view.ReadOnlySpan, 0.1, TrsmSide.Left, rhs.Span, path, out CholeskyFailure failure));
            Assert.Equal(expected, failure.PivotIndex);
            Assert.False(failure.PivotValue > 0);
            Assert.Equal(expectedValue, failure.PivotValue, 1e-8);
            Assert.Equal(b, rhs.ToDouble());
            rhs.AssertGuardsIntact();
        }
    }

    [Theory, MemberData(nameof(Paths))]
    public void DampedSolve_NaNOrInfinityInUpperTriangle_Fails(KernelPath path)
    {
        const int n = 33;
        double[,] spd = SpdGenerators.Spd(n, 10, new Random(5));
        foreach ((int i, int j) in new[] { (0, 0), (2, 5), (0, n - 1), (n - 1, n - 1), (19, 20), (17, 17) })
        {
            foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
            {
                var view = new FactorGuardedMatrix<float>(spd, 0, 0);
                view.Span[i, j] = (float)bad;
                Assert.False(DampedSolve.TrySolveOnPath(view.ReadOnlySpan, 0f, TrsmSide.Right, new FactorGuardedMatrix<float>(new double[3, n], 0, 0).Span, path, out CholeskyFailure failure), $"({i},{j})={bad}");
                Assert.InRange(failure.PivotIndex, i, n - 1);
                Assert.False(failure.PivotValue > 0 && double.IsFinite(failure.PivotValue), failure.ToString());
            }
        }
    }

    [Fact]
    public void DampedSolve_InvalidArguments_ThrowNamingTheParameter()
    {
        var square = new double[4, 4];
        var big = new double[DampedSolve.MaxOrder + 1, DampedSolve.MaxOrder + 1];
        var b = new double[4, 3];
        Assert.Equal("a", Assert.Throws<ArgumentException>(() =>
            DampedSolve.TrySolve(new ReadOnlySpan2D<double>(new double[4, 3]), 0.0, TrsmSide.Left, new Span2D<double>(b), out _)).ParamName);
        ArgumentException ex = Assert.Throws<ArgumentException>(() =>
            DampedSolve.TrySolve(new ReadOnlySpan2D<double>(big), 0.0, TrsmSide.Left, new Span2D<double>(new double[DampedSolve.MaxOrder + 1, 1]), out _));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("48", ex.Message, StringComparison.Ordinal);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() =>
            DampedSolve.TrySolve(new ReadOnlySpan2D<double>(square), 0.0, TrsmSide.Left, new Span2D<double>(new double[3, 4]), out _)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() =>
            DampedSolve.TrySolve(new ReadOnlySpan2D<double>(square), 0.0, TrsmSide.Right, new Span2D<double>(b), out _)).ParamName);
        Assert.Equal("damping", Assert.Throws<ArgumentOutOfRangeException>(() =>
            DampedSolve.TrySolve(new ReadOnlySpan2D<double>(square), -1.0, TrsmSide.Left, new Span2D<double>(b), out _)).ParamName);
        Assert.Equal("damping", Assert.Throws<ArgumentOutOfRangeException>(() =>
            DampedSolve.TrySolve(new ReadOnlySpan2D<double>(square), double.NaN, TrsmSide.Left, new Span2D<double>(b), out _)).ParamName);
        var shared = new double[8, 8];
        Assert.Throws<ArgumentException>(() =>
            DampedSolve.TrySolve(new Span2D<double>(shared).Slice(0, 0, 4, 4), 0.0, TrsmSide.Left, new Span2D<double>(shared).Slice(3, 3, 4, 2), out _));
    }

    [Fact]
    public void DampedSolve_AllocatesNothing()
    {
        double[,] a = SpdGenerators.Spd(33, 10, new Random(1));
        var b = new double[33, 32];
        var bt = new double[32, 33];
        DampedSolve.TrySolve(new ReadOnlySpan2D<double>(a), 0.1, TrsmSide.Left, new Span2D<double>(b), out _);
        long bytes = Allocations.Measure(() =>
        {
            DampedSolve.TrySolve(new ReadOnlySpan2D<double>(a), 0.1, TrsmSide.Left, new Span2D<double>(b), out _);
            DampedSolve.TrySolve(new ReadOnlySpan2D<double>(a), 0.1, TrsmSide.Right, new Span2D<double>(bt), out _);
        });
        Assert.Equal(0, bytes);
    }
}
