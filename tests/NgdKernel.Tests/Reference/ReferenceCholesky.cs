namespace NgdKernel.Tests.Reference;

/// <summary>
/// Textbook dense linear algebra in double, no SIMD, for checking the factorization kernels:
/// Cholesky–Banachiewicz, Gauss-Jordan inversion with partial pivoting, forward/back
/// substitution, products and norms.
/// </summary>
internal static class ReferenceCholesky
{
    /// <summary>
    /// <c>l[i,j] = (a[i,j] - Σ_{k&lt;j} l[i,k] l[j,k]) / l[j,j]</c>,
    /// <c>l[i,i] = sqrt(a[i,i] + d - Σ_{k&lt;i} l[i,k]²)</c>; returns the first failing pivot or -1.
    /// </summary>
    public static int Factor(double[,] a, double damping, out double[,] l, out double pivotValue)
    {
        int n = a.GetLength(0);
        l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i, j] + (i == j ? damping : 0.0);
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        pivotValue = sum;
                        return i;
                    }

                    l[i, i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i, j] = sum / l[j, j];
                }
            }
        }

        pivotValue = 0;
        return -1;
    }

    /// <summary>Gauss-Jordan inverse with partial pivoting, on <c>[A | I]</c>.</summary>
    public static double[,] Inverse(double[,] a)
    {
        int n = a.GetLength(0);
        var m = new double[n, 2 * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                m[i, j] = a[i, j];
            }

            m[i, n + i] = 1;
        }

        for (int c = 0; c < n; c++)
        {
            int p = c;
            for (int r = c + 1; r < n; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[p, c]))
                {
                    p = r;
                }
            }

            for (int j = 0; j < 2 * n; j++)
            {
                (m[c, j], m[p, j]) = (m[p, j], m[c, j]);
            }

            double pivot = m[c, c];
            for (int j = 0; j < 2 * n; j++)
            {
                m[c, j] /= pivot;
            }

            for (int r = 0; r < n; r++)
            {
                if (r != c && m[r, c] != 0)
                {
                    double f = m[r, c];
                    for (int j = 0; j < 2 * n; j++)
                    {
                        m[r, j] -= f * m[c, j];
                    }
                }
            }
        }

        var inv = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                inv[i, j] = m[i, n + j];
            }
        }

        return inv;
    }

    /// <summary>Solves <c>op(T)·X = B</c> (left) or <c>X·op(T) = B</c> (right) by substitution, T triangular.</summary>
    public static double[,] TriangularSolve(double[,] t, bool lower, bool transpose, bool left, double[,] b)
    {
        int n = t.GetLength(0);
        double Op(int i, int j)
        {
            (int r, int c) = transpose ? (j, i) : (i, j);
            return (lower ? r >= c : r <= c) ? t[r, c] : 0.0;
        }

        bool opLower = lower != transpose;
        if (left)
        {
            int m = b.GetLength(1);
            var x = new double[n, m];
            for (int col = 0; col < m; col++)
            {
                for (int step = 0; step < n; step++)
                {
                    int i = opLower ? step : n - 1 - step;
                    double s = b[i, col];
                    for (int k = 0; k < n; k++)
                    {
                        if (k != i && (opLower ? k < i : k > i))
                        {
                            s -= Op(i, k) * x[k, col];
                        }
                    }

                    x[i, col] = s / Op(i, i);
                }
            }

            return x;
        }

        // X·op(T) = B  <=>  op(T)ᵀ·Xᵀ = Bᵀ.
        var bt = Transpose(b);
        var tt = Transpose(t);
        return Transpose(TriangularSolve(tt, !lower, transpose, left: true, bt));
    }

    public static double[,] Transpose(double[,] a)
    {
        var t = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                t[j, i] = a[i, j];
            }
        }

        return t;
    }

    /// <summary><c>C = A·B</c>, naive triple loop in double.</summary>
    public static double[,] Multiply(double[,] a, double[,] b)
    {
        int m = a.GetLength(0), k = a.GetLength(1), n = b.GetLength(1);
        var c = new double[m, n];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                double aip = a[i, p];
                for (int j = 0; j < n; j++)
                {
                    c[i, j] += aip * b[p, j];
                }
            }
        }

        return c;
    }

    /// <summary>The 1-norm (max column sum), as LAPACK's dlange('1') in dpot01.</summary>
    public static double Norm1(double[,] a)
    {
        double best = 0;
        for (int j = 0; j < a.GetLength(1); j++)
        {
            double s = 0;
            for (int i = 0; i < a.GetLength(0); i++)
            {
                s += Math.Abs(a[i, j]);
            }

            best = Math.Max(best, s);
        }

        return best;
    }

    /// <summary>Max-abs element norm.</summary>
    public static double NormMax(double[,] a)
    {
        double best = 0;
        foreach (double v in a)
        {
            best = Math.Max(best, Math.Abs(v));
        }

        return best;
    }

    public static double[,] Subtract(double[,] a, double[,] b)
    {
        var c = new double[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                c[i, j] = a[i, j] - b[i, j];
            }
        }

        return c;
    }

    public static double[,] Identity(int n)
    {
        var c = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            c[i, i] = 1;
        }

        return c;
    }
}
