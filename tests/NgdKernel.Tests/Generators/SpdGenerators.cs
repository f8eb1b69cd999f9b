namespace NgdKernel.Tests.Generators;

/// <summary>Test matrices for the factorization family, made in double then rounded to T.</summary>
internal static class SpdGenerators
{
    /// <summary>A random orthogonal matrix: Gram-Schmidt (twice, for orthogonality to rounding) on Gaussian columns.</summary>
    public static double[,] RandomOrthogonal(int n, Random random) => ExactEigen.RandomOrthogonal(n, random);

    /// <summary>Eigenvalues log-spaced from 1 down to 1/κ (κ = condition number), largest first.</summary>
    public static double[] LogSpaced(int n, double condition)
    {
        var lambda = new double[n];
        for (int i = 0; i < n; i++)
        {
            lambda[i] = n == 1 ? 1 : Math.Pow(condition, -(double)i / (n - 1));
        }

        return lambda;
    }

    /// <summary><c>Q·diag(λ)·Qᵀ</c>, exactly symmetric.</summary>
    public static double[,] FromEigen(double[,] q, double[] lambda) => ExactEigen.FromEigen(q, lambda);

    /// <summary>An SPD matrix with condition number about κ (eigenvalues in [1/κ, 1]).</summary>
    public static double[,] Spd(int n, double condition, Random random) =>
        FromEigen(RandomOrthogonal(n, random), LogSpaced(n, condition));

    /// <summary>A PSD matrix of the given rank (eigenvalues log-spaced in [1/κ, 1], the rest exactly 0 before rounding).</summary>
    public static double[,] Psd(int n, int rank, double condition, Random random)
    {
        double[] lambda = new double[n];
        double[] kept = LogSpaced(rank, condition);
        Array.Copy(kept, lambda, rank);
        return FromEigen(RandomOrthogonal(n, random), lambda);
    }

    public static double[,] RandomMatrix(int rows, int columns, Random random)
    {
        var a = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                a[i, j] = Gaussian(random);
            }
        }

        return a;
    }

    public static double Gaussian(Random random) => ExactEigen.Gaussian(random);

    /// <summary>Sizes worth testing: tiny, primes, vector widths ±1, block size ±1.</summary>
    public static readonly int[] InterestingSizes =
        [1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 97, 127, 128, 129, 191];
}

/// <summary>
/// A <c>rows×columns</c> view at a random offset and pitch (stride = width + pitch) inside a
/// larger buffer whose other cells hold NaN guards, checked afterwards (BoundedMemory-style).
/// </summary>
internal sealed class FactorGuardedMatrix<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _buffer;
    private readonly int _offset;
    private readonly int _pitch;

    public FactorGuardedMatrix(int rows, int columns, int pitch, int offset)
    {
        Rows = rows;
        Columns = columns;
        _pitch = pitch;
        _offset = offset;
        _buffer = new T[offset + (rows * (columns + pitch)) + 7];
        _buffer.AsSpan().Fill(T.NaN);
    }

    public FactorGuardedMatrix(double[,] values, int pitch, int offset)
        : this(values.GetLength(0), values.GetLength(1), pitch, offset) => Set(values);

    public int Rows { get; }

    public int Columns { get; }

    public Span2D<T> Span => new(_buffer, _offset, Rows, Columns, _pitch);

    public ReadOnlySpan2D<T> ReadOnlySpan => Span;

    public void Set(double[,] values)
    {
        Span2D<T> s = Span;
        for (int i = 0; i < Rows; i++)
        {
            for (int j = 0; j < Columns; j++)
            {
                s[i, j] = T.CreateTruncating(values[i, j]);
            }
        }
    }

    public double[,] ToDouble()
    {
        var d = new double[Rows, Columns];
        Span2D<T> s = Span;
        for (int i = 0; i < Rows; i++)
        {
            for (int j = 0; j < Columns; j++)
            {
                d[i, j] = double.CreateTruncating(s[i, j]);
            }
        }

        return d;
    }

    /// <summary>Values as rounded to T then widened: the exact input the kernel saw.</summary>
    public static double[,] Rounded(double[,] values)
    {
        var d = new double[values.GetLength(0), values.GetLength(1)];
        for (int i = 0; i < d.GetLength(0); i++)
        {
            for (int j = 0; j < d.GetLength(1); j++)
            {
                d[i, j] = double.CreateTruncating(T.CreateTruncating(values[i, j]));
            }
        }

        return d;
    }

    public void AssertGuardsIntact()
    {
        int stride = Columns + _pitch;
        for (int k = 0; k < _buffer.Length; k++)
        {
            int rel = k - _offset;
            bool inside = rel >= 0 && rel < Rows * stride && rel % stride < Columns;
            if (!inside && !T.IsNaN(_buffer[k]))
            {
                throw new Xunit.Sdk.XunitException($"guard cell {k} (offset {_offset}, pitch {_pitch}, {Rows}×{Columns}) was written: {_buffer[k]}");
            }
        }
    }
}
