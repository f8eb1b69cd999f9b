using System.Globalization;

namespace NgdKernel.Networks;

/// <summary>
/// The covariance <c>SigmaT</c> of the Gaussian output density <c>q(y|x) = N(y; x_L, SigmaT)</c>
/// (paper Sec. 2-3): either isotropic <c>sigma^2 I</c> or a full symmetric positive-definite matrix.
/// </summary>
/// <remarks>
/// The loss is Eq. 6, <c>0.5 &lt;(y - x_L)^T SigmaT^-1 (y - x_L)&gt;</c>, and the output error
/// is <c>e_L = phi'_L o SigmaT^-1 (y - x_L)</c> (Eq. 8). Values are kept in double precision;
/// the network converts them once to its element type.
/// </remarks>
public sealed class OutputCovariance
{
    private readonly double[]? _precision;
    private readonly double[]? _precisionFactor;
    private readonly double[]? _covariance;

    private OutputCovariance(double variance)
    {
        Variance = variance;
    }

    private OutputCovariance(double[] covariance, double[] precision, double[] precisionFactor, int dimension)
    {
        _covariance = covariance;
        _precision = precision;
        _precisionFactor = precisionFactor;
        Dimension = dimension;
        Variance = double.NaN;
    }

    /// <summary>The default <c>SigmaT = I</c>: the loss is half the summed squared error.</summary>
    public static OutputCovariance Identity { get; } = new(1.0);

    /// <summary>Whether <c>SigmaT = sigma^2 I</c>.</summary>
    public bool IsIsotropic => _precision is null;

    /// <summary><c>sigma^2</c> when <see cref="IsIsotropic"/>; NaN otherwise.</summary>
    public double Variance { get; }

    /// <summary>The output width a full covariance was built for; 0 when isotropic (any width).</summary>
    public int Dimension { get; }

    /// <summary><c>SigmaT = variance * I</c>.</summary>
    /// <param name="variance"><c>sigma^2</c>, finite and &gt; 0 (the paper's runs use 1e-6).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="variance"/> is not finite and positive.</exception>
    public static OutputCovariance Isotropic(double variance)
    {
        if (!double.IsFinite(variance) || !(variance > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(variance), variance,
                "The output variance sigma^2 must be finite and > 0.");
        }

        return new OutputCovariance(variance);
    }

    /// <summary>A full symmetric positive-definite <c>SigmaT</c>.</summary>
    /// <param name="covariance">[n, n], symmetric (checked to 1e-12 relative) and positive definite.</param>
    /// <exception cref="ArgumentException">Not square, not symmetric, not finite or not positive definite.</exception>
    public static OutputCovariance Full(double[,] covariance)
    {
        ArgumentNullException.ThrowIfNull(covariance);
        int n = covariance.GetLength(0);
        if (n == 0 || covariance.GetLength(1) != n)
        {
            throw new ArgumentException(
                $"'covariance' is {n}x{covariance.GetLength(1)}: it must be square and non-empty.", nameof(covariance));
        }

        var c = new double[n * n];
        double scale = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double v = covariance[i, j];
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"'covariance'[{i},{j}] is {v}: it must be finite."),
                        nameof(covariance));
                }

                c[(i * n) + j] = v;
                scale = Math.Max(scale, Math.Abs(v));
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (Math.Abs(c[(i * n) + j] - c[(j * n) + i]) > 1e-12 * scale)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture,
                            $"'covariance' is not symmetric: [{i},{j}] = {c[(i * n) + j]} but [{j},{i}] = {c[(j * n) + i]}."),
                        nameof(covariance));
                }
            }
        }

        // Precision S = SigmaT^-1 by a Cholesky factor of SigmaT (small, setup only).
        double[] factor = (double[])c.Clone();
        if (!DenseDouble.TryCholesky(factor, n, out int pivot))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"'covariance' is not positive definite: Cholesky pivot {pivot} is not > 0."), nameof(covariance));
        }

        double[] precision = DenseDouble.InverseFromCholesky(factor, n);
        DenseDouble.Symmetrize(precision, n);
        double[] precisionFactor = (double[])precision.Clone();
        if (!DenseDouble.TryCholesky(precisionFactor, n, out pivot))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"'covariance' is too ill-conditioned: the Cholesky pivot {pivot} of its inverse is not > 0."),
                nameof(covariance));
        }

        return new OutputCovariance(c, precision, precisionFactor, n);
    }

    /// <summary>SigmaT as a dense row-major [n, n] array (n = <paramref name="width"/>).</summary>
    public double[] ToDense(int width)
    {
        var result = new double[width * width];
        if (IsIsotropic)
        {
            for (int i = 0; i < width; i++)
            {
                result[(i * width) + i] = Variance;
            }
        }
        else
        {
            _covariance!.CopyTo(result, 0);
        }

        return result;
    }

    /// <summary><c>S = SigmaT^-1</c> as a dense row-major [n, n] array.</summary>
    public double[] PrecisionDense(int width)
    {
        var result = new double[width * width];
        if (IsIsotropic)
        {
            for (int i = 0; i < width; i++)
            {
                result[(i * width) + i] = 1.0 / Variance;
            }
        }
        else
        {
            _precision!.CopyTo(result, 0);
        }

        return result;
    }

    /// <summary>Lower-triangular <c>L_S</c> with <c>S = L_S L_S^T</c> (row-major); null when isotropic.</summary>
    internal double[]? PrecisionFactor => _precisionFactor;
}

/// <summary>Tiny dense double routines for setup-time work (output covariance, checks).</summary>
internal static class DenseDouble
{
    /// <summary>In-place lower Cholesky of row-major [n, n] <paramref name="a"/>; upper part zeroed.</summary>
    public static bool TryCholesky(double[] a, int n, out int failedPivot)
    {
        for (int j = 0; j < n; j++)
        {
            double d = a[(j * n) + j];
            for (int p = 0; p < j; p++)
            {
                d -= a[(j * n) + p] * a[(j * n) + p];
            }

            if (!(d > 0))
            {
                failedPivot = j;
                return false;
            }

            d = Math.Sqrt(d);
            a[(j * n) + j] = d;
            for (int i = j + 1; i < n; i++)
            {
                double s = a[(i * n) + j];
                for (int p = 0; p < j; p++)
                {
                    s -= a[(i * n) + p] * a[(j * n) + p];
                }

                a[(i * n) + j] = s / d;
            }

            for (int i = 0; i < j; i++)
            {
                a[(i * n) + j] = 0;
            }
        }

        failedPivot = -1;
        return true;
    }

    /// <summary><c>(L L^T)^-1</c> from a lower factor, by solving against the identity.</summary>
    public static double[] InverseFromCholesky(double[] l, int n)
    {
        var inv = new double[n * n];
        var column = new double[n];
        for (int c = 0; c < n; c++)
        {
            Array.Clear(column);
            column[c] = 1;
            for (int i = 0; i < n; i++)
            {
                double s = column[i];
                for (int p = 0; p < i; p++)
                {
                    s -= l[(i * n) + p] * column[p];
                }

                column[i] = s / l[(i * n) + i];
            }

            for (int i = n - 1; i >= 0; i--)
            {
                double s = column[i];
                for (int p = i + 1; p < n; p++)
                {
                    s -= l[(p * n) + i] * column[p];
                }

                column[i] = s / l[(i * n) + i];
            }

            for (int i = 0; i < n; i++)
            {
                inv[(i * n) + c] = column[i];
            }
        }

        return inv;
    }

    public static void Symmetrize(double[] a, int n)
    {
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                double v = 0.5 * (a[(i * n) + j] + a[(j * n) + i]);
                a[(i * n) + j] = v;
                a[(j * n) + i] = v;
            }
        }
    }
}
