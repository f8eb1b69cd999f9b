namespace NgdKernel.Tests.Kernels;

/// <summary>
/// Half satisfies the kernels' generic constraint but has no SIMD arithmetic: every public entry
/// rejects it before touching its outputs, with an exception that names the type.
/// </summary>
[Collection(DenseKernelTestCollection.Name)]
public class ElementTypeTests
{
    private static readonly Half One = Half.One;

    private static void AssertRejected(Action call)
    {
        NotSupportedException e = Assert.Throws<NotSupportedException>(call);
        Assert.Contains("Half", e.Message, StringComparison.Ordinal);
        Assert.Contains("float or double", e.Message, StringComparison.Ordinal);
    }

    private static Half[,] Filled(int rows, int columns)
    {
        var a = new Half[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            a[i, i % columns] = One;
        }

        return a;
    }

    [Fact]
    public void MatrixKernels_RejectHalf_BeforeWritingTheirOutputs()
    {
        Half[,] a = Filled(3, 3), b = Filled(3, 3);
        Half[,] c = Filled(3, 3);
        AssertRejected(() => Gemm.Multiply<Half>(a, MatrixOp.None, b, MatrixOp.None, One, Half.Zero, c));
        AssertRejected(() => Syrk.Multiply<Half>(a, MatrixOp.Transpose, One, Half.Zero, c));
        AssertRejected(() => Cholesky.Factor<Half>(c, Half.Zero));
        AssertRejected(() => Cholesky.SolveLeft<Half>(a, c));
        AssertRejected(() => Cholesky.SolveRight<Half>(a, c));
        AssertRejected(() => Cholesky.Invert<Half>(c));
        AssertRejected(() => Trsm.Solve<Half>(a, TrsmTriangle.Lower, MatrixOp.None, TrsmSide.Left, c));
        Assert.Equal(Filled(3, 3), c);
    }

    [Fact]
    public void UpdatesAndDecompositions_RejectHalf()
    {
        Half[,] a = Filled(4, 4);
        var u = new Half[4];
        var workspace = new Half[64];
        var values = new Half[4];
        AssertRejected(() => ShermanMorrison.TryUpdate<Half>(a, u, u, One, workspace, out _));
        AssertRejected(() => SymmetricEigen.Decompose<Half>(a, values, new Half[4, 4], workspace));
        AssertRejected(() => VectorMath.Tanh<Half>(u, values));
        AssertRejected(() => VectorMath.Axpy<Half>(One, u, values));
        Assert.Equal(Filled(4, 4), a);
    }
}
