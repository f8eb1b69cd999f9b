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

        // Precision S = SigmaT^-1 by a Cholesky factor of SigmaT, then the factor L_S of S that
        // samples N(0, SigmaT) targets; the kernels zero the strict upper triangle of each factor.
        double[] precision = (double[])c.Clone();
        if (!Cholesky.TryFactor(new Span2D<double>(precision, n, n), 0.0, out CholeskyFailure failure))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"'covariance' is not positive definite: Cholesky pivot {failure.PivotIndex} is {failure.PivotValue}, not > 0."),
                nameof(covariance));
        }

        Cholesky.Invert(new Span2D<double>(precision, n, n));
        double[] precisionFactor = (double[])precision.Clone();
        if (!Cholesky.TryFactor(new Span2D<double>(precisionFactor, n, n), 0.0, out failure))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"'covariance' is too ill-conditioned: the Cholesky pivot {failure.PivotIndex} of its inverse is {failure.PivotValue}, not > 0."),
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
