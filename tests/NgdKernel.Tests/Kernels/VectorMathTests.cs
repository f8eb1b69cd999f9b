using System.Numerics.Tensors;

namespace NgdKernel.Tests.Kernels;

public class VectorMathTests
{
    public static TheoryData<int> Lengths => new(0, 1, 3, 7, 8, 9, 15, 16, 17, 255, 256, 257, 1000);

    private static double[] Input(int n) => [.. Enumerable.Range(0, n).Select(i => Math.Sin(i * 1.7) * 4)];

    [Theory, MemberData(nameof(Lengths))]
    public void VectorMath_AllFunctions_MatchScalarFormulas(int n)
    {
        double[] x = Input(n);
        double[] y = [.. x.Select(v => v * 0.5 + 1)];
        double[] d = new double[n];
        const double Tol = 1e-14;

        VectorMath.Axpy(2.0, x, y);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal((x[i] * 0.5) + 1 + (2 * x[i]), y[i], Tol);
        }

        VectorMath.Scale(x, -3.0, d);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(-3 * x[i], d[i]));

        VectorMath.Tanh(x, d);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(Math.Tanh(x[i]), d[i], Tol));
        double[] t = (double[])d.Clone();
        VectorMath.TanhDerivative(t, d);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(1 - (t[i] * t[i]), d[i], Tol));
        double[] g = Input(n).Select(v => v + 0.25).ToArray();
        VectorMath.TanhBackward(t, g, g);   // exact aliasing of gradient and destination
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal((x[i] + 0.25) * (1 - (t[i] * t[i])), g[i], Tol));

        VectorMath.Logistic(x, d);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(1 / (1 + Math.Exp(-x[i])), d[i], Tol));
        double[] s = (double[])d.Clone();
        VectorMath.LogisticDerivative(s, s);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(d[i] * (1 - d[i]), s[i], Tol));

        VectorMath.Relu(x, d);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(Math.Max(x[i], 0), d[i]));
        VectorMath.ReluDerivative(x, d);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(x[i] > 0 ? 1.0 : 0.0, d[i]));

        float[] xf = [.. x.Select(v => (float)v)];
        float[] df = new float[n];
        VectorMath.ReluDerivative(xf, df);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(xf[i] > 0 ? 1f : 0f, df[i]));
    }

    [Fact]
    public void VectorMath_NaN_Propagates()
    {
        double[] x = [1, double.NaN, -1, 0, 2, 3, 4, 5, 6, double.NaN];
        double[] d = new double[x.Length];
        VectorMath.Relu(x, d);
        Assert.True(double.IsNaN(d[1]) && double.IsNaN(d[9]));
        VectorMath.ReluDerivative(x, d);
        Assert.True(double.IsNaN(d[1]) && double.IsNaN(d[9]));
        Assert.Equal(0.0, d[3]);
        VectorMath.Tanh(x, d);
        Assert.True(double.IsNaN(d[1]));
    }

    [Fact]
    public void VectorMath_ThrowsFor_LengthMismatchAndPartialOverlap()
    {
        var ex = Assert.Throws<ArgumentException>(() => VectorMath.Axpy(1.0, new double[3], new double[4]));
        Assert.Equal("y", ex.ParamName);
        Assert.Contains("length 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("length 3", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => VectorMath.Tanh(new double[3], new double[2]));
        Assert.Throws<ArgumentException>(() => VectorMath.TanhBackward(new double[3], new double[2], new double[3]));
        var buffer = new double[10];
        Assert.Throws<ArgumentException>(() => VectorMath.ReluDerivative(buffer.AsSpan(0, 5), buffer.AsSpan(1, 5)));
        Assert.Throws<ArgumentException>(() => VectorMath.LogisticDerivative(buffer.AsSpan(0, 5), buffer.AsSpan(2, 5)));
    }

    // The one-pass derivatives replace TensorPrimitives compositions on the claim that they
    // round identically (no fused multiply-add): checked bit for bit on every path, with exact
    // aliasing of the destination, and with NaN, ±0 and ±1 among the inputs.
    [Theory, Combinations(0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 255, 257, 1000)]
    public void VectorMath_FusedDerivatives_BitIdenticalToTensorPrimitives(KernelPath path, int n)
    {
        Fused<double>(path, n);
        Fused<float>(path, n);
    }

    private static void Fused<T>(KernelPath path, int n)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(n + 17);
        T[] special = [T.NaN, T.Zero, T.NegativeZero, T.One, -T.One];
        T[] y = [.. Enumerable.Range(0, n).Select(i => i % 11 == 5 ? special[i % special.Length] : T.CreateTruncating((random.NextDouble() * 2.2) - 1.1))];
        T[] g = [.. Enumerable.Range(0, n).Select(_ => T.CreateTruncating((random.NextDouble() * 6) - 3))];

        T[] expected = new T[n], actual = new T[n];
        TensorPrimitives.Multiply<T>(y, y, expected);
        TensorPrimitives.Subtract(T.One, expected, expected);
        VectorMath.Fused<VectorMath.TanhDerivativeOp, T>(y, y, actual, path);
        Assert.Equal(Bits(expected), Bits(actual));

        TensorPrimitives.Multiply<T>(expected, g, expected);
        actual = (T[])g.Clone();
        VectorMath.Fused<VectorMath.TanhBackwardOp, T>(y, actual, actual, path);   // destination = gradient
        Assert.Equal(Bits(expected), Bits(actual));

        TensorPrimitives.Subtract(T.One, y, expected);
        TensorPrimitives.Multiply<T>(expected, y, expected);
        actual = (T[])y.Clone();
        VectorMath.Fused<VectorMath.LogisticDerivativeOp, T>(actual, actual, actual, path);   // destination = output
        Assert.Equal(Bits(expected), Bits(actual));
    }

    private static ulong[] Bits<T>(T[] values)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T> =>
        [.. values.Select(v => typeof(T) == typeof(float) ? BitConverter.SingleToUInt32Bits(float.CreateTruncating(v)) : BitConverter.DoubleToUInt64Bits(double.CreateTruncating(v)))];

    [Fact]
    public void VectorMath_AllocatesNothing()
    {
        double[] x = Input(300), y = new double[300], g = Input(300);
        void Run()
        {
            VectorMath.Axpy(0.5, x, y);
            VectorMath.Tanh(x, y);
            VectorMath.TanhBackward(y, g, g);
            VectorMath.LogisticDerivative(y, y);
            VectorMath.ReluDerivative(x, y);
        }

        Run();
        Assert.Equal(0, Allocations.Measure(Run));
    }
}
