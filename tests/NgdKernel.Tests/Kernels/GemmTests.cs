using System.Runtime.Intrinsics;
using static NgdKernel.Tests.Kernels.GemmTestSupport;
using BlockSizes = NgdKernel.Kernels.Internals.BlockSizes;
using Internals = NgdKernel.Kernels.Internals;

namespace NgdKernel.Tests.Kernels;

[Collection(DenseKernelTestCollection.Name)]
public class GemmTests
{
    [Theory, Combinations(1, 2)]
    public void Gemm_MatchesReference_AnyShapeAndStride(KernelPath path, int threads) =>
        ForAll(GemmCases.Gemm(), 40, path, threads, VerifyGemm);

    [Theory, Combinations]
    public void Gemm_MatchesReference_EveryOpAcrossBlocks(MatrixOp opA, MatrixOp opB)
    {
        // Several k blocks on every path (Kc = 256, 512, 1024), edge tiles in m and n (including a narrow
        // last column tile), one and two threads.
        foreach (KernelPath path in KernelPaths.Supported)
        {
            foreach (int threads in (int[])[1, 2])
            {
                using var context = new KernelContext(threads, path);
                var test = new GemmCase(
                    67, 45, 1100, opA, opB, 1.5, 0.5,
                    opA == MatrixOp.None ? new ViewLayout(67, 1100, 3, 1, 2, 1) : new ViewLayout(1100, 67, 0, 2, 1, 1),
                    opB == MatrixOp.None ? new ViewLayout(1100, 45, 5, 0, 1, 2) : new ViewLayout(45, 1100, 1, 3, 0, 2),
                    new ViewLayout(67, 45, 2, 1, 1, 3));
                VerifyGemm(test, context);
            }
        }
    }

    /// <summary>
    /// Shapes on both sides of every limit of the unpacked small-problem path (GemmSmall): m·n·k at
    /// MaxWork and one row past it, transposed B at MaxTransposedWork and MaxTransposedElements, n at
    /// MaxColumns, n below and around each vector width (tails overlapping their neighbour), and
    /// transposed B long enough in k to be copied in several chunks.
    /// </summary>
    [Theory, Combinations]
    public void Gemm_MatchesReference_AroundSmallProblemLimits(KernelPath path, MatrixOp opA, MatrixOp opB)
    {
        Assert.Equal(100L * 100 * 100, NgdKernel.Kernels.Internals.GemmSmall.MaxWork);
        Assert.Equal(32L * 32 * 32, NgdKernel.Kernels.Internals.GemmSmall.MaxTransposedWork);
        Assert.Equal(48 * 48, NgdKernel.Kernels.Internals.GemmSmall.MaxTransposedElements);
        Assert.Equal(256, NgdKernel.Kernels.Internals.GemmSmall.MaxColumns);
        Assert.Equal(8192, NgdKernel.Kernels.Internals.GemmSmall.MaxTallElements);
        Assert.Equal(128, NgdKernel.Kernels.Internals.GemmSmall.MaxTallColumns);
        Assert.Equal(16, NgdKernel.Kernels.Internals.GemmSmall.MinTallColumns);
        Assert.Equal(64, NgdKernel.Kernels.Internals.GemmSmall.MaxShortRows);
        Assert.Equal(128L * 128 * 512, NgdKernel.Kernels.Internals.GemmDriver.ParallelThreshold);
        (int M, int N, int K)[] shapes =
        [
            (20, 20, 20), (1000, 20, 20), (20, 20, 1000), (100, 100, 100), (101, 100, 100),
            (32, 32, 32), (33, 32, 32), (16, 64, 16), (16, 65, 16), (4, 256, 4), (4, 257, 4),
            (5, 3, 7), (6, 7, 5), (7, 15, 3), (9, 17, 4), (3, 31, 2), (2, 33, 5), (1, 8, 4000),
            (2, 16, 1000), (3, 31, 300), (32, 32, 33), (32, 48, 48), (32, 48, 49), (40, 49, 48),
            // Eight-row tiles with one, two and three vectors (float and double widths), then the
            // four-row and single-row remainders.
            (8, 16, 7), (8, 33, 3), (9, 40, 7), (17, 47, 12), (15, 20, 9), (13, 24, 5), (11, 8, 6),
            (23, 100, 10), (8, 1, 5), (50, 50, 50),
            // Tall products with a small B (MaxTallElements, MaxTallColumns, the parallel threshold).
            (1000, 50, 100), (1000, 128, 64), (1000, 129, 63), (1000, 50, 164), (1700, 50, 100),
            (2000, 15, 100), (2000, 16, 100),
            // Short products (MaxShortRows, float only), and single remainder rows of four vectors.
            (64, 100, 1000), (65, 100, 1000), (9, 100, 10), (49, 64, 30),
            // Width 20 (shared tail vectors): 12-, 8- and 4-row tiles and the rows they leave.
            (4, 20, 5), (6, 20, 3), (12, 20, 7), (13, 20, 9), (28, 20, 3), (29, 20, 11), (44, 20, 6),
            // Last rows in pairs and singles over 4, 2 and 1 vectors (float and double widths).
            (10, 50, 7), (11, 50, 5), (7, 100, 6), (3, 112, 4), (6, 40, 9), (7, 24, 3), (2, 17, 8),
            // Float rows with n mod 32 = 4: 8-row tiles carrying the 4-column tails of their rows.
            (17, 68, 5), (8, 132, 3), (13, 164, 2), (16, 36, 4),
        ];
        using var context = new KernelContext(1, path);
        int seed = 0;
        foreach ((int m, int n, int k) in shapes)
        {
            foreach ((double alpha, double beta) in ((double, double)[])[(1.0, 0.0), (-1.5, 0.75)])
            {
                seed += 4;
                VerifyGemm(StridedCase(m, n, k, opA, opB, alpha, beta, seed), context);
            }
        }
    }

    [Fact]
    public void Gemm_BlockSizes_MatchMicroKernels()
    {
        // One table drives packing and the micro-kernels read the panels: their tiles must agree.
        Assert.Equal(Tile512<float>(), Tile<float>(KernelPath.Vector512));
        Assert.Equal(Tile512<double>(), Tile<double>(KernelPath.Vector512));
        Assert.Equal(Tile256<float>(), Tile<float>(KernelPath.Vector256));
        Assert.Equal(Tile256<double>(), Tile<double>(KernelPath.Vector256));
        Assert.Equal(
            (Internals.GemmVectorTile<Internals.SimdScalar<float, Internals.Zero>, float, float, Internals.Six>.Mr,
                Internals.GemmVectorTile<Internals.SimdScalar<float, Internals.Zero>, float, float, Internals.Six>.Nr),
            Tile<float>(KernelPath.Scalar));
        foreach (KernelPath path in Enum.GetValues<KernelPath>())
        {
            foreach (BlockSizes blocks in (BlockSizes[])[BlockSizes.For<float>(path), BlockSizes.For<double>(path)])
            {
                Assert.Equal(0, blocks.Mc % blocks.Mr);
                Assert.Equal(0, blocks.Nc % blocks.Nr);
                Assert.Equal(0, blocks.Kc % 4);
                Assert.True(blocks.Mr * blocks.Nr <= BlockSizes.MaxTileElements);
            }
        }

        static (int, int) Tile512<T>()
            where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
            (Internals.GemmVectorTile<Internals.Simd512<T>, Vector512<T>, T, Internals.Twelve>.Mr,
                Internals.GemmVectorTile<Internals.Simd512<T>, Vector512<T>, T, Internals.Twelve>.Nr);

        static (int, int) Tile256<T>()
            where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
            (Internals.GemmVectorTile<Internals.Simd256<T>, Vector256<T>, T, Internals.Six>.Mr,
                Internals.GemmVectorTile<Internals.Simd256<T>, Vector256<T>, T, Internals.Six>.Nr);

        static (int, int) Tile<T>(KernelPath path)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            BlockSizes blocks = BlockSizes.For<T>(path);
            return (blocks.Mr, blocks.Nr);
        }
    }

    [Fact]
    public void Gemm_HandComputed_2x2()
    {
        // [1 2; 3 4] [5 6; 7 8] = [19 22; 43 50]; beta = 0 overwrites NaN and infinity in C.
        foreach (KernelPath path in KernelPaths.Supported)
        {
            using var context = new KernelContext(1, path);
            double[,] c = { { double.NaN, double.NaN }, { double.PositiveInfinity, double.NaN } };
            Gemm.Multiply<double>(
                new double[,] { { 1, 2 }, { 3, 4 } }, MatrixOp.None, new double[,] { { 5, 6 }, { 7, 8 } }, MatrixOp.None,
                1.0, 0.0, c, context);
            Assert.Equal(new double[,] { { 19, 22 }, { 43, 50 } }, c);
        }
    }

    [Fact]
    public void Gemm_AlphaZeroOrEmptyK_ScalesCWithoutReadingOperands()
    {
        float[,] c = { { 1, 2 }, { 3, 4 } };
        float[,] a = { { float.NaN }, { float.NaN } };
        float[,] b = { { float.NaN, float.NaN } };
        Gemm.Multiply<float>(a, MatrixOp.None, b, MatrixOp.None, 0f, 2f, c);
        Assert.Equal(new float[,] { { 2, 4 }, { 6, 8 } }, c);
        Gemm.Multiply<float>(new float[2, 0], MatrixOp.None, new float[0, 2], MatrixOp.None, 1f, 0f, c);
        Assert.Equal(new float[2, 2], c);
    }

    [Fact]
    public void Gemm_LargeTrainerShape_PassesRandomVectorCheck()
    {
        // BLIS's O(n^2) check: C x against A (B x) in double, within the element-wise bound applied to
        // |A| (|B| |x|). Shape of the forward pass of MNIST's first layer: [1000,784]·[784,400].
        VerifyRandomVector<float>(1000, 400, 784);
        VerifyRandomVector<double>(1000, 400, 784);
    }

    private static void VerifyRandomVector<T>(int m, int n, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[,] a = RandomArray<T>(m, k, 11), b = RandomArray<T>(k, n, 12);
        var c = new T[m, n];
        using var context = new KernelContext(2);
        Gemm.Multiply<T>(a, MatrixOp.None, b, MatrixOp.None, T.One, T.Zero, c, context);
        var random = new Random(13);
        double[] x = [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5)];
        var bx = new double[k];
        var bxAbs = new double[k];
        for (int p = 0; p < k; p++)
        {
            for (int j = 0; j < n; j++)
            {
                double y = double.CreateTruncating(b[p, j]);
                bx[p] += y * x[j];
                bxAbs[p] += Math.Abs(y * x[j]);
            }
        }

        for (int i = 0; i < m; i++)
        {
            double cx = 0, abx = 0, bound = 0;
            for (int j = 0; j < n; j++)
            {
                cx += double.CreateTruncating(c[i, j]) * x[j];
            }

            for (int p = 0; p < k; p++)
            {
                double y = double.CreateTruncating(a[i, p]);
                abx += y * bx[p];
                bound += Math.Abs(y) * bxAbs[p];
            }

            Assert.True(
                Math.Abs(cx - abx) <= Tolerances.GemmElement<T>(k, bound),
                $"{typeof(T).Name} row {i}: (Cx)_i = {cx}, (A(Bx))_i = {abx}");
        }
    }

    [Theory, Combinations(1, 2)]
    public void Gemm_AllocatesNothing_AfterWarmUp(KernelPath path, int threads)
    {
        using var context = new KernelContext(threads, path);
        AssertNoAllocation<float>(context);
        AssertNoAllocation<double>(context);
    }

    private static void AssertNoAllocation<T>(KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[,] a = RandomArray<T>(150, 130, 1), b = RandomArray<T>(150, 140, 2);
        var c = new T[130, 140];
        T two = T.CreateTruncating(2);
        Gemm.Multiply<T>(a, MatrixOp.Transpose, b, MatrixOp.None, T.One, T.Zero, c, context);
        long allocated = Allocations.Measure(() =>
        {
            Gemm.Multiply<T>(a, MatrixOp.Transpose, b, MatrixOp.None, T.One, T.Zero, c, context);
            Gemm.Multiply<T>(a, MatrixOp.Transpose, b, MatrixOp.None, two, T.One, c, context);
        });
        Assert.Equal(0, allocated);

        // The unpacked small-problem path, including its stack transpose of B.
        T[,] small = RandomArray<T>(20, 20, 3);
        var smallC = new T[20, 20];
        Gemm.Multiply<T>(small, MatrixOp.Transpose, small, MatrixOp.Transpose, T.One, T.Zero, smallC, context);
        allocated = Allocations.Measure(() =>
        {
            Gemm.Multiply<T>(small, MatrixOp.None, small, MatrixOp.Transpose, T.One, T.Zero, smallC, context);
            Gemm.Multiply<T>(small, MatrixOp.Transpose, small, MatrixOp.None, two, T.One, smallC, context);
        });
        Assert.Equal(0, allocated);
    }

    [Theory, Combinations]
    public void Gemm_BitIdentical_AcrossRunsAndThreadCounts(KernelPath path)
    {
        float[,] a = RandomArray<float>(203, 301, 5), b = RandomArray<float>(197, 301, 6);
        var c1 = new float[203, 197];
        var c2 = new float[203, 197];
        var c3 = new float[203, 197];
        using var one = new KernelContext(1, path);
        using var two = new KernelContext(2, path);
        Gemm.Multiply<float>(a, MatrixOp.None, b, MatrixOp.Transpose, 0.7f, 0f, c1, one);
        Gemm.Multiply<float>(a, MatrixOp.None, b, MatrixOp.Transpose, 0.7f, 0f, c2, two);
        Gemm.Multiply<float>(a, MatrixOp.None, b, MatrixOp.Transpose, 0.7f, 0f, c3, two);
        Assert.Equal(c1, c2);
        Assert.Equal(c2, c3);
    }
}
