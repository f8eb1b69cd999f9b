namespace NgdKernel.Perf.OpenBlas;

/// <summary>
/// Checks the wrappers' layout conventions against naive loops on small matrices, so a
/// benchmark never times a call that computes the wrong thing (a transposed operand or the
/// wrong triangle runs just as fast).
/// </summary>
public static unsafe class OpenBlasSelfCheck
{
    /// <summary>Returns <c>null</c> when every wrapper agrees with the loops, else what failed.</summary>
    public static string? Run()
    {
        const int m = 5, n = 4, k = 3;
        double[] a = new double[m * k], b = new double[k * n], c = new double[m * n];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (i % 7) - 3.5;
        }

        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (i % 5) - 1.25;
        }

        fixed (double* pa = a, pb = b, pc = c)
        {
            OpenBlasLibrary.Gemm(false, false, m, n, k, pa, k, pb, n, pc, n);
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += a[(i * k) + p] * b[(p * n) + j];
                }

                if (Math.Abs(sum - c[(i * n) + j]) > 1e-12)
                {
                    return $"cblas_dgemm NN mismatch at ({i},{j}): {c[(i * n) + j]} vs {sum}";
                }
            }
        }

        // C = A^T A for A [m, k] (k x k result, lower triangle).
        double[] s = new double[k * k];
        fixed (double* pa = a, ps = s)
        {
            OpenBlasLibrary.SyrkTransposed(k, m, pa, k, ps, k);
        }

        double[] spd = new double[k * k];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = 0;
                for (int p = 0; p < m; p++)
                {
                    sum += a[(p * k) + i] * a[(p * k) + j];
                }

                if (Math.Abs(sum - s[(i * k) + j]) > 1e-12)
                {
                    return $"cblas_dsyrk mismatch at ({i},{j}): {s[(i * k) + j]} vs {sum}";
                }

                spd[(i * k) + j] = spd[(j * k) + i] = sum + (i == j ? 1.0 : 0.0);
            }
        }

        // Factor, then X = A^-1 G A^-1; check A X A = G.
        double[] factor = (double[])spd.Clone();
        double[] g = [1, 2, 3, -1, 0.5, 2, 0, 4, -2];
        double[] x = (double[])g.Clone();
        fixed (double* pf = factor, px = x)
        {
            int info = OpenBlasLibrary.CholeskyFactor(k, pf);
            if (info != 0)
            {
                return $"LAPACKE_dpotrf INFO = {info}";
            }

            info = OpenBlasLibrary.CholeskySolveBothSides(k, pf, px);
            if (info != 0)
            {
                return $"LAPACKE_dpotrs INFO = {info}";
            }
        }

        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    for (int q = 0; q < k; q++)
                    {
                        sum += spd[(i * k) + p] * x[(p * k) + q] * spd[(q * k) + j];
                    }
                }

                if (Math.Abs(sum - g[(i * k) + j]) > 1e-9 * (1 + Math.Abs(g[(i * k) + j])))
                {
                    return $"potrf+potrs two-sided solve mismatch at ({i},{j}): A X A = {sum}, G = {g[(i * k) + j]}";
                }
            }
        }

        return null;
    }
}
