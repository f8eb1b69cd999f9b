using NgdKernel.LinearAlgebra;

namespace NgdKernel.Tests.Networks;

/// <summary>The polar-method sampler of the sampled backward passes.</summary>
public sealed class GaussianSamplerTests
{
    /// <summary>
    /// N(0, sd^2) draws into a strided view: the standardised mean, variance and fourth moment lie
    /// within 5 of their standard errors (1/sqrt(N), sqrt(2/N), sqrt(96/N)), the Kolmogorov-Smirnov
    /// distance to the normal CDF is below the 0.1% critical value 1.95/sqrt(N), and the gap between
    /// rows is never written. Rows of odd width make pairs straddle rows.
    /// </summary>
    [Theory]
    [InlineData(typeof(float), 0.5)]
    [InlineData(typeof(double), 2.0)]
    public void Fill_DrawsStandardNormals(Type type, double sd)
    {
        if (type == typeof(float))
        {
            AssertNormal<float>(sd);
        }
        else
        {
            AssertNormal<double>(sd);
        }
    }

    /// <summary>
    /// The values and the generator state after a fill depend only on the number of values and the
    /// seed, not on the view's shape: a 181 x 3 view gets the 543 values of a 1 x 543 one (an odd
    /// count, pairs straddling rows), row by row.
    /// </summary>
    [Fact]
    public void Fill_DependsOnlyOnValueCount()
    {
        var wide = new double[1, 543];
        var tall = new double[181, 3];
        var a = new Xoshiro256(42);
        var b = new Xoshiro256(42);
        GaussianSampler.Fill(ref a, wide.AsSpan2D(), 1.0, KernelPaths.Best);
        GaussianSampler.Fill(ref b, tall.AsSpan2D(), 1.0, KernelPaths.Best);
        Assert.Equal(wide.Cast<double>(), tall.Cast<double>());
        Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    /// <summary>
    /// A blocked fill (here 2^14 / 97 = 168 rows a block, 6 blocks and a part) gives the same values
    /// and leaves the generator in the same state on 1, 2 and 3 threads, with or without a job
    /// object (a busy network fills on its caller); rows outside the range are never written.
    /// </summary>
    [Fact]
    public void FillJob_SameBitsOnAnyThreadCount()
    {
        const int Rows = 1001, Columns = 97, Offset = 3;
        Assert.Equal(168, GaussianSampler.BlockRows(Columns));
        float[]? expected = null;
        ulong expectedNext = 0;
        foreach ((int threads, bool withJob) in new[] { (1, false), (2, true), (2, false), (3, true) })
        {
            using var context = new KernelContext(threads);
            var target = new Matrix<float>(Rows + 5, Columns);
            var rng = new Xoshiro256(11);
            GaussianFillJob<float>.Fill(ref rng, target, Offset, Rows, Columns, 1f, context, withJob ? new GaussianFillJob<float>() : null);
            float[] values = target.AsSpan().ToArray();
            Assert.All(values[..(Offset * Columns)], v => Assert.Equal(0f, v));
            Assert.All(values[((Offset + Rows) * Columns)..], v => Assert.Equal(0f, v));
            expected ??= values;
            ulong next = rng.NextUInt64();
            expectedNext = expectedNext == 0 ? next : expectedNext;
            Assert.Equal(expected, values);
            Assert.Equal(expectedNext, next);
        }
    }

    /// <summary>A fill of one block is the plain polar-method fill from the caller's generator.</summary>
    [Fact]
    public void FillJob_OneBlock_IsThePlainFill()
    {
        using var context = new KernelContext(2);
        var target = new Matrix<double>(40, 50);
        var a = new Xoshiro256(5);
        var b = new Xoshiro256(5);
        GaussianFillJob<double>.Fill(ref a, target, 0, 40, 50, 2.0, context, new GaussianFillJob<double>());
        var plain = new double[40, 50];
        GaussianSampler.Fill(ref b, plain.AsSpan2D(), 2.0, context.Path);
        Assert.Equal(plain.Cast<double>(), target.AsSpan().ToArray());
        Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    /// <summary>
    /// The blocks' generators give independent standard normals: over 12 blocks on two threads the
    /// moments and the Kolmogorov-Smirnov distance pass the tests of <see cref="Fill_DrawsStandardNormals"/>,
    /// and so does every block on its own (a block repeating another's stream would not change the
    /// first but would show in <see cref="FillJob_BlocksDiffer"/>).
    /// </summary>
    [Fact]
    public void FillJob_DrawsStandardNormals()
    {
        Matrix<double> target = BlockedFill<double>(2000, 97, seed: 3);
        AssertStandardNormal(target.AsSpan().ToArray());
        int blockRows = GaussianSampler.BlockRows(97);
        for (int row = 0; row < 2000; row += blockRows)
        {
            int count = Math.Min(blockRows, 2000 - row);
            AssertStandardNormal(target.AsSpan().Slice(row * 97, count * 97).ToArray());
        }
    }

    /// <summary>No two blocks start alike: each has its own generator.</summary>
    [Fact]
    public void FillJob_BlocksDiffer()
    {
        Matrix<float> target = BlockedFill<float>(1000, 784, seed: 1);
        int blockRows = GaussianSampler.BlockRows(784);
        var starts = new HashSet<float>();
        for (int row = 0; row < 1000; row += blockRows)
        {
            Assert.True(starts.Add(target[row, 0]), $"block at row {row} starts like an earlier one");
        }
    }

    /// <summary>A <c>[rows, columns]</c> matrix of N(0, 1) draws by a blocked fill on a two-thread context.</summary>
    private static Matrix<T> BlockedFill<T>(int rows, int columns, ulong seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var context = new KernelContext(2);
        var target = new Matrix<T>(rows, columns);
        var rng = new Xoshiro256(seed);
        GaussianFillJob<T>.Fill(ref rng, target, 0, rows, columns, T.One, context, new GaussianFillJob<T>());
        return target;
    }

    private static void AssertNormal<T>(double sd)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var layout = new ViewLayout(1001, 97, 5, 3, 4, 1);
        GuardedMatrix<T> matrix = layout.Create<T>();
        var rng = new Xoshiro256(7);
        GaussianSampler.Fill(ref rng, matrix.Span, T.CreateChecked(sd), KernelPaths.Best);
        matrix.AssertGuardsUntouched();

        var z = new double[layout.Rows * layout.Columns];
        for (int r = 0; r < layout.Rows; r++)
        {
            for (int c = 0; c < layout.Columns; c++)
            {
                z[(r * layout.Columns) + c] = double.CreateChecked(matrix[r, c]) / sd;
            }
        }

        AssertStandardNormal(z);
    }

    /// <summary>Moments within 5 standard errors and the KS distance below the 0.1% critical value.</summary>
    private static void AssertStandardNormal(double[] z)
    {
        int n = z.Length;
        double mean = z.Average();
        double variance = z.Select(v => v * v).Average();
        double fourth = z.Select(v => v * v * v * v).Average();
        Assert.InRange(mean, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
        Assert.InRange(variance, 1 - (5 * Math.Sqrt(2.0 / n)), 1 + (5 * Math.Sqrt(2.0 / n)));
        Assert.InRange(fourth, 3 - (5 * Math.Sqrt(96.0 / n)), 3 + (5 * Math.Sqrt(96.0 / n)));

        Array.Sort(z);
        double distance = 0;
        for (int i = 0; i < n; i++)
        {
            double cdf = NormalCdf(z[i]);
            distance = Math.Max(distance, Math.Max(cdf - ((double)i / n), ((i + 1.0) / n) - cdf));
        }

        Assert.True(distance < 1.95 / Math.Sqrt(n), $"Kolmogorov-Smirnov distance {distance} over {n} draws");
    }

    private static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>Complementary error function (Numerical Recipes erfcc, relative error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + (0.5 * z));
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        double p = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            p = c[i] + (t * p);
        }

        double r = t * Math.Exp(-(z * z) + p);
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>(rows, columns): odd and even counts, pairs crossing rows, several batches, none.</summary>
    public static TheoryData<int, int> FillShapes { get; } =
        new() { { 1, 1 }, { 1, 2 }, { 3, 5 }, { 32, 32 }, { 17, 31 }, { 1, 255 }, { 2, 257 }, { 129, 7 }, { 0, 4 } };

    /// <summary>
    /// The batched sampler gives the bits of the one-pair-at-a-time polar loop and leaves the generator
    /// in the same state, for odd and even counts, batches of pairs crossing rows and several batches.
    /// </summary>
    [Theory]
    [MemberData(nameof(FillShapes))]
    public void Fill_MatchesOnePairAtATimePolarLoop(int rows, int columns)
    {
        foreach (KernelPath path in KernelPaths.Supported)
        {
            SameAsReference<float>(rows, columns, 0.7f, path);
            SameAsReference<double>(rows, columns, 1.3, path);
        }
    }

    private static void SameAsReference<T>(int rows, int columns, T sd, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Xoshiro256(((ulong)rows * 1000) + (ulong)columns);
        Xoshiro256 reference = rng;
        var actual = new T[rows, columns];
        var expected = new T[rows, columns];
        GaussianSampler.Fill(ref rng, new Span2D<T>(actual), sd, path);
        Reference.ReferencePolarSampler.Fill(ref reference, new Span2D<T>(expected), sd);
        Assert.Equal(expected, actual);
        Assert.Equal(reference.NextUInt64(), rng.NextUInt64());
    }
}
