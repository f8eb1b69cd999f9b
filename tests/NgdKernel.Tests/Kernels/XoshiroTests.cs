namespace NgdKernel.Tests.Kernels;

public class XoshiroTests
{
    [Fact]
    public void Xoshiro_MatchesReferenceStream()
    {
        // Reference: xoshiro256** from state {1, 2, 3, 4} (Vigna's C code): first outputs.
        var rng = default(Xoshiro256);
        rng.SetState([1UL, 2UL, 3UL, 4UL]);
        Assert.Equal(11520UL, rng.NextUInt64());
        Assert.Equal(0UL, rng.NextUInt64());
        Assert.Equal(1509978240UL, rng.NextUInt64());
        Assert.Equal(1215971899390074240UL, rng.NextUInt64());
    }

    [Fact]
    public void Xoshiro_SameSeedSameStream_DifferentSeedDifferentStream()
    {
        var a = new Xoshiro256(42);
        var b = new Xoshiro256(42);
        var c = new Xoshiro256(43);
        bool differs = false;
        for (int i = 0; i < 100; i++)
        {
            ulong x = a.NextUInt64();
            Assert.Equal(x, b.NextUInt64());
            differs |= x != c.NextUInt64();
        }

        Assert.True(differs);
        Assert.NotEqual(0UL, new Xoshiro256(0).NextUInt64() | new Xoshiro256(0).NextUInt64());
    }

    [Fact]
    public void Xoshiro_StateSaveRestore_ReproducesGaussianStream()
    {
        var rng = new Xoshiro256(7);
        var skip = new double[13];
        rng.FillGaussian(skip, 0.0, 1.0);   // odd length: no spare may leak into the state
        Span<ulong> state = stackalloc ulong[4];
        rng.GetState(state);
        var first = new float[101];
        rng.FillGaussian(first, 1f, 2f);

        var restored = new Xoshiro256(999);
        restored.SetState(state);
        var second = new float[101];
        restored.FillGaussian(second, 1f, 2f);
        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(-3.0, 0.5)]
    public void Xoshiro_FillGaussian_MeanVarianceWithinStatisticalBounds(double mean, double sd)
    {
        // n = 200 000 samples: the sample mean has sd σ/√n, the sample variance sd σ²√(2/n);
        // 5 of those is a one-in-a-million bound. Also check tail mass beyond 2σ (4.55%).
        const int N = 200_000;
        var rng = new Xoshiro256(2024);
        var x = new double[N];
        rng.FillGaussian(x, mean, sd);
        double m = x.Average();
        double v = x.Select(t => (t - m) * (t - m)).Sum() / (N - 1);
        Assert.InRange(m, mean - (5 * sd / Math.Sqrt(N)), mean + (5 * sd / Math.Sqrt(N)));
        double vBound = 5 * sd * sd * Math.Sqrt(2.0 / N);
        Assert.InRange(v, (sd * sd) - vBound, (sd * sd) + vBound);
        double tail = x.Count(t => Math.Abs(t - mean) > 2 * sd) / (double)N;
        double pTail = 0.0455;
        double tailBound = 5 * Math.Sqrt(pTail * (1 - pTail) / N);
        Assert.InRange(tail, pTail - tailBound, pTail + tailBound);

        var single = new float[N];
        rng.FillGaussian(single, (float)mean, (float)sd);
        Assert.InRange(single.Average(), mean - (5 * sd / Math.Sqrt(N)), mean + (5 * sd / Math.Sqrt(N)));
    }

    [Fact]
    public void Xoshiro_NextDouble_InUnitInterval()
    {
        var rng = new Xoshiro256(5);
        double sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            double u = rng.NextDouble();
            Assert.InRange(u, 0.0, 1.0 - (1.0 / (1UL << 53)));
            sum += u;
        }

        Assert.InRange(sum / 100_000, 0.5 - (5 * Math.Sqrt(1.0 / 12 / 100_000)), 0.5 + (5 * Math.Sqrt(1.0 / 12 / 100_000)));
    }

    [Fact]
    public void Xoshiro_ThrowsFor_BadStateAndScalars()
    {
        var rng = new Xoshiro256(1);
        var ex = Assert.Throws<ArgumentException>(() => rng.SetState(new ulong[4]));
        Assert.Equal("state4", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => rng.SetState(new ulong[3]));
        Assert.Contains("length 3", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => rng.GetState(new ulong[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.FillGaussian(new double[3], 0.0, -1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.FillGaussian(new double[3], double.NaN, 1.0));
    }

    [Fact]
    public void Xoshiro_AllocatesNothing()
    {
        var rng = new Xoshiro256(1);
        var buffer = new float[1000];
        rng.FillGaussian(buffer, 0f, 1f);
        long allocated = Allocations.Measure(() =>
        {
            rng.FillGaussian(buffer, 0f, 1f);
            rng.NextUInt64();
        });
        Assert.Equal(0, allocated);
    }
}
