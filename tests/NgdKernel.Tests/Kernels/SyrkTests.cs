using static NgdKernel.Tests.Kernels.GemmTestSupport;

namespace NgdKernel.Tests.Kernels;

[Collection(DenseKernelTestCollection.Name)]
public class SyrkTests
{
    [Theory, Combinations(1, 2)]
    public void Syrk_MatchesReference_AnyShapeAndStride(KernelPath path, int threads) =>
        ForAll(GemmCases.Syrk(), 30, path, threads, Verify);

    [Fact]
    public void Syrk_LargeBatchCovariance_MatchesReferenceOnEveryPath()
    {
        // The trainer's <x x^T> over a batch: A is [rows, n] used transposed; n crosses several Mc/Nc
        // tiles so that the lower-triangle tile selection and the area split over threads are exercised.
        foreach (KernelPath path in KernelPaths.Supported)
        {
            using var context = new KernelContext(2, path);
            var test = new SyrkCase(
                157, 1030, MatrixOp.Transpose, 1.0 / 1030, 0.5,
                new ViewLayout(1030, 157, 3, 1, 1, 7), new ViewLayout(157, 157, 2, 0, 3, 8));
            Verify(test, context);
        }
    }

    /// <summary>
    /// Both sides of the limits below which a SYRK is computed whole by the unpacked kernels
    /// (GemmSmall.MaxSyrkWork for AᵀA, MaxSyrkTransposedWork for AAᵀ), with beta 0 and not,
    /// strided views, on every path: same bound against the reference, exact symmetry.
    /// </summary>
    [Fact]
    public void Syrk_MatchesReference_AroundSmallProblemLimits()
    {
        Assert.Equal(64L * 64 * 64, NgdKernel.Kernels.Internals.GemmSmall.MaxSyrkWork);
        Assert.Equal(40L * 40 * 40, NgdKernel.Kernels.Internals.GemmSmall.MaxSyrkTransposedWork);
        (int N, int K, MatrixOp Op)[] shapes =
        [
            (1, 1, MatrixOp.Transpose), (33, 32, MatrixOp.Transpose), (64, 64, MatrixOp.Transpose),
            (64, 65, MatrixOp.Transpose), (17, 907, MatrixOp.Transpose), (18, 907, MatrixOp.Transpose),
            (1, 1, MatrixOp.None), (32, 33, MatrixOp.None), (40, 40, MatrixOp.None), (40, 41, MatrixOp.None),
            (200, 1, MatrixOp.None), (257, 1, MatrixOp.Transpose),
        ];
        foreach (KernelPath path in KernelPaths.Supported)
        {
            using var context = new KernelContext(1, path);
            foreach ((int n, int k, MatrixOp op) in shapes)
            {
                foreach (double beta in (double[])[0, 0.5])
                {
                    (int rows, int columns) = op == MatrixOp.Transpose ? (k, n) : (n, k);
                    var test = new SyrkCase(n, k, op, 1.0 / k, beta,
                        new ViewLayout(rows, columns, 3, 1, 2, n + k), new ViewLayout(n, n, 2, 1, 1, n));
                    Verify(test, context);
                }
            }
        }
    }

    /// <summary>
    /// The small AᵀA by blocks of rows, each over the vectors that reach its diagonal, against the
    /// whole-product small GEMM it replaced: the same bits, on every path, at orders 1, primes and the
    /// vector widths ±1, with beta 0 and not; and within the reference bound.
    /// </summary>
    [Theory, Combinations]
    public void Syrk_SmallRowBlocks_MatchWholeProductBitForBit(KernelPath path)
    {
        using var context = new KernelContext(1, path);
        int seed = 0;
        foreach (int n in (int[])[1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 20, 24, 31, 32, 33, 40, 47, 48, 49, 63, 64])
        {
            foreach (int k in (int[])[1, 2, 7, 32, 61])
            {
                foreach (double beta in (double[])[0, 0.5])
                {
                    var test = new SyrkCase(n, k, MatrixOp.Transpose, 1.0 / k, beta,
                        new ViewLayout(k, n, 3, 1, 2, seed++), new ViewLayout(n, n, 2, 1, 1, seed++));
                    Verify(test, context);
                    SameAsWholeProduct<float>(test, path, context);
                    SameAsWholeProduct<double>(test, path, context);
                }
            }
        }
    }

    private static void SameAsWholeProduct<T>(SyrkCase test, KernelPath path, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        GuardedMatrix<T> a = test.A.Create<T>(), c = test.C.Create<T>(), whole = test.C.Create<T>();
        T alpha = T.CreateTruncating(test.Alpha), beta = T.CreateTruncating(test.Beta);
        Syrk.Multiply(a.ReadOnlySpan, MatrixOp.Transpose, alpha, beta, c.Span, context);
        NgdKernel.Kernels.Internals.GemmDriver.Run(a.ReadOnlySpan, MatrixOp.Transpose, a.ReadOnlySpan, MatrixOp.None, alpha, beta, whole.Span,
            path, context, lowerTriangleOnly: true);
        for (int i = 0; i < test.N; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                Assert.True(c[i, j].Equals(whole[i, j]),
                    $"{typeof(T).Name} {path} n {test.N} k {test.K} beta {test.Beta}: C[{i},{j}] {c[i, j]}, whole product {whole[i, j]}");
            }
        }
    }

    private static void Verify(SyrkCase test, KernelContext context)
    {
        Verify<float>(test, context);
        Verify<double>(test, context);
    }

    private static void Verify<T>(SyrkCase test, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        GuardedMatrix<T> a = test.A.Create<T>(), c = test.C.Create<T>();
        T alpha = T.CreateTruncating(test.Alpha), beta = T.CreateTruncating(test.Beta);
        (double[,] expected, double[,] magnitude) = ReferenceGemm.Syrk(a.ReadOnlySpan, test.Op, alpha, beta, c.ReadOnlySpan);
        if (T.IsZero(beta))
        {
            c.Fill(T.NaN);
        }
        else
        {
            // The strict upper triangle is not read: poison it.
            for (int i = 0; i < test.N; i++)
            {
                for (int j = i + 1; j < test.N; j++)
                {
                    c[i, j] = T.NaN;
                }
            }
        }

        Syrk.Multiply(a.ReadOnlySpan, test.Op, alpha, beta, c.Span, context);
        AssertWithinGemmBound(c.ReadOnlySpan, expected, magnitude, test.K, test);
        for (int i = 0; i < test.N; i++)
        {
            for (int j = 0; j < i; j++)
            {
                Assert.Equal(c[i, j], c[j, i]);
            }
        }

        a.AssertGuardsUntouched();
        c.AssertGuardsUntouched();
    }

    [Fact]
    public void Syrk_HandComputed_BatchCovariance()
    {
        // Rows x1 = (1, 2), x2 = (3, 4): x1 x1^T + x2 x2^T = [10 14; 14 20].
        var c = new double[2, 2];
        Syrk.Multiply<double>(new double[,] { { 1, 2 }, { 3, 4 } }, MatrixOp.Transpose, 1.0, 0.0, c);
        Assert.Equal(new double[,] { { 10, 14 }, { 14, 20 } }, c);
        Syrk.Multiply<double>(new double[,] { { 1, 2 }, { 3, 4 } }, MatrixOp.None, 1.0, 0.0, c);
        Assert.Equal(new double[,] { { 5, 11 }, { 11, 25 } }, c);
    }

    [Fact]
    public void Syrk_ThrowsFor_WrongDestination_NamingBothShapes()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(
            () => Syrk.Multiply<float>(new float[100, 20], MatrixOp.Transpose, 1f, 0f, new float[100, 100]));
        Assert.Equal("c", e.ParamName);
        Assert.StartsWith("'c' is 100×100 but 'a' is 100×20 (used transposed): c must be 20×20.", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(
            () => Syrk.Multiply<float>(new float[100, 20], MatrixOp.None, 1f, 0f, new float[20, 20]));
        Assert.StartsWith("'c' is 20×20 but 'a' is 100×20: c must be 100×100.", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(
            () => Syrk.Multiply<float>(new float[3, 2], MatrixOp.None, float.NaN, 0f, new float[3, 3]));
    }

    [Theory, Combinations(1, 2)]
    public void Syrk_AllocatesNothing_AfterWarmUp_AndIsBitIdentical(KernelPath path, int threads)
    {
        using var context = new KernelContext(threads, path);
        double[,] x = RandomArray<double>(300, 130, 3);
        var first = new double[130, 130];
        var second = new double[130, 130];
        Syrk.Multiply<double>(x, MatrixOp.Transpose, 1.0 / 300, 0.0, first, context);
        long allocated = Allocations.Measure(
            () => Syrk.Multiply<double>(x, MatrixOp.Transpose, 1.0 / 300, 0.0, second, context));
        Assert.Equal(0, allocated);
        Assert.Equal(first, second);
    }
}
