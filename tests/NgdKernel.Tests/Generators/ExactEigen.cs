using R = NgdKernel.Tests.Reference.ReferenceCholesky;

namespace NgdKernel.Tests.Generators;

/// <summary>
/// Symmetric matrices whose eigenvectors are known exactly in both float and double, and the
/// LAPACK-style accuracy ratios of a computed eigendecomposition or pseudo-inverse against them.
/// </summary>
/// <remarks>
/// <para>The orthogonal factor is a product of layers, each a random signed permutation followed
/// by 4×4 blocks <c>H₄/2</c> (H₄ the Sylvester
/// Hadamard matrix), whose entries ±1/2 are dyadic. With L layers every entry of Q is a multiple
/// of 2^-L and <c>A = Q·diag(λ)·Qᵀ</c> with small integer λ is a multiple of 2^-2L no larger than
/// max|λ|: exact in float (24-bit significand) for max|λ| ≤ 2^10 and L ≤ 4, and in double. So the
/// input holds no rounding error, and the true eigenvectors of the matrix the solver sees are Q's
/// columns: errors measured against Q are the solver's alone, in either precision.</para>
/// <para>Four layers mix every coordinate with up to 4⁴ = 256 others (permutations between
/// layers), so for n ≤ 256 the vectors are dense like a random orthogonal matrix's.</para>
/// </remarks>
internal static class ExactEigen
{
    /// <summary>Layers of <c>H₄/2</c> blocks; 2^-4 granularity keeps float inputs exact.</summary>
    public const int Layers = 4;

    /// <summary>An n×n orthogonal matrix with dyadic entries (exact in float and double).</summary>
    public static double[,] DyadicOrthogonal(int n, Random random)
    {
        var q = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            q[i, i] = 1;
        }

        var next = new double[n, n];
        for (int layer = 0; layer < Layers; layer++)
        {
            // Row permutation with random signs, then H₄/2 on consecutive groups of four rows
            // (a trailing group of fewer than four rows is left as is).
            int[] order = [.. Enumerable.Range(0, n)];
            random.Shuffle(order);
            for (int i = 0; i < n; i++)
            {
                double sign = random.Next(2) == 0 ? 1 : -1;
                for (int j = 0; j < n; j++)
                {
                    next[i, j] = sign * q[order[i], j];
                }
            }

            for (int g = 0; g + 4 <= n; g += 4)
            {
                for (int j = 0; j < n; j++)
                {
                    double a = next[g, j], b = next[g + 1, j], c = next[g + 2, j], d = next[g + 3, j];
                    q[g, j] = (a + b + c + d) / 2;
                    q[g + 1, j] = (a - b + c - d) / 2;
                    q[g + 2, j] = (a + b - c - d) / 2;
                    q[g + 3, j] = (a - b - c + d) / 2;
                }
            }

            for (int i = n - (n % 4); i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    q[i, j] = next[i, j];
                }
            }
        }

        return q;
    }

    /// <summary>A random orthogonal matrix: Gram-Schmidt (twice, for orthogonality to rounding) on Gaussian columns.</summary>
    public static double[,] RandomOrthogonal(int n, Random random)
    {
        var q = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                q[i, j] = Gaussian(random);
            }
        }

        for (int j = 0; j < n; j++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < n; i++)
                    {
                        dot += q[i, k] * q[i, j];
                    }

                    for (int i = 0; i < n; i++)
                    {
                        q[i, j] -= dot * q[i, k];
                    }
                }
            }

            double norm = 0;
            for (int i = 0; i < n; i++)
            {
                norm += q[i, j] * q[i, j];
            }

            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++)
            {
                q[i, j] /= norm;
            }
        }

        return q;
    }

    /// <summary>A standard normal sample (Box-Muller).</summary>
    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary><c>Q·diag(λ)·Qᵀ</c>, exact when Q is dyadic and λ are small integers.</summary>
    public static double[,] FromEigen(double[,] q, double[] lambda)
    {
        int n = lambda.Length;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += q[i, k] * lambda[k] * q[j, k];
                }

                a[i, j] = sum;
                a[j, i] = sum;
            }
        }

        return a;
    }

    /// <summary>
    /// The issue-style cluster case: <paramref name="rank"/> integer eigenvalues spread over
    /// [1, 1024] (every <paramref name="negativeEvery"/>-th one negated, 0 for none), the rest exactly 0.
    /// </summary>
    public static double[] RankDeficient(int n, int rank, int negativeEvery, Random random)
    {
        var lambda = new double[n];
        for (int k = 0; k < rank; k++)
        {
            double value = Math.Round(Math.Pow(1024, random.NextDouble()));
            lambda[k] = negativeEvery > 0 && k % negativeEvery == 0 ? -value : value;
        }

        return lambda;
    }

    /// <summary>
    /// <c>‖VᵀV - I‖ / (n·eps)</c> in the 1-norm (LAPACK dsyt21's second ratio) and the Frobenius
    /// norm. The 1-norm is the worst column sum, so it hides an error spread evenly over the
    /// diagonal (a norm drift of every vector) that the Frobenius norm shows.
    /// </summary>
    public static (double One, double Frobenius) Orthogonality(double[,] v, double eps)
    {
        int n = v.GetLength(0);
        double worst = 0, squares = 0;
        for (int j = 0; j < n; j++)
        {
            double column = 0;
            for (int i = 0; i < n; i++)
            {
                double dot = 0;
                for (int k = 0; k < n; k++)
                {
                    dot += v[k, i] * v[k, j];
                }

                double e = dot - (i == j ? 1 : 0);
                column += Math.Abs(e);
                squares += e * e;
            }

            worst = Math.Max(worst, column);
        }

        double scale = Math.Max(n, 1) * eps;
        return (worst / scale, Math.Sqrt(squares) / scale);
    }

    /// <summary><c>‖A·V - V·diag(w)‖₁ / (n·‖A‖₁·eps)</c> (dsyt21's first ratio).</summary>
    public static double Residual(double[,] a, double[,] v, double[] w, double eps)
    {
        int n = w.Length;
        double worst = 0;
        for (int j = 0; j < n; j++)
        {
            double column = 0;
            for (int i = 0; i < n; i++)
            {
                double sum = -v[i, j] * w[j];
                for (int k = 0; k < n; k++)
                {
                    sum += a[i, k] * v[k, j];
                }

                column += Math.Abs(sum);
            }

            worst = Math.Max(worst, column);
        }

        return worst == 0 ? 0 : worst / (Math.Max(n, 1) * Math.Max(R.Norm1(a), double.Epsilon) * eps);
    }

    /// <summary>
    /// <c>‖V_c·V_cᵀ - Q_c·Q_cᵀ‖ / (n·eps)</c> in the 1-norm and the Frobenius norm: the error of
    /// the computed projector onto the eigenvectors whose eigenvalues are exactly 0, against the
    /// reference one from the columns of <paramref name="q"/> where <paramref name="lambda"/> is 0.
    /// The computed cluster is as many eigenvalues, smallest in magnitude, as λ has zeros.
    /// </summary>
    public static (double One, double Frobenius) NullProjectorError(double[,] v, double[] w, double[,] q, double[] lambda, double eps)
    {
        int n = w.Length;
        int[] computed = [.. Enumerable.Range(0, n).OrderBy(k => Math.Abs(w[k])).Take(lambda.Count(x => x == 0))];
        int[] exact = [.. Enumerable.Range(0, n).Where(k => lambda[k] == 0)];
        double worst = 0, squares = 0;
        for (int j = 0; j < n; j++)
        {
            double column = 0;
            for (int i = 0; i < n; i++)
            {
                double p = 0;
                foreach (int k in computed)
                {
                    p += v[i, k] * v[j, k];
                }

                foreach (int k in exact)
                {
                    p -= q[i, k] * q[j, k];
                }

                column += Math.Abs(p);
                squares += p * p;
            }

            worst = Math.Max(worst, column);
        }

        double scale = Math.Max(n, 1) * eps;
        return (worst / scale, Math.Sqrt(squares) / scale);
    }

    /// <summary>
    /// The four Penrose conditions as residual ratios: <c>‖AXA - A‖/(n‖A‖eps·κ)</c>,
    /// <c>‖XAX - X‖/(n‖X‖eps·κ)</c>, <c>‖(AX)ᵀ - AX‖/(n·eps·κ)</c>, same for XA, all 1-norms,
    /// <c>κ = ‖A‖‖X‖</c> the condition number of A on its range.
    /// </summary>
    public static double[] Penrose(double[,] a, double[,] x, double eps)
    {
        int n = a.GetLength(0);
        double nA = Math.Max(R.Norm1(a), double.Epsilon), nX = Math.Max(R.Norm1(x), double.Epsilon);
        double kappa = nA * nX, scale = Math.Max(n, 1) * eps;
        double[,] ax = R.Multiply(a, x), xa = R.Multiply(x, a);
        static double Ratio(double residual, double denominator) => residual == 0 ? 0 : residual / denominator;
        return
        [
            Ratio(R.Norm1(R.Subtract(R.Multiply(ax, a), a)), scale * nA * kappa),
            Ratio(R.Norm1(R.Subtract(R.Multiply(xa, x), x)), scale * nX * kappa),
            Ratio(R.Norm1(R.Subtract(R.Transpose(ax), ax)), scale * kappa),
            Ratio(R.Norm1(R.Subtract(R.Transpose(xa), xa)), scale * kappa),
        ];
    }

    /// <summary><c>‖X - A⁺‖₁ / (n·‖A⁺‖₁·κ·eps)</c>, A⁺ exact from Q and λ (|λ| &gt; 0 kept).</summary>
    public static double PseudoInverseError(double[,] x, double[,] q, double[] lambda, double normA, double eps)
    {
        int n = lambda.Length;
        var exact = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    if (lambda[k] != 0)
                    {
                        sum += q[i, k] * q[j, k] / lambda[k];
                    }
                }

                exact[i, j] = sum;
            }
        }

        double nExact = Math.Max(R.Norm1(exact), double.Epsilon);
        return R.Norm1(R.Subtract(x, exact)) / (Math.Max(n, 1) * nExact * normA * nExact * eps);
    }
}
