using FsCheck.Fluent;
using R = NgdKernel.Tests.Reference.ReferenceCholesky;

namespace NgdKernel.Tests.Kernels;

public class TrsmTests
{
    // Forward error against naive substitution in double: ‖X - X_ref‖₁ / (n·κ₁(T)·‖X_ref‖₁·eps) ≤ 30.
    // T is the Cholesky factor of an SPD matrix of condition κ_A, so κ(T) ≈ sqrt(κ_A).
    [Theory, Combinations]
    public void Trsm_AllEightCases_MatchNaiveSubstitution(KernelPath path, Precision precision) =>
        FactorCases.Check(path, precision, FactorCases.Cases(200, precision.Pick(3, 6)), AllCases<float>, AllCases<double>, 10);

    private static bool AllCases<T>(FactorCase c, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = c.N;
        var random = new Random(c.Seed);
        double[,] spd = SpdGenerators.Spd(n, Math.Pow(10, c.Log10Condition), random);
        Assert.Equal(-1, R.Factor(spd, 0, out double[,] l, out _));
        foreach (TrsmTriangle part in new[] { TrsmTriangle.Lower, TrsmTriangle.Upper })
        {
            bool lower = part == TrsmTriangle.Lower;
            double[,] t = FactorGuardedMatrix<T>.Rounded(lower ? l : R.Transpose(l));
            var triangle = new FactorGuardedMatrix<T>(t, c.Pitch, c.Offset);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    if (lower ? j > i : j < i)
                    {
                        triangle.Span[i, j] = T.CreateTruncating(1e30);   // the other triangle is never read
                    }
                }
            }

            double kappa = R.Norm1(t) * R.Norm1(R.Inverse(t));
            foreach (MatrixOp op in new[] { MatrixOp.None, MatrixOp.Transpose })
            {
                foreach (TrsmSide side in new[] { TrsmSide.Left, TrsmSide.Right })
                {
                    bool left = side == TrsmSide.Left;
                    double[,] b = FactorGuardedMatrix<T>.Rounded(left ? SpdGenerators.RandomMatrix(n, c.M, random) : SpdGenerators.RandomMatrix(c.M, n, random));
                    var view = new FactorGuardedMatrix<T>(b, c.Pitch + 2, c.Offset + 1);
                    Trsm.Solve(triangle.ReadOnlySpan, part, op, side, view.Span, new KernelContext(1, path));
                    view.AssertGuardsIntact();
                    triangle.AssertGuardsIntact();
                    double[,] expected = R.TriangularSolve(t, lower, op == MatrixOp.Transpose, left, b);
                    double ratio = Tolerances.SolveRatio(
                        R.Norm1(R.Subtract(view.ToDouble(), expected)), R.Norm1(expected), n, kappa, Tolerances.Epsilon<T>());
                    Assert.True(ratio <= Tolerances.FactorThreshold, $"{c} {path} {part} {op} {side}: ratio {ratio}");
                }
            }
        }

        return true;
    }

    [Fact]
    public void Trsm_HandComputed_TwoByTwo()
    {
        // L = [[2, 0], [1, 4]]: L·x = (2, 9) gives x = (1, 2); Lᵀ·x = (4, 8) gives x = (1, 2).
        double[,] l = { { 2, 0 }, { 1, 4 } };
        double[,] b = { { 2 }, { 9 } };
        Trsm.Solve(new ReadOnlySpan2D<double>(l), TrsmTriangle.Lower, MatrixOp.None, TrsmSide.Left, new Span2D<double>(b));
        Assert.Equal(new double[,] { { 1 }, { 2 } }, b);
        double[,] bt = { { 4 }, { 8 } };
        Trsm.Solve(new ReadOnlySpan2D<double>(l), TrsmTriangle.Lower, MatrixOp.Transpose, TrsmSide.Left, new Span2D<double>(bt));
        Assert.Equal(new double[,] { { 1 }, { 2 } }, bt);
        double[,] row = { { 4, 8 } };   // x·L = (4, 8): x1 = 2, x0 = (4 - 2)/2 = 1
        Trsm.Solve(new ReadOnlySpan2D<double>(l), TrsmTriangle.Lower, MatrixOp.None, TrsmSide.Right, new Span2D<double>(row));
        Assert.Equal(new double[,] { { 1, 2 } }, row);
    }

    [Fact]
    public void Trsm_ThrowsFor_ShapesEnumsAndOverlap()
    {
        var t = new double[3, 3];
        var ex = Assert.Throws<ArgumentException>(() => Trsm.Solve(new ReadOnlySpan2D<double>(t), TrsmTriangle.Lower, MatrixOp.None, TrsmSide.Left, new Span2D<double>(new double[2, 5])));
        Assert.Equal("b", ex.ParamName);
        Assert.Contains("2×5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3×3", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => Trsm.Solve(new ReadOnlySpan2D<double>(t), TrsmTriangle.Upper, MatrixOp.Transpose, TrsmSide.Right, new Span2D<double>(new double[3, 5])));
        Assert.Contains("must have 3 columns", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => Trsm.Solve(new ReadOnlySpan2D<double>(new double[2, 3]), TrsmTriangle.Lower, MatrixOp.None, TrsmSide.Left, new Span2D<double>(new double[2, 5])));
        Assert.Equal("triangle", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Trsm.Solve(new ReadOnlySpan2D<double>(t), (TrsmTriangle)7, MatrixOp.None, TrsmSide.Left, new Span2D<double>(new double[3, 1])));
        Assert.Throws<ArgumentOutOfRangeException>(() => Trsm.Solve(new ReadOnlySpan2D<double>(t), TrsmTriangle.Lower, (MatrixOp)7, TrsmSide.Left, new Span2D<double>(new double[3, 1])));
        Assert.Throws<ArgumentOutOfRangeException>(() => Trsm.Solve(new ReadOnlySpan2D<double>(t), TrsmTriangle.Lower, MatrixOp.None, (TrsmSide)7, new Span2D<double>(new double[3, 1])));
        var shared = new double[30];
        ex = Assert.Throws<ArgumentException>(() => Trsm.Solve(new ReadOnlySpan2D<double>(shared, 0, 3, 3, 0), TrsmTriangle.Lower, MatrixOp.None, TrsmSide.Left, new Span2D<double>(shared, 5, 3, 2, 0)));
        Assert.Equal("b", ex.ParamName);
    }

    [Fact]
    public void Trsm_AllocatesNothingAfterWarmUp()
    {
        const int N = 150;
        Assert.Equal(-1, R.Factor(SpdGenerators.Spd(N, 10, new Random(4)), 0, out double[,] l, out _));
        var t = new FactorGuardedMatrix<double>(l, 0, 0);
        var b = new FactorGuardedMatrix<double>(SpdGenerators.RandomMatrix(N, N, new Random(5)), 0, 0);
        KernelContext[] contexts = [.. KernelPaths.Supported.Select(path => new KernelContext(1, path))];
        TrsmSide[] sides = [TrsmSide.Left, TrsmSide.Right];
        void Run()
        {
            foreach (KernelContext context in contexts)
            {
                foreach (TrsmSide side in sides)
                {
                    Trsm.Solve(t.ReadOnlySpan, TrsmTriangle.Lower, MatrixOp.None, side, b.Span, context);
                    Trsm.Solve(t.ReadOnlySpan, TrsmTriangle.Upper, MatrixOp.Transpose, side, b.Span, context);
                }
            }
        }

        Run();
        Assert.Equal(0, Allocations.Measure(Run));
    }
}
