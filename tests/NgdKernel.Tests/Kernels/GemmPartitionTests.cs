using static NgdKernel.Tests.Kernels.GemmTestSupport;

namespace NgdKernel.Tests.Kernels;

/// <summary>
/// GEMM and SYRK large enough to be split over threads (above the driver's parallel threshold of
/// 128·128·512 multiply-adds; the random-shape properties stay below it): row and column splits,
/// ranges of one row or column, primes, vector width ± 1, strided views. Two threads must match the
/// reference, equal one thread bit for bit, and repeat bit for bit.
/// </summary>
[Collection(DenseKernelTestCollection.Name)]
public class GemmPartitionTests
{
    /// <summary>Each above the threshold; comments say which way the driver splits C on 2 threads.</summary>
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 3001, 2801),   // one row: columns, the second range 1500 columns
        (2, 4099, 1031),   // columns, n prime
        (13, 997, 700),    // columns, both prime
        (95, 211, 512),    // columns: just under 4 row panels per thread
        (97, 101, 1000),   // rows, boundary at 48
        (1001, 17, 600),   // rows, n = float Vector512 width + 1
        (257, 255, 257),   // rows, 256 ± 1
    ];

    [Theory, Combinations]
    public void Gemm_TwoThreads_MatchReferenceAndEqualOneThreadBitForBit(KernelPath path, MatrixOp opA, MatrixOp opB)
    {
        using var one = new KernelContext(1, path);
        using var two = new KernelContext(2, path);
        int seed = 0;
        foreach ((int m, int n, int k) in Shapes)
        {
            seed += 4;
            double beta = seed % 8 == 0 ? 0.0 : 0.75;
            GemmCase test = StridedCase(m, n, k, opA, opB, 1.25, beta, seed);
            Verify<float>(test, one, two);
            Verify<double>(test, one, two);
        }
    }

    private static void Verify<T>(GemmCase test, KernelContext one, KernelContext two)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        GuardedMatrix<T> a = test.A.Create<T>(), b = test.B.Create<T>();
        GuardedMatrix<T> single = test.C.Create<T>(), first = test.C.Create<T>(), second = test.C.Create<T>();
        T alpha = T.CreateTruncating(test.Alpha), beta = T.CreateTruncating(test.Beta);
        (double[,] expected, double[,] magnitude) =
            ReferenceGemm.Multiply(a.ReadOnlySpan, test.OpA, b.ReadOnlySpan, test.OpB, alpha, beta, single.ReadOnlySpan);

        Gemm.Multiply(a.ReadOnlySpan, test.OpA, b.ReadOnlySpan, test.OpB, alpha, beta, single.Span, one);
        Gemm.Multiply(a.ReadOnlySpan, test.OpA, b.ReadOnlySpan, test.OpB, alpha, beta, first.Span, two);
        Gemm.Multiply(a.ReadOnlySpan, test.OpA, b.ReadOnlySpan, test.OpB, alpha, beta, second.Span, two);

        AssertWithinGemmBound(first.ReadOnlySpan, expected, magnitude, test.K, test);
        Assert.Equal(single.ToArray(), first.ToArray());
        Assert.Equal(first.ToArray(), second.ToArray());
        first.AssertGuardsUntouched();
        second.AssertGuardsUntouched();
    }

    [Theory, Combinations]
    public void Syrk_TwoThreads_EqualOneThreadBitForBit_AndAllocateNothing(KernelPath path)
    {
        using var one = new KernelContext(1, path);
        using var two = new KernelContext(2, path);

        // Triangle ranges of equal area: n = 13 puts the boundary at row 12 (one row in the second
        // range), 97 and 401 in the middle of the tiles.
        foreach ((int n, int k) in ((int, int)[])[(13, 50_000), (97, 1000), (401, 1000)])
        {
            double[,] x = RandomArray<double>(k, n, n);
            var single = new double[n, n];
            var first = new double[n, n];
            var second = new double[n, n];
            Syrk.Multiply<double>(x, MatrixOp.Transpose, 1.0 / k, 0.0, single, one);
            Syrk.Multiply<double>(x, MatrixOp.Transpose, 1.0 / k, 0.0, first, two);
            long allocated = Allocations.Measure(
                () => Syrk.Multiply<double>(x, MatrixOp.Transpose, 1.0 / k, 0.0, second, two));
            Assert.Equal(0, allocated);
            Assert.Equal(single, first);
            Assert.Equal(first, second);
        }
    }
}
