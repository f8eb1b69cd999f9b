namespace NgdKernel.Tests.Kernels;

[Collection(DenseKernelTestCollection.Name)]
public class GemmValidationTests
{
    private static ArgumentException Throws(
        float[,] a, MatrixOp opA, float[,] b, MatrixOp opB, float[,] c, float alpha = 1f, float beta = 0f) =>
        Assert.ThrowsAny<ArgumentException>(() => Gemm.Multiply<float>(a, opA, b, opB, alpha, beta, c));

    private static void AssertMessage(ArgumentException e, string paramName, string message)
    {
        Assert.Equal(paramName, e.ParamName);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    /// <summary>Inner dimensions that disagree (each op) and a destination of the wrong shape: the message names every shape.</summary>
    [Theory]
    [InlineData(10, 40, MatrixOp.None, 30, 20, MatrixOp.None, 10, 20, "b", "'b' is 30×20 but 'a' is 10×40: b must have 40 rows.")]
    [InlineData(40, 10, MatrixOp.Transpose, 30, 20, MatrixOp.None, 10, 20, "b", "'b' is 30×20 but 'a' is 40×10 (used transposed): b must have 40 rows.")]
    [InlineData(10, 40, MatrixOp.None, 20, 30, MatrixOp.Transpose, 10, 20, "b", "'b' is 20×30 (used transposed) but 'a' is 10×40: b must have 40 columns.")]
    [InlineData(10, 40, MatrixOp.None, 20, 40, MatrixOp.Transpose, 10, 10, "c", "'c' is 10×10 but 'a' is 10×40 and 'b' is 20×40 (used transposed): c must be 10×20.")]
    [InlineData(10, 40, MatrixOp.None, 40, 20, MatrixOp.None, 20, 10, "c", "'c' is 20×10 but 'a' is 10×40 and 'b' is 40×20: c must be 10×20.")]
    public void Gemm_ThrowsFor_ShapeMismatch_NamingTheShapes(
        int aRows, int aColumns, MatrixOp opA, int bRows, int bColumns, MatrixOp opB, int cRows, int cColumns, string paramName, string message) =>
        AssertMessage(
            Throws(new float[aRows, aColumns], opA, new float[bRows, bColumns], opB, new float[cRows, cColumns]), paramName, message);

    [Fact]
    public void Gemm_ThrowsFor_NonFiniteScalars()
    {
        var a = new float[2, 2];
        AssertMessage(Throws(a, MatrixOp.None, new float[2, 2], MatrixOp.None, new float[2, 2], alpha: float.NaN), "alpha", "'alpha' is NaN: it must be finite.");
        AssertMessage(
            Throws(a, MatrixOp.None, new float[2, 2], MatrixOp.None, new float[2, 2], beta: float.PositiveInfinity),
            "beta", "'beta' is Infinity: it must be finite.");
    }

    [Fact]
    public void Gemm_ThrowsFor_DestinationOverlappingAnInput()
    {
        var buffer = new float[64];
        ArgumentException e = Assert.Throws<ArgumentException>(() =>
        {
            var a = new ReadOnlySpan2D<float>(buffer, 0, 4, 4, 0);
            var b = new ReadOnlySpan2D<float>(buffer, 32, 4, 4, 0);
            var c = new Span2D<float>(buffer, 12, 4, 4, 0);
            Gemm.Multiply(a, MatrixOp.None, b, MatrixOp.None, 1f, 0f, c);
        });
        AssertMessage(e, "c", "'c' shares memory with 'a'");
        e = Assert.Throws<ArgumentException>(() =>
        {
            var a = new ReadOnlySpan2D<float>(buffer, 0, 4, 4, 0);
            var b = new ReadOnlySpan2D<float>(buffer, 32, 4, 4, 0);
            var c = new Span2D<float>(buffer, 20, 4, 4, 0);
            Gemm.Multiply(a, MatrixOp.None, b, MatrixOp.None, 1f, 0f, c);
        });
        AssertMessage(e, "c", "'c' shares memory with 'b'");
    }

    [Fact]
    public void Gemm_ThrowsNothing_ForAdjacentViews()
    {
        var buffer = new float[48];
        var a = new ReadOnlySpan2D<float>(buffer, 0, 4, 4, 0);
        var b = new ReadOnlySpan2D<float>(buffer, 16, 4, 4, 0);
        var c = new Span2D<float>(buffer, 32, 4, 4, 0);
        Gemm.Multiply(a, MatrixOp.None, b, MatrixOp.None, 1f, 0f, c);
    }

    [Fact]
    public void Gemm_ThrowsFor_DisposedContext()
    {
        var context = new KernelContext(2);
        context.Dispose();
        Assert.Throws<ObjectDisposedException>(
            () => Gemm.Multiply<double>(new double[2, 2], MatrixOp.None, new double[2, 2], MatrixOp.None, 1, 0, new double[2, 2], context));
    }

    [Fact]
    public void KernelContext_ThrowsFor_BadOptions()
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new KernelContext(0));
        Assert.Equal("threadCount", e.ParamName);
        Assert.Contains("'threadCount' is 0", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new KernelContext(KernelContext.MaxThreadCount + 1));
        Assert.Throws<ArgumentException>(() => new KernelContext(1, (KernelPath)7));
    }

    [Fact]
    public void KernelContext_Default_IsOneThreadOnTheBestPathAndSurvivesDispose()
    {
        KernelContext.Default.Dispose();
        Assert.Equal(1, KernelContext.Default.ThreadCount);
        Assert.True(KernelPaths.IsSupported(KernelContext.Default.Path));
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KernelPaths.EnvironmentVariable)))
        {
            Assert.Equal(KernelPaths.Widest, KernelContext.Default.Path);
        }

        Gemm.Multiply<double>(new double[1, 1], MatrixOp.None, new double[1, 1], MatrixOp.None, 1, 0, new double[1, 1]);
    }
}
