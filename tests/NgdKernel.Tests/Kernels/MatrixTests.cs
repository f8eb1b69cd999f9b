using NgdKernel.LinearAlgebra;

namespace NgdKernel.Tests.Kernels;

public class MatrixTests
{
    [Fact]
    public void Matrix_ViewsShareStorage_RowMajor()
    {
        var m = new Matrix<double>(2, 3);
        m[1, 2] = 7;
        Assert.Equal(7, m.Span[1, 2]);
        Assert.Equal(7, m.ReadOnlySpan[1, 2]);
        Assert.Equal(7, m.AsSpan()[5]);
        Assert.Equal(2, m.Span.Height);
        Assert.Equal(3, m.Span.Width);

        var copy = new Matrix<double>(2, 3);
        m.CopyTo(copy);
        Assert.Equal(7, copy[1, 2]);
        m.Clear();
        Assert.Equal(0, m[1, 2]);
        Assert.Equal(7, copy[1, 2]);
    }

    [Fact]
    public void Matrix_ThrowsFor_BadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Matrix<float>(-1, 2));
        var m = new Matrix<float>(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => m[2, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => m[0, -1]);
        ArgumentException e = Assert.Throws<ArgumentException>(() => m.CopyTo(new Matrix<float>(3, 2)));
        Assert.Contains("3×2", e.Message, StringComparison.Ordinal);
        Assert.Contains("2×3", e.Message, StringComparison.Ordinal);
    }
}
