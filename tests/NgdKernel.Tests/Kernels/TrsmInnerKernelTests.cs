using NgdKernel.Kernels.Internals;

namespace NgdKernel.Tests.Kernels;

/// <summary>The level-1 and register-tile loops under Trsm and Cholesky, per path, on every short length.</summary>
public class TrsmInnerKernelTests
{
    [Theory, Combinations]
    public void Trsm_Level1Loops_MatchNaiveLoops_EveryLengthTo70(KernelPath path)
    {
        var random = new Random(8);
        for (int n = 0; n <= 70; n++)
        {
            double[] x = [.. Enumerable.Range(0, n + 1).Select(_ => random.NextDouble() - 0.5)];
            double[] y = [.. Enumerable.Range(0, n + 1).Select(_ => random.NextDouble() - 0.5)];
            y[n] = double.NaN;   // guard: one past the end is never read or written
            x[n] = double.NaN;
            double dot = 0, magnitude = 0;
            for (int i = 0; i < n; i++)
            {
                dot += x[i] * y[i];
                magnitude += Math.Abs(x[i] * y[i]);
            }

            double actual = Level1.Dot(ref x[0], ref y[0], n, path);
            Assert.True(Math.Abs(actual - dot) <= 2 * n * double.Epsilon + (n * 1.2e-16 * magnitude), $"dot n={n}: {actual} vs {dot}");

            double[] expected = [.. y];
            for (int i = 0; i < n; i++)
            {
                expected[i] += 0.75 * x[i];
            }

            Level1.Axpy(0.75, ref x[0], ref y[0], n, path);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(expected[i], y[i], 1e-15);
            }

            Assert.True(double.IsNaN(y[n]));
            double[] beforeScale = [.. y];
            Level1.Scale(-2.0, ref y[0], n, path);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(-2 * beforeScale[i], y[i]);   // exact: scaling by a power of two
            }

            Assert.True(double.IsNaN(y[n]));
            double[] xr = [.. x], yr = [.. y];
            Level1.Rotate(ref xr[0], ref yr[0], n, 0.6, 0.8, path);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal((0.6 * x[i]) - (0.8 * y[i]), xr[i], 1e-15);
                Assert.Equal((0.8 * x[i]) + (0.6 * y[i]), yr[i], 1e-15);
            }

            Assert.True(double.IsNaN(xr[n]) && double.IsNaN(yr[n]));
        }
    }

    [Theory, Combinations]
    public void Trsm_RegisterTiles_MatchNaiveProducts_EdgeShapes(KernelPath path)
    {
        var random = new Random(9);
        foreach (int m in new[] { 1, 3, 4, 5, 9 })
        {
            foreach (int n in new[] { 1, 7, 8, 16, 17, 33, 65, 130 })
            {
                foreach (int k in new[] { 1, 5, 64, 65, 130 })
                {
                    const int Pad = 3;
                    double[] a = [.. Enumerable.Range(0, m * (k + Pad)).Select(_ => random.NextDouble() - 0.5)];
                    double[] bt = [.. Enumerable.Range(0, n * (k + Pad)).Select(_ => random.NextDouble() - 0.5)];
                    double[] bn = [.. Enumerable.Range(0, k * (n + Pad)).Select(_ => random.NextDouble() - 0.5)];
                    double[] c0 = [.. Enumerable.Range(0, m * (n + Pad)).Select(_ => random.NextDouble() - 0.5)];
                    double[] nt = [.. c0], nn = [.. c0];
                    FactorGemm.SubtractNT(ref a[0], k + Pad, ref bt[0], k + Pad, ref nt[0], n + Pad, m, n, k, lowerOnly: false, path);
                    FactorGemm.SubtractNN(ref a[0], k + Pad, 1, ref bn[0], n + Pad, ref nn[0], n + Pad, m, n, k, path);
                    for (int i = 0; i < m; i++)
                    {
                        for (int j = 0; j < n + Pad; j++)
                        {
                            int at = (i * (n + Pad)) + j;
                            if (j >= n)
                            {
                                Assert.Equal(c0[at], nt[at]);   // padding untouched
                                Assert.Equal(c0[at], nn[at]);
                                continue;
                            }

                            double sumT = 0, sumN = 0, bound = 0;
                            for (int p = 0; p < k; p++)
                            {
                                sumT += a[(i * (k + Pad)) + p] * bt[(j * (k + Pad)) + p];
                                sumN += a[(i * (k + Pad)) + p] * bn[(p * (n + Pad)) + j];
                                bound += 1;
                            }

                            double tolerance = 4 * (k + 1) * 1.2e-16 * Math.Max(bound, 1);
                            Assert.True(Math.Abs(nt[at] - (c0[at] - sumT)) <= tolerance, $"NT m={m} n={n} k={k} ({i},{j})");
                            Assert.True(Math.Abs(nn[at] - (c0[at] - sumN)) <= tolerance, $"NN m={m} n={n} k={k} ({i},{j})");
                        }
                    }
                }
            }
        }
    }
    [Theory, Combinations]
    public void Trsm_Transpositions_MoveExactlyTheirElements_EveryShapeTo19(KernelPath path)
    {
        Transpositions<float>(path);
        Transpositions<double>(path);
    }

    private static void Transpositions<T>(KernelPath path)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(10);
        T sentinel = T.CreateTruncating(-7.5);
        for (int rows = 0; rows <= 19; rows++)
        {
            for (int columns = 0; columns <= 19; columns++)
            {
                int lds = columns + 2, ldd = rows + 3;
                T[] source = [.. Enumerable.Range(0, (rows * lds) + 1).Select(_ => T.CreateTruncating(random.NextDouble()))];
                T[] destination = [.. Enumerable.Repeat(sentinel, (columns * ldd) + 1)];
                FactorTranspose.Transpose(ref source[0], lds, ref destination[0], ldd, rows, columns, path);
                for (int j = 0; j < columns; j++)
                {
                    for (int i = 0; i < ldd && (j * ldd) + i < destination.Length - 1; i++)
                    {
                        T expected = i < rows ? source[(i * lds) + j] : sentinel;
                        Assert.Equal(expected, destination[(j * ldd) + i]);
                    }
                }

                Assert.Equal(sentinel, destination[^1]);
            }

            // Triangles: the source's other triangle holds NaN (never read), the destination's
            // other triangle holds the sentinel (never written), except the zeros UpperToLower owes.
            int n = rows, ld = n + 2;
            T[] lower = [.. Enumerable.Range(0, (n * ld) + 1).Select(_ => T.NaN)];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    lower[(i * ld) + j] = T.CreateTruncating(random.NextDouble());
                }
            }

            T[] upper = [.. Enumerable.Repeat(sentinel, (n * ld) + 1)];
            FactorTranspose.LowerToUpper(ref lower[0], ld, ref upper[0], ld, n, path);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    Assert.Equal(j >= i ? lower[(j * ld) + i] : sentinel, upper[(i * ld) + j]);
                }
            }

            for (int finished = 0; finished <= n; finished++)
            {
                T[] back = [.. Enumerable.Repeat(sentinel, (n * ld) + 1)];
                FactorTranspose.UpperToLower(ref upper[0], ld, ref back[0], ld, n, finished, path);
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < ld - 2; j++)
                    {
                        T expected = i >= finished ? sentinel : j <= i ? lower[(i * ld) + j] : T.Zero;
                        Assert.Equal(expected, back[(i * ld) + j]);
                    }
                }

                Assert.Equal(sentinel, back[^1]);
            }
        }
    }

    /// <summary>
    /// The in-place mirror copies exactly the strict lower triangle onto the strict upper one, at
    /// sizes around the 4×4 tiles and the 32×32 blocks, with a row stride wider than n: the lower
    /// triangle and the diagonal are unchanged, the gap after each row and past the end untouched.
    /// </summary>
    [Theory, Combinations]
    public void Trsm_Mirror_CopiesStrictLowerOntoUpper(KernelPath path)
    {
        foreach (int n in (int[])[0, 1, 2, 3, 4, 5, 7, 8, 13, 31, 32, 33, 63, 64, 65, 97])
        {
            Mirror<float>(n, path);
            Mirror<double>(n, path);
        }
    }

    private static void Mirror<T>(int n, KernelPath path)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(n);
        T sentinel = T.CreateTruncating(-7.5);
        int ld = n + 3;
        T[] a = [.. Enumerable.Repeat(sentinel, (n * ld) + 1)];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[(i * ld) + j] = j <= i ? T.CreateTruncating(random.NextDouble()) : T.NaN;
            }
        }

        T[] original = (T[])a.Clone();
        if (n > 0)
        {
            FactorTranspose.MirrorLowerToUpper(ref a[0], ld, n, path);
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < ld; j++)
            {
                T expected = j >= n ? sentinel : j <= i ? original[(i * ld) + j] : original[(j * ld) + i];
                Assert.Equal(expected, a[(i * ld) + j]);
            }
        }

        Assert.Equal(sentinel, a[^1]);
    }

    /// <summary>
    /// The register-blocked substitutions against the sequence their remarks give each element: the
    /// FMA chain <c>b_i - l_ik x_k</c> in the order of substitution (k ascending forward, descending
    /// backward), then one multiply by <c>1/l_ii</c>. Bit for bit at every order to 13 (every n mod 4,
    /// whose last rows take each block's terms as it is solved) and at 33, with widths around the vectors.
    /// </summary>
    [Theory, Combinations]
    public void Trsm_ColumnSolves_FollowTheSubstitutionSequence_BitForBit(KernelPath path)
    {
        ColumnSolves<float>(path);
        ColumnSolves<double>(path);
    }

    private static void ColumnSolves<T>(KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(10);
        foreach (int n in (int[])[.. Enumerable.Range(1, 13), 33])
        {
            foreach (int m in (int[])[1, 3, 4, 7, 8, 9, 16, 17, 33])
            {
                int ldt = n + 2, ldb = m + 3;
                T[] t = [.. Enumerable.Range(0, n * ldt).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5))];
                for (int i = 0; i < n; i++)
                {
                    t[(i * ldt) + i] = T.CreateTruncating(1 + random.NextDouble());
                }

                T[] b = [.. Enumerable.Range(0, n * ldb).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5))];
                foreach (bool backward in (bool[])[false, true])
                {
                    T[] expected = [.. b], actual = [.. b];
                    for (int step = 0; step < n; step++)
                    {
                        int i = backward ? n - 1 - step : step;
                        for (int j = 0; j < m; j++)
                        {
                            T sum = expected[(i * ldb) + j];
                            for (int q = 0; q < step; q++)
                            {
                                int k = backward ? n - 1 - q : q;
                                T l = backward ? t[(k * ldt) + i] : t[(i * ldt) + k];
                                sum = T.FusedMultiplyAdd(-l, expected[(k * ldb) + j], sum);
                            }

                            expected[(i * ldb) + j] = sum * (T.One / t[(i * ldt) + i]);
                        }
                    }

                    TriangularColumns.SolveLeft(ref t[0], ldt, ref actual[0], ldb, n, m, backward, path);
                    for (int e = 0; e < actual.Length; e++)
                    {
                        Assert.True(actual[e].Equals(expected[e]),
                            $"{typeof(T).Name} {path} n {n} m {m} backward {backward}: element {e / ldb},{e % ldb} {actual[e]}, sequence {expected[e]}");
                    }
                }
            }
        }
    }
}
