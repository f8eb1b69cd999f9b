using NgdKernel.Kernels.Internals;

namespace NgdKernel.Tests.Kernels;

/// <summary>
/// The polar method's radius <c>sd · sqrt(-2 ln s / s)</c> and its own logarithm: accuracy against
/// <see cref="Math.Log(double)"/>, and the same bits on every path.
/// </summary>
public sealed class PolarTransformTests
{
    /// <summary>
    /// Float: within 2 ulp of the double-precision logarithm rounded to float (Cephes logf's bound
    /// plus the rounding of the reference), over every binade of normal floats, with the edges of
    /// the reduction interval (√½, 1, √2, powers of two) and the ends of the range.
    /// </summary>
    [Fact]
    public void Log_Float_WithinTwoUlp()
    {
        foreach (float x in FloatArguments())
        {
            float actual = PolarTransform.Log(x);
            double exact = Math.Log(x);
            double ulp = Math.Max(double.CreateTruncating(MathF.BitIncrement(MathF.Abs((float)exact)) - MathF.Abs((float)exact)),
                double.CreateTruncating(float.Epsilon));
            Assert.True(Math.Abs(actual - exact) <= 2 * ulp, $"ln({x:R}) = {actual:R}, exact {exact:R}");
        }
    }

    /// <summary>
    /// Double: within 2 ulp of <see cref="Math.Log(double)"/> (fdlibm's log and the platform's are
    /// each within 1 ulp of the exact value), over every binade, with the same edges.
    /// </summary>
    [Fact]
    public void Log_Double_WithinTwoUlp()
    {
        foreach (double x in DoubleArguments())
        {
            double actual = PolarTransform.Log(x);
            double exact = Math.Log(x);
            double ulp = Math.Max(Math.BitIncrement(Math.Abs(exact)) - Math.Abs(exact), double.Epsilon);
            Assert.True(Math.Abs(actual - exact) <= 2 * ulp, $"ln({x:R}) = {actual:R}, Math.Log {exact:R}");
        }
    }

    private const float MinNormalFloat = 1.17549435e-38f; // 2^-126

    /// <summary>
    /// Every path gives the scalar path's bits, for lengths around the vector widths (tails on the
    /// scalar loop), and the radius is <c>sd · sqrt(-2 ln s / s)</c> within 4 ulp: the logarithm's
    /// 2 ulp halved by the square root, plus the roundings of the division, root and product.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(127)]
    [InlineData(128)]
    public void Radius_SameBitsOnEveryPath(int length)
    {
        var rng = new Xoshiro256((ulong)length);
        float[] sf = new float[length];
        double[] sd = new double[length];
        for (int i = 0; i < length; i++)
        {
            // s in (0, 1) on a log scale down to 2^-46, as accepted pairs give (mostly near 1).
            double u = rng.NextDouble();
            sd[i] = i % 2 == 0 ? Math.Pow(2, -46 * u) : 1 - (u * 0.999);
            sf[i] = (float)sd[i];
        }

        float[] scalarF = Radius(sf, 0.7f, KernelPath.Scalar);
        double[] scalarD = Radius(sd, 1.3, KernelPath.Scalar);
        for (int i = 0; i < length; i++)
        {
            double expectedF = 0.7f * Math.Sqrt(-2 * Math.Log(sf[i]) / sf[i]);
            Assert.True(Math.Abs(scalarF[i] - expectedF) <= 4 * Tolerances.Epsilon<float>() * Math.Abs(expectedF),
                $"float radius of {sf[i]:R}: {scalarF[i]:R}, expected {expectedF:R}");
            double expectedD = 1.3 * Math.Sqrt(-2 * Math.Log(sd[i]) / sd[i]);
            Assert.True(Math.Abs(scalarD[i] - expectedD) <= 4 * Tolerances.Epsilon<double>() * Math.Abs(expectedD),
                $"double radius of {sd[i]:R}: {scalarD[i]:R}, expected {expectedD:R}");
        }

        foreach (KernelPath path in KernelPaths.Supported)
        {
            Assert.Equal(scalarF, Radius(sf, 0.7f, path));
            Assert.Equal(scalarD, Radius(sd, 1.3, path));
        }
    }

    /// <summary>
    /// The radius takes exactly the normal numbers in (0, 1], both ends included, and names the first
    /// element outside them by index, wherever it sits: in the first vector, a later one or the
    /// scalar tail, with valid elements before it; nothing is written before the check fails.
    /// </summary>
    [Fact]
    public void Radius_RejectsExactlyTheValuesOutsideTheNormalUnitInterval()
    {
        float[] badF = [0f, -0f, float.Epsilon, MathF.BitDecrement(MinNormalFloat), -0.5f, MathF.BitIncrement(1f), 2f,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        double[] badD = [0, -0.0, double.Epsilon, Math.BitDecrement(MinNormalDouble), -0.5, Math.BitIncrement(1.0), 2,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN];
        const int Length = 37; // vectors of 8 or 16 floats and 4 or 8 doubles, then a tail
        foreach (int at in (int[])[0, 5, 17, 31, 36])
        {
            for (int v = 0; v < badF.Length; v++)
            {
                float[] sf = new float[Length];
                Array.Fill(sf, at % 2 == 0 ? MinNormalFloat : 1f);
                sf[at] = badF[v];
                float[] before = (float[])sf.Clone();
                var ef = Assert.Throws<ArgumentOutOfRangeException>(() => PolarTransform.Radius(sf, 1f, KernelPath.Scalar));
                Assert.Equal($"s[{at}]", ef.ParamName);
                Assert.Equal(before, sf);

                double[] sd = new double[Length];
                Array.Fill(sd, at % 2 == 0 ? MinNormalDouble : 1.0);
                sd[at] = badD[v];
                var ed = Assert.Throws<ArgumentOutOfRangeException>(() => PolarTransform.Radius(sd, 1.0, KernelPath.Scalar));
                Assert.Equal($"s[{at}]", ed.ParamName);
            }
        }

        float[] edgesF = [MinNormalFloat, 1f, MathF.BitIncrement(MinNormalFloat), MathF.BitDecrement(1f)];
        double[] edgesD = [MinNormalDouble, 1.0, Math.BitIncrement(MinNormalDouble), Math.BitDecrement(1.0)];
        PolarTransform.Radius(edgesF, 1f, KernelPath.Scalar);
        PolarTransform.Radius(edgesD, 1.0, KernelPath.Scalar);
        Assert.Equal(0f, edgesF[1]);
        Assert.Equal(0.0, edgesD[1]);
    }

    private const double MinNormalDouble = 2.2250738585072014e-308; // 2^-1022

    private static float[] Radius(float[] s, float sd, KernelPath path)
    {
        float[] r = (float[])s.Clone();
        PolarTransform.Radius(r, sd, path);
        return r;
    }

    private static double[] Radius(double[] s, double sd, KernelPath path)
    {
        double[] r = (double[])s.Clone();
        PolarTransform.Radius(r, sd, path);
        return r;
    }

    private static IEnumerable<float> FloatArguments()
    {
        var rng = new Xoshiro256(11);
        foreach (float edge in (float[])[MinNormalFloat, float.MaxValue, 1f, 2f, 0.5f, 0.70710677f, 1.4142135f, 3f, 1e-30f])
        {
            yield return edge;
            yield return MathF.BitIncrement(edge) is float up && float.IsFinite(up) ? up : edge;
            yield return MathF.BitDecrement(edge) is float down && down >= MinNormalFloat ? down : edge;
        }

        for (int e = -126; e < 128; e++)
        {
            for (int i = 0; i < 200; i++)
            {
                yield return MathF.ScaleB(1f + (float)rng.NextDouble(), e) is float x && float.IsFinite(x) ? x : 1f;
            }
        }
    }

    private static IEnumerable<double> DoubleArguments()
    {
        var rng = new Xoshiro256(12);
        foreach (double edge in (double[])[double.Epsilon * (1L << 52), double.MaxValue, 1, 2, 0.5, Math.Sqrt(0.5), Math.Sqrt(2), 3, 1e-300])
        {
            yield return edge;
            yield return Math.BitIncrement(edge) is double up && double.IsFinite(up) ? up : edge;
            yield return Math.BitDecrement(edge);
        }

        for (int e = -1022; e < 1024; e += 3)
        {
            for (int i = 0; i < 40; i++)
            {
                yield return Math.ScaleB(1 + rng.NextDouble(), e) is double x && double.IsFinite(x) ? x : 1;
            }
        }
    }
}
