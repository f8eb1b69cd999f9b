using NgdKernel.LinearAlgebra;

namespace NgdKernel.Tests.Kernels;

/// <summary>
/// <see cref="Cholesky.TryFactorInterleaved"/> (in place) and <see cref="Cholesky.TryFactorInterleavedInto"/> (from the upper
/// triangles of symmetric sources into separate factors) against <see cref="Cholesky.TryFactor{T}(CommunityToolkit.HighPerformance.Span2D{T}, T, out CholeskyFailure, KernelContext)"/>
/// one matrix at a time: the same bits in every matrix, the same failure, on every path.
/// </summary>
public class CholeskyInterleavedTests
{
    /// <summary>
    /// Groups of orders: single, tiny, primes, vector widths ±1 (2, 4, 8, 16), the 64 block ±1 and
    /// beyond it (factored alone), the latency network's alternating 33 and 32, and enough matrices
    /// to fill several stack groups.
    /// </summary>
    private static readonly int[][] Groups =
    [
        [1], [2, 3, 5, 7], [15, 16, 17], [31, 32, 33], [7, 8, 9, 3, 4, 5],
        [33, 32, 33, 32, 33, 32, 33, 32], [63, 64, 65, 1], [100, 5, 129, 13],
        [.. Enumerable.Repeat(47, 11)], [.. Enumerable.Range(1, 20)],
    ];

    [Theory, Combinations]
    public void TryFactorInterleaved_MatchesTryFactor_BitForBit(KernelPath path)
    {
        int seed = 0;
        foreach (int[] orders in Groups)
        {
            Compare<double>(orders, path, seed++, failing: -1);
            Compare<float>(orders, path, seed++, failing: -1);
        }
    }

    /// <summary>
    /// One or two matrices not positive definite (a negative pivot placed at a chosen row): the
    /// lowest of them is reported with the failure TryFactor reports, and every matrix, failed or
    /// not, ends as TryFactor leaves it.
    /// </summary>
    [Theory, Combinations]
    public void TryFactorInterleaved_NotPositiveDefinite_ReportsLowestAsTryFactor(KernelPath path)
    {
        int seed = 100;
        foreach (int[] orders in Groups)
        {
            for (int failing = 0; failing < orders.Length; failing += Math.Max(1, orders.Length / 3))
            {
                Compare<double>(orders, path, seed++, failing);
                Compare<float>(orders, path, seed++, failing);
            }
        }
    }

    [Fact]
    public void TryFactorInterleaved_RejectsBadArguments_NamingThem()
    {
        Matrix<double>[] matrices = [new(3, 3), new(2, 2)];
        ArgumentException lengths = Assert.Throws<ArgumentException>(() => Cholesky.TryFactorInterleaved<double>(matrices, [1.0], out _));
        Assert.Equal("dampings", lengths.ParamName);
        ArgumentException square = Assert.Throws<ArgumentException>(() => Cholesky.TryFactorInterleaved<double>([new Matrix<double>(3, 2)], [1.0], out _));
        Assert.Equal("matrices", square.ParamName);
        ArgumentOutOfRangeException negative = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Cholesky.TryFactorInterleaved<double>(matrices, [1.0, -1.0], out _));
        Assert.Equal("dampings", negative.ParamName);
        ArgumentException missing = Assert.Throws<ArgumentException>(() => Cholesky.TryFactorInterleaved<double>([null!], [1.0], out _));
        Assert.Equal("matrices", missing.ParamName);
        ArgumentException twice = Assert.Throws<ArgumentException>(() =>
            Cholesky.TryFactorInterleaved<double>([matrices[0], matrices[1], matrices[0]], [1.0, 1.0, 1.0], out _));
        Assert.Equal("matrices", twice.ParamName);
        Assert.Contains("Matrices 0 and 2", twice.Message, StringComparison.Ordinal);
        Assert.Equal(-1, Cholesky.TryFactorInterleaved<double>([], [], out CholeskyFailure none));
        Assert.Equal(default, none);
    }

    [Fact]
    public void TryFactorInterleavedInto_RejectsBadArguments_NamingThem()
    {
        Matrix<double>[] sources = [new(3, 3), new(2, 2)];
        Matrix<double>[] factors = [new(3, 3), new(2, 2)];
        ArgumentException count = Assert.Throws<ArgumentException>(() =>
            Cholesky.TryFactorInterleavedInto<double>(sources, factors.AsSpan(0, 1), [1.0], out _));
        Assert.Equal("factors", count.ParamName);
        ArgumentException lengths = Assert.Throws<ArgumentException>(() => Cholesky.TryFactorInterleavedInto<double>(sources, factors, [1.0], out _));
        Assert.Equal("dampings", lengths.ParamName);
        ArgumentException square = Assert.Throws<ArgumentException>(() =>
            Cholesky.TryFactorInterleavedInto<double>([new Matrix<double>(3, 2)], [new Matrix<double>(3, 2)], [1.0], out _));
        Assert.Equal("sources", square.ParamName);
        ArgumentException shape = Assert.Throws<ArgumentException>(() =>
            Cholesky.TryFactorInterleavedInto<double>(sources, [factors[1], factors[0]], [1.0, 1.0], out _));
        Assert.Equal("factors", shape.ParamName);
        Assert.Contains("Factor 0 is 2x2; its source is 3x3", shape.Message, StringComparison.Ordinal);
        Assert.Equal("sources", Assert.Throws<ArgumentException>(() =>
            Cholesky.TryFactorInterleavedInto<double>([null!], [factors[0]], [1.0], out _)).ParamName);
        Assert.Equal("factors", Assert.Throws<ArgumentException>(() =>
            Cholesky.TryFactorInterleavedInto<double>([sources[0]], [null!], [1.0], out _)).ParamName);
        ArgumentException twice = Assert.Throws<ArgumentException>(() =>
            Cholesky.TryFactorInterleavedInto<double>([sources[0], new Matrix<double>(3, 3)], [factors[0], factors[0]], [1.0, 1.0], out _));
        Assert.Equal("factors", twice.ParamName);
        Assert.Contains("Matrices 0 and 1", twice.Message, StringComparison.Ordinal);
        ArgumentException aliased = Assert.Throws<ArgumentException>(() =>
            Cholesky.TryFactorInterleavedInto<double>(sources, [factors[0], sources[1]], [1.0, 1.0], out _));
        Assert.Equal("factors", aliased.ParamName);
        Assert.Contains("Factor 1 is also source 1", aliased.Message, StringComparison.Ordinal);
        ArgumentException same = Assert.Throws<ArgumentException>(() =>
            Cholesky.TryFactorInterleavedInto<double>(sources, sources, [1.0, 1.0], out _));
        Assert.Equal("factors", same.ParamName);
        Assert.Contains("Factor 0 is also source 0", same.Message, StringComparison.Ordinal);
        ArgumentOutOfRangeException negative = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Cholesky.TryFactorInterleavedInto<double>(sources, factors, [1.0, double.NaN], out _));
        Assert.Equal("dampings", negative.ParamName);
    }

    [Fact]
    public void TryFactorInterleaved_AllocatesNothing()
    {
        foreach (KernelPath path in KernelPaths.Supported)
        {
            using var context = new KernelContext(1, path);
            var random = new Random(7);
            Matrix<float>[] matrices = [.. new[] { 33, 32, 33, 32, 70 }.Select(n => ToMatrix<float>(SpdGenerators.Spd(n, 100, random)))];
            float[] dampings = [1, 1, 1, 1, 1];
            Cholesky.TryFactorInterleaved<float>(matrices, dampings, out _, context);
            long allocated = Allocations.Measure(() => Cholesky.TryFactorInterleaved<float>(matrices, dampings, out _, context));
            Assert.True(allocated == 0, $"{path}: {allocated} B allocated");
            Matrix<float>[] factors = [.. matrices.Select(m => new Matrix<float>(m.Rows, m.Columns))];
            Cholesky.TryFactorInterleavedInto<float>(matrices, factors, dampings, out _, context);
            allocated = Allocations.Measure(() => Cholesky.TryFactorInterleavedInto<float>(matrices, factors, dampings, out _, context));
            Assert.True(allocated == 0, $"{path}, from sources: {allocated} B allocated");
        }
    }

    /// <summary>
    /// Random SPD matrices of <paramref name="orders"/> with random dampings, factored one by one
    /// and interleaved on <paramref name="path"/>, in place and from the upper triangles (the strict
    /// lower ones NaN) into factors holding a marker value; matrix <paramref name="failing"/> (and, when there is one, the
    /// last) gets a negative pivot at a random row. From sources, a failed factor's rows from its
    /// pivot on keep the marker and the sources are unchanged.
    /// </summary>
    private static void Compare<T>(int[] orders, KernelPath path, int seed, int failing)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var context = new KernelContext(1, path);
        var random = new Random(seed);
        int count = orders.Length;
        var alone = new Matrix<T>[count];
        var together = new Matrix<T>[count];
        var sources = new Matrix<T>[count];
        var originals = new Matrix<T>[count];
        var factors = new Matrix<T>[count];
        var dampings = new T[count];
        var pivots = new int[count];
        for (int t = 0; t < count; t++)
        {
            int n = orders[t];
            double[,] a = SpdGenerators.Spd(n, Math.Pow(10, random.Next(0, 5)), random);
            if (t == failing || (failing >= 0 && t == count - 1))
            {
                // Subtracting more than the diagonal at row p makes the pivot p (or an earlier one) fail.
                int p = random.Next(n);
                a[p, p] -= 4 * (1 + a[p, p]);
            }

            alone[t] = ToMatrix<T>(a);
            together[t] = ToMatrix<T>(a);
            sources[t] = ToMatrix<T>(a);
            originals[t] = ToMatrix<T>(a);
            for (int i = 1; i < n; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    // The upper triangle alone is A: a lower triangle read anywhere would spread NaN.
                    sources[t][i, j] = originals[t][i, j] = T.NaN;
                }
            }

            factors[t] = new Matrix<T>(n, n);
            factors[t].AsSpan().Fill(Marker<T>());
            dampings[t] = T.CreateChecked(random.Next(0, 3) * random.NextDouble());
        }

        int expected = -1;
        CholeskyFailure expectedFailure = default;
        for (int t = 0; t < count; t++)
        {
            pivots[t] = Cholesky.TryFactor(alone[t].Span, dampings[t], out CholeskyFailure failure, context) ? -1 : failure.PivotIndex;
            if (pivots[t] >= 0 && expected < 0)
            {
                expected = t;
                expectedFailure = failure;
            }
        }

        int index = Cholesky.TryFactorInterleaved<T>(together, dampings, out CholeskyFailure actual, context);
        string label = $"{typeof(T).Name} {path} orders [{string.Join(',', orders)}] seed {seed}";
        Assert.True(expected == index, $"{label}: failing matrix {index}, TryFactor one by one {expected}");
        Assert.True(expectedFailure == actual, $"{label}: failure {actual}, TryFactor {expectedFailure}");
        if (failing >= 0)
        {
            Assert.True(index >= 0, $"{label}: a matrix with a negative pivot was reported positive definite");
        }

        for (int t = 0; t < count; t++)
        {
            SameBits(alone[t].ReadOnlySpan, together[t].ReadOnlySpan, $"{label}: matrix {t} in place");
        }

        int fromSources = Cholesky.TryFactorInterleavedInto<T>(sources, factors, dampings, out CholeskyFailure sourceFailure, context);
        Assert.True(expected == fromSources, $"{label}: failing matrix {fromSources} from sources, TryFactor one by one {expected}");
        Assert.True(expectedFailure == sourceFailure, $"{label}: failure {sourceFailure} from sources, TryFactor {expectedFailure}");
        for (int t = 0; t < count; t++)
        {
            int n = orders[t];
            if (pivots[t] < 0)
            {
                SameBits(alone[t].ReadOnlySpan, factors[t].ReadOnlySpan, $"{label}: matrix {t} from sources");
                continue;
            }

            // Rows before the pivot are L's (the rest is unspecified, as after TryFactor, which leaves
            // the strict upper triangle of a failed matrix of order over 64 partly unzeroed).
            SameBits(alone[t].ReadOnlySpan.Slice(0, 0, pivots[t], n), factors[t].ReadOnlySpan.Slice(0, 0, pivots[t], n),
                $"{label}: failed matrix {t} from sources", lowerOnly: true);
        }

        for (int t = 0; t < count; t++)
        {
            SameBits(originals[t].ReadOnlySpan, sources[t].ReadOnlySpan, $"{label}: source {t} after the factorization");
        }
    }

    private static T Marker<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => T.CreateChecked(-12345.5);

    private static void SameBits<T>(ReadOnlySpan2D<T> want, ReadOnlySpan2D<T> got, string label, bool lowerOnly = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < want.Height; i++)
        {
            for (int j = 0; j < (lowerOnly ? i + 1 : want.Width); j++)
            {
                T w = want[i, j], g = got[i, j];
                Assert.True(w.Equals(g) || (T.IsNaN(w) && T.IsNaN(g)), $"{label} (order {want.Width}) element {i},{j}: {g}, alone {w}");
            }
        }
    }

    private static Matrix<T> ToMatrix<T>(double[,] a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var matrix = new Matrix<T>(a.GetLength(0), a.GetLength(1));
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                matrix[i, j] = T.CreateChecked(a[i, j]);
            }
        }

        return matrix;
    }
}
