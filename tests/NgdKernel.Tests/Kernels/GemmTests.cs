using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.Tests.Reference;

namespace NgdKernel.Tests.Kernels;

public class GemmTests
{
    private static T[,] Random<T>(int rows, int columns, int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var x = new T[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                x[i, j] = T.CreateTruncating((random.NextDouble() * 2) - 1);
            }
        }

        return x;
    }

    private static void AssertMatchesReference<T>(int m, int n, int k, MatrixOp opA, MatrixOp opB, T alpha, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[,] a = opA == MatrixOp.None ? Random<T>(m, k, 1) : Random<T>(k, m, 1);
        T[,] b = opB == MatrixOp.None ? Random<T>(k, n, 2) : Random<T>(n, k, 2);
        T[,] c = Random<T>(m, n, 3);
        (double[,] expected, double[,] magnitude) = ReferenceGemm.Multiply<T>(a, opA, b, opB, alpha, beta, c);
        Gemm.Multiply<T>(a, opA, b, opB, alpha, beta, c);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double error = Math.Abs(double.CreateTruncating(c[i, j]) - expected[i, j]);
                Assert.True(
                    error <= Tolerances.GemmElement<T>(k, magnitude[i, j]),
                    $"C[{i},{j}] = {c[i, j]}, expected {expected[i, j]} (error {error})");
            }
        }
    }

    [Theory]
    [InlineData(MatrixOp.None, MatrixOp.None)]
    [InlineData(MatrixOp.None, MatrixOp.Transpose)]
    [InlineData(MatrixOp.Transpose, MatrixOp.None)]
    [InlineData(MatrixOp.Transpose, MatrixOp.Transpose)]
    public void Gemm_MatchesReference_EveryOp(MatrixOp opA, MatrixOp opB)
    {
        AssertMatchesReference(37, 29, 41, opA, opB, 1.5, 0.5);
        AssertMatchesReference(37, 29, 41, opA, opB, 1.5f, 0.5f);
        AssertMatchesReference(5, 70, 3, opA, opB, -1.0, 0.0);
    }

    [Fact]
    public void Gemm_BetaZero_NeverReadsC()
    {
        double[,] a = { { 1, 2 }, { 3, 4 } };
        double[,] b = { { 5, 6 }, { 7, 8 } };
        double[,] c = { { double.NaN, double.NaN }, { double.PositiveInfinity, double.NaN } };
        Gemm.Multiply<double>(a, MatrixOp.None, b, MatrixOp.None, 1.0, 0.0, c);
        Assert.Equal(new double[,] { { 19, 22 }, { 43, 50 } }, c);
    }

    [Fact]
    public void Gemm_ThrowsFor_InnerDimensionMismatch_NamingBothShapes()
    {
        var a = new double[10, 40];
        var b = new double[30, 20];
        var c = new double[10, 20];
        ArgumentException e = Assert.Throws<ArgumentException>(
            () => Gemm.Multiply<double>(a, MatrixOp.None, b, MatrixOp.None, 1.0, 0.0, c));
        Assert.Equal("b", e.ParamName);
        Assert.StartsWith("'b' is 30×20 but 'a' is 10×40: b must have 40 rows.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gemm_ThrowsFor_WrongDestination_NamingAllShapes()
    {
        var a = new float[10, 40];
        var b = new float[20, 40];
        var c = new float[10, 10];
        ArgumentException e = Assert.Throws<ArgumentException>(
            () => Gemm.Multiply<float>(a, MatrixOp.None, b, MatrixOp.Transpose, 1f, 0f, c));
        Assert.Equal("c", e.ParamName);
        Assert.StartsWith(
            "'c' is 10×10 but 'a' is 10×40 and 'b' is 20×40 (used transposed): c must be 10×20.",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Syrk_MatchesGemm_BothOps()
    {
        double[,] x = Random<double>(23, 9, 4);
        var c = new double[9, 9];
        var expected = new double[9, 9];
        Syrk.Multiply<double>(x, MatrixOp.Transpose, 0.5, 0.0, c);
        Gemm.Multiply<double>(x, MatrixOp.Transpose, x, MatrixOp.None, 0.5, 0.0, expected);
        for (int i = 0; i < 9; i++)
        {
            for (int j = 0; j < 9; j++)
            {
                Assert.Equal(c[i, j], c[j, i]);
                Assert.Equal(expected[i, j], c[i, j], 1e-13);
            }
        }
    }
}
