namespace NgdKernel.Tests.Reference;

/// <summary>
/// Naive dense double-precision linear algebra on <c>double[,]</c> for the network tests: textbook
/// loops, no SIMD, independent of the kernels under test.
/// </summary>
internal static class Dense
{
    public static double[,] Identity(int n)
    {
        var r = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            r[i, i] = 1;
        }

        return r;
    }

    public static int Rows(this double[,] a) => a.GetLength(0);

    public static int Cols(this double[,] a) => a.GetLength(1);

    public static double[,] Multiply(double[,] a, double[,] b)
    {
        if (a.Cols() != b.Rows())
        {
            throw new ArgumentException($"{a.Rows()}x{a.Cols()} * {b.Rows()}x{b.Cols()}");
        }

        var c = new double[a.Rows(), b.Cols()];
        for (int i = 0; i < a.Rows(); i++)
        {
            for (int j = 0; j < b.Cols(); j++)
            {
                double s = 0;
                for (int k = 0; k < a.Cols(); k++)
                {
                    s += a[i, k] * b[k, j];
                }

                c[i, j] = s;
            }
        }

        return c;
    }

    public static double[,] Multiply(params double[][,] factors)
    {
        double[,] r = factors[0];
        for (int i = 1; i < factors.Length; i++)
        {
            r = Multiply(r, factors[i]);
        }

        return r;
    }

    public static double[,] Transpose(double[,] a)
    {
        var t = new double[a.Cols(), a.Rows()];
        for (int i = 0; i < a.Rows(); i++)
        {
            for (int j = 0; j < a.Cols(); j++)
            {
                t[j, i] = a[i, j];
            }
        }

        return t;
    }

    public static double[,] Add(double[,] a, double[,] b, double scaleB = 1)
    {
        var c = new double[a.Rows(), a.Cols()];
        for (int i = 0; i < a.Rows(); i++)
        {
            for (int j = 0; j < a.Cols(); j++)
            {
                c[i, j] = a[i, j] + (scaleB * b[i, j]);
            }
        }

        return c;
    }

    public static double[,] Scale(double[,] a, double s) => Add(new double[a.Rows(), a.Cols()], a, s);

    public static double FrobeniusNorm(double[,] a)
    {
        double s = 0;
        foreach (double v in a)
        {
            s += v * v;
        }

        return Math.Sqrt(s);
    }

    public static double RelativeDifference(double[,] a, double[,] b) =>
        FrobeniusNorm(Add(a, b, -1)) / Math.Max(FrobeniusNorm(b), double.MinValue);

    /// <summary>Cyclic Jacobi eigen-decomposition of a symmetric matrix: values ascending, vectors as columns.</summary>
    public static (double[] Values, double[,] Vectors) SymmetricEigen(double[,] a)
    {
        int n = a.Rows();
        var m = (double[,])a.Clone();
        double[,] v = Identity(n);
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, total = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    total += m[i, j] * m[i, j];
                    if (i != j)
                    {
                        off += m[i, j] * m[i, j];
                    }
                }
            }

            if (off <= 1e-34 * total)
            {
                break;
            }

            for (int p = 0; p < n; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    if (m[p, q] == 0)
                    {
                        continue;
                    }

                    double theta = (m[q, q] - m[p, p]) / (2 * m[p, q]);
                    double t = (theta >= 0 ? 1 : -1) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    double c = 1 / Math.Sqrt((t * t) + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double mkp = m[k, p], mkq = m[k, q];
                        m[k, p] = (c * mkp) - (s * mkq);
                        m[k, q] = (s * mkp) + (c * mkq);
                    }

                    for (int k = 0; k < n; k++)
                    {
                        double mpk = m[p, k], mqk = m[q, k];
                        m[p, k] = (c * mpk) - (s * mqk);
                        m[q, k] = (s * mpk) + (c * mqk);
                    }

                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = (c * vkp) - (s * vkq);
                        v[k, q] = (s * vkp) + (c * vkq);
                    }
                }
            }
        }

        int[] order = [.. Enumerable.Range(0, n).OrderBy(i => m[i, i])];
        var values = new double[n];
        var vectors = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            values[j] = m[order[j], order[j]];
            for (int i = 0; i < n; i++)
            {
                vectors[i, j] = v[i, order[j]];
            }
        }

        return (values, vectors);
    }

    /// <summary>Moore-Penrose pseudo-inverse of a symmetric PSD matrix; eigenvalues &lt;= cutoff * max dropped.</summary>
    public static double[,] PseudoInverse(double[,] a, double relativeCutoff, out int rank)
    {
        (double[] values, double[,] vectors) = SymmetricEigen(a);
        int n = values.Length;
        double max = values.Select(Math.Abs).Max();
        var r = new double[n, n];
        rank = 0;
        for (int k = 0; k < n; k++)
        {
            if (!(values[k] > relativeCutoff * max))
            {
                continue;
            }

            rank++;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    r[i, j] += vectors[i, k] * vectors[j, k] / values[k];
                }
            }
        }

        return r;
    }

    /// <summary>Inverse by Gauss-Jordan elimination with partial pivoting.</summary>
    public static double[,] Inverse(double[,] a)
    {
        int n = a.Rows();
        var m = (double[,])a.Clone();
        double[,] inv = Identity(n);
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
            {
                if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col]))
                {
                    pivot = r;
                }
            }

            for (int k = 0; k < n; k++)
            {
                (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
                (inv[col, k], inv[pivot, k]) = (inv[pivot, k], inv[col, k]);
            }

            double d = m[col, col];
            for (int k = 0; k < n; k++)
            {
                m[col, k] /= d;
                inv[col, k] /= d;
            }

            for (int r = 0; r < n; r++)
            {
                if (r == col)
                {
                    continue;
                }

                double f = m[r, col];
                for (int k = 0; k < n; k++)
                {
                    m[r, k] -= f * m[col, k];
                    inv[r, k] -= f * inv[col, k];
                }
            }
        }

        return inv;
    }

    /// <summary>2-norm condition number of a symmetric positive-definite matrix.</summary>
    public static double Condition(double[,] a)
    {
        double[] values = SymmetricEigen(a).Values;
        return values[^1] / values[0];
    }

    /// <summary>Largest over smallest eigenvalue above <c>cutoff * max</c> of a symmetric PSD matrix.</summary>
    public static double PseudoCondition(double[,] a, double relativeCutoff = 1e-10)
    {
        double[] values = SymmetricEigen(a).Values;
        double max = values[^1];
        return max / values.First(v => v > relativeCutoff * max);
    }

    /// <summary>Largest eigenvalue magnitude of a symmetric matrix.</summary>
    public static double SpectralNorm(double[,] a) => SymmetricEigen(a).Values.Select(Math.Abs).Max();

    public static double[,] Kronecker(double[,] a, double[,] b)
    {
        var k = new double[a.Rows() * b.Rows(), a.Cols() * b.Cols()];
        for (int i = 0; i < a.Rows(); i++)
        {
            for (int j = 0; j < a.Cols(); j++)
            {
                for (int p = 0; p < b.Rows(); p++)
                {
                    for (int q = 0; q < b.Cols(); q++)
                    {
                        k[(i * b.Rows()) + p, (j * b.Cols()) + q] = a[i, j] * b[p, q];
                    }
                }
            }
        }

        return k;
    }
}
