using System.Globalization;
using CommunityToolkit.HighPerformance;
using NgdKernel.Perf.OpenBlas;
using NgdKernel.Tests.Generators;

namespace NgdKernel.Benchmarks;

/// <summary>
/// Accuracy of <see cref="SymmetricEigen"/> beside LAPACK's <c>?syevr</c> on the same inputs:
/// orthogonality, residual, the projector onto an exactly-zero eigenvalue cluster, and the
/// Penrose residuals and forward error of the pseudo-inverse. Every ratio is LAPACK-style
/// (O(1) for a stable method); each cell is the worst over the seeds.
/// </summary>
/// <remarks>
/// Inputs come from <see cref="ExactEigen"/>: dyadic eigenvectors and integer eigenvalues make
/// the matrix exact in float and double, so errors against the known eigenvectors belong to the
/// solver alone. The LAPACK pseudo-inverse is <c>Σ v·vᵀ/w</c> over <c>|w| &gt; n·eps·max|w|</c>,
/// summed in the working precision, the same formula and cut-off as ours.
/// </remarks>
internal static unsafe class EigenAccuracy
{
    private const int Seeds = 5;

    /// <summary>One input family; <paramref name="Gaussian"/> uses a Gram-Schmidt orthogonal Q and
    /// log-spaced eigenvalues in [1e-3, 1] instead of the exact dyadic construction.</summary>
    private sealed record Case(string Name, int N, int Rank, int NegativeEvery, bool Gaussian = false);

    public static void Run(TextWriter output)
    {
        OpenBlasLibrary.LoadOrThrow(OpenBlasCoreSelection.Environment, 1);
        output.WriteLine($"# Symmetric eigen accuracy: ours vs LAPACK ?syevr ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, path {KernelContext.Default.Path}, {OpenBlasLibrary.Current})");
        output.WriteLine();
        output.WriteLine($"Worst over {Seeds} seeds. orth = ‖VᵀV-I‖/(n·eps), 1-norm (LAPACK's) and Frobenius; resid = ‖AV-VΛ‖₁/(n‖A‖₁eps); null proj = ‖V₀V₀ᵀ-Q₀Q₀ᵀ‖/(n·eps), 1-norm and Frobenius, onto the exactly-zero cluster;");
        output.WriteLine("Penrose = worst of the four Penrose ratios (1-norms, /(n·eps·κ) as LAPACK scales them); pinv err = ‖X-A⁺‖₁/(n‖A⁺‖₁κ·eps); rank = kept eigenvalues (expected in brackets).");
        output.WriteLine();
        output.WriteLine("| type | case | solver | orth₁ | orth_F | resid | null proj₁ | null proj_F | Penrose | pinv err | rank |");
        output.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        Case[] cases =
        [
            new("full rank, n=100", 100, 100, 3),
            new("full rank, n=200", 200, 200, 3),
            new("PSD rank 30, n=100", 100, 30, 0),
            new("indefinite rank 40, n=100", 100, 40, 3),
            new("indefinite rank 4, n=7", 7, 4, 2),
            new("Gaussian Q, full rank, n=100", 100, 100, 3, Gaussian: true),
            new("Gaussian Q, PSD rank 30, n=100", 100, 30, 0, Gaussian: true),
            new("Gaussian Q, indefinite rank 40, n=100", 100, 40, 3, Gaussian: true),
        ];
        foreach (Case c in cases)
        {
            Measure<double>(c, output);
        }

        foreach (Case c in cases)
        {
            Measure<float>(c, output);
        }
    }

    private static void Measure<T>(Case c, TextWriter output)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double eps = double.CreateTruncating(T.BitIncrement(T.One) - T.One);
        var ours = new double[7];
        var lapack = new double[7];
        string oursRank = string.Empty, lapackRank = string.Empty;
        for (int seed = 1; seed <= Seeds; seed++)
        {
            var random = new Random(seed);
            int n = c.N;
            double[,] q = c.Gaussian ? ExactEigen.RandomOrthogonal(n, random) : ExactEigen.DyadicOrthogonal(n, random);
            double[] lambda = c.Gaussian ? Spread(n, c.Rank, c.NegativeEvery) : ExactEigen.RankDeficient(n, c.Rank, c.NegativeEvery, random);
            double[,] a = ExactEigen.FromEigen(q, lambda);
            T[,] input = new T[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    input[i, j] = T.CreateTruncating(a[i, j]);
                    a[i, j] = double.CreateTruncating(input[i, j]);
                }
            }

            if (c.Gaussian && typeof(T) == typeof(float))
            {
                // The float-rounded matrix's eigenvectors differ from Q by about eps_float/gap, as
                // much as the solvers' own error: the reference is that matrix decomposed in double.
                (q, lambda) = DoubleReference(a, lambda);
            }

            T cutoff = T.CreateTruncating(n * eps);
            int expected = c.Rank;

            // Ours.
            var w = new T[n];
            var v = new T[n, n];
            var x = new T[n, n];
            var workspace = new T[SymmetricEigen.WorkspaceLength(n)];
            SymmetricEigen.Decompose(new ReadOnlySpan2D<T>(input), w, new Span2D<T>(v), workspace);
            int rank = SymmetricEigen.PseudoInverse(new ReadOnlySpan2D<T>(input), cutoff, new Span2D<T>(x), workspace);
            Accumulate(ours, a, q, lambda, Widen(v), [.. w.Select(double.CreateTruncating)], Widen(x), eps);
            oursRank = Rank(oursRank, rank, expected);

            // LAPACK: the same input, its pseudo-inverse summed in T over |w| > n·eps·max|w|.
            T[] copy = [.. input.Cast<T>()];
            var lw = new T[n];
            var lz = new T[n * n];
            fixed (T* pa = copy, pw = lw, pz = lz)
            {
                int info = OpenBlasLibrary.SymmetricEigen(n, pa, pw, pz);
                if (info != 0)
                {
                    throw new InvalidOperationException($"?syevr INFO = {info} on {c.Name} seed {seed}");
                }
            }

            var lv = new T[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < n; k++)
                {
                    lv[i, k] = lz[(i * n) + k];
                }
            }

            T largest = lw.Aggregate(T.Zero, (m, value) => T.Max(m, T.Abs(value)));
            var lx = new T[n, n];
            int lrank = 0;
            for (int k = 0; k < n; k++)
            {
                if (!(T.Abs(lw[k]) > cutoff * largest))
                {
                    continue;
                }

                lrank++;
                for (int i = 0; i < n; i++)
                {
                    T scaled = lv[i, k] / lw[k];
                    for (int j = 0; j < n; j++)
                    {
                        lx[i, j] += scaled * lv[j, k];
                    }
                }
            }

            Accumulate(lapack, a, q, lambda, Widen(lv), [.. lw.Select(double.CreateTruncating)], Widen(lx), eps);
            lapackRank = Rank(lapackRank, lrank, expected);
        }

        string type = typeof(T) == typeof(float) ? "float" : "double";
        output.WriteLine($"| {type} | {c.Name} | ours | {Row(ours)} | {oursRank} |");
        output.WriteLine($"| {type} | {c.Name} | LAPACK | {Row(lapack)} | {lapackRank} |");
    }

    private static double[] Spread(int n, int rank, int negativeEvery)
    {
        var lambda = new double[n];
        for (int k = 0; k < rank; k++)
        {
            double value = rank == 1 ? 1 : Math.Pow(1e-3, (double)k / (rank - 1));
            lambda[k] = negativeEvery > 0 && k % negativeEvery == 0 ? -value : value;
        }

        return lambda;
    }

    /// <summary>LAPACK dsyevr on <paramref name="a"/>; eigenvalues in the cluster (as many, smallest in magnitude, as λ has zeros) set to 0.</summary>
    private static (double[,] Vectors, double[] Values) DoubleReference(double[,] a, double[] lambda)
    {
        int n = lambda.Length;
        double[] copy = [.. a.Cast<double>()];
        var w = new double[n];
        var z = new double[n * n];
        fixed (double* pa = copy, pw = w, pz = z)
        {
            _ = OpenBlasLibrary.SymmetricEigen(n, pa, pw, pz);
        }

        var v = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < n; k++)
            {
                v[i, k] = z[(i * n) + k];
            }
        }

        foreach (int k in Enumerable.Range(0, n).OrderBy(k => Math.Abs(w[k])).Take(lambda.Count(x => x == 0)))
        {
            w[k] = 0;
        }

        return (v, w);
    }

    private static string Rank(string previous, int rank, int expected)
    {
        string text = rank == expected ? $"{rank}" : $"{rank} [{expected}]";
        return previous.Length == 0 || previous == text ? text : $"{previous}, {text}";
    }

    private static void Accumulate(double[] worst, double[,] a, double[,] q, double[] lambda, double[,] v, double[] w, double[,] x, double eps)
    {
        bool hasCluster = lambda.Contains(0);
        (double orthogonality, double orthogonalityF) = ExactEigen.Orthogonality(v, eps);
        (double projector, double projectorF) = hasCluster ? ExactEigen.NullProjectorError(v, w, q, lambda, eps) : (double.NaN, double.NaN);
        double[] metrics =
        [
            orthogonality,
            orthogonalityF,
            ExactEigen.Residual(a, v, w, eps),
            projector,
            projectorF,
            ExactEigen.Penrose(a, x, eps).Max(),
            ExactEigen.PseudoInverseError(x, q, lambda, NgdKernel.Tests.Reference.ReferenceCholesky.Norm1(a), eps),
        ];
        for (int i = 0; i < metrics.Length; i++)
        {
            worst[i] = double.IsNaN(metrics[i]) ? double.NaN : Math.Max(worst[i], metrics[i]);
        }
    }

    private static string Row(double[] worst) =>
        string.Join(" | ", worst.Take(7).Select(value => double.IsNaN(value) ? "–" : value.ToString("0.00", CultureInfo.InvariantCulture)));

    private static double[,] Widen<T>(T[,] m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var d = new double[m.GetLength(0), m.GetLength(1)];
        for (int i = 0; i < m.GetLength(0); i++)
        {
            for (int j = 0; j < m.GetLength(1); j++)
            {
                d[i, j] = double.CreateTruncating(m[i, j]);
            }
        }

        return d;
    }
}
