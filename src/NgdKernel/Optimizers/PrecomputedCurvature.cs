namespace NgdKernel.Optimizers;

/// <summary>
/// One layer's natural-gradient direction (paper Eq. 20) from statistics formed elsewhere:
/// <c>N = (LambdaT + dI)^-1 G (Lambda + dI)^-1</c>, <c>d = sqrt(lambda)</c>, with the gradient and both
/// covariances given as sums over examples. Data-parallel training sums them over workers and hands
/// the totals to the layer's owner, which solves here with the same kernels as
/// <see cref="NaturalGradientOptimizer{T}"/> in covariance space.
/// </summary>
/// <remarks>
/// <para>Covariances travel as packed lower triangles, row by row (row <c>i</c> holds columns
/// <c>0..i</c>, <see cref="PackedLength"/> values): half the bytes of the full matrix. Their scale is
/// applied on unpacking, so callers send the unnormalised sums <c>X^T X</c> and <c>E^T E</c> and pass
/// <c>1/M</c> and <c>1/(K M)</c>.</para>
/// <para>After the first call a solve allocates nothing. Same inputs give the same bits.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed class PrecomputedCurvature<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly LayerCurvature<T> _layer;

    /// <summary>Buffers for a layer of <paramref name="outputWidth"/> outputs and <paramref name="inputWidth"/> inputs (bias included).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A width is less than 1.</exception>
    public PrecomputedCurvature(int outputWidth, int inputWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputWidth, 1);
        _layer = new LayerCurvature<T>(outputWidth, inputWidth, CurvatureInverse.Cholesky);
    }

    /// <summary>Outputs of the layer (rows of <c>G</c>; the error covariance is this wide).</summary>
    public int OutputWidth => _layer.OutputWidth;

    /// <summary>Inputs of the layer, bias included (columns of <c>G</c>; the input covariance is this wide).</summary>
    public int InputWidth => _layer.InputWidth;

    /// <summary>The direction <c>N</c> of the last successful <see cref="TrySolve"/>, <c>[out, in]</c>.</summary>
    public ReadOnlySpan2D<T> Direction => _layer.Direction.ReadOnlySpan;

    /// <summary>Values of the packed lower triangle of a <paramref name="width"/> x <paramref name="width"/> matrix.</summary>
    public static int PackedLength(int width) => checked(width * (width + 1) / 2);

    /// <summary>Packs the lower triangle of <paramref name="symmetric"/> row by row into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The matrix is not square or the destination is not <see cref="PackedLength"/> long.</exception>
    public static void PackLower(ReadOnlySpan2D<T> symmetric, Span<T> destination)
    {
        int n = symmetric.Height;
        CheckPacked(n, symmetric.Width, destination.Length, nameof(destination));
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            symmetric.GetRowSpan(i)[..(i + 1)].CopyTo(destination.Slice(k, i + 1));
            k += i + 1;
        }
    }

    /// <summary>
    /// Solves Eq. 20 for this layer. Returns false when a damped covariance is not positive definite
    /// (<paramref name="failedSide"/> and <paramref name="failure"/> say which and at which pivot);
    /// the direction is then undefined.
    /// </summary>
    /// <param name="packedInputCovariance">Sum of <c>x x^T</c> over the examples, packed lower triangle, <c>[in, in]</c>.</param>
    /// <param name="inputScale">Factor that makes it the covariance <c>Lambda</c> (1/M).</param>
    /// <param name="packedErrorCovariance">Sum of <c>e e^T</c> over the sampled errors, packed lower triangle, <c>[out, out]</c>.</param>
    /// <param name="errorScale">Factor that makes it <c>LambdaT</c> (1/(K M)).</param>
    /// <param name="gradient">The averaged gradient block <c>G</c>, <c>[out, in]</c>, any row stride.</param>
    /// <param name="damping">The damping <c>lambda</c>; both sides get <c>sqrt(lambda)</c> on the diagonal.</param>
    /// <param name="context">Threads and kernel path (null: one thread, best path).</param>
    /// <param name="failure">The failing pivot when false is returned.</param>
    /// <param name="failedSide"><see cref="StepQuantity.InputCovariance"/> or <see cref="StepQuantity.ErrorCovariance"/> when false is returned.</param>
    /// <exception cref="ArgumentException">A length or shape does not match the layer (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="damping"/> is not positive and finite.</exception>
    public bool TrySolve(ReadOnlySpan<T> packedInputCovariance, T inputScale, ReadOnlySpan<T> packedErrorCovariance, T errorScale,
        ReadOnlySpan2D<T> gradient, double damping, KernelContext? context, out CholeskyFailure failure, out StepQuantity failedSide)
    {
        CheckPacked(InputWidth, InputWidth, packedInputCovariance.Length, nameof(packedInputCovariance));
        CheckPacked(OutputWidth, OutputWidth, packedErrorCovariance.Length, nameof(packedErrorCovariance));
        if (gradient.Height != OutputWidth || gradient.Width != InputWidth)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'gradient' is {gradient.Height}x{gradient.Width} but the layer is {OutputWidth}x{InputWidth}."), nameof(gradient));
        }

        if (!(damping > 0) || !double.IsFinite(damping))
        {
            throw new ArgumentOutOfRangeException(nameof(damping), damping, "'damping' must be positive and finite.");
        }

        Unpack(packedInputCovariance, inputScale, _layer.InputCovariance.Span);
        Unpack(packedErrorCovariance, errorScale, _layer.ErrorCovariance.Span);
        bool solved = _layer.CovarianceDirection(gradient, T.CreateChecked(Math.Sqrt(damping)), context ?? KernelContext.Default,
            out failure);
        failedSide = solved ? default : _layer.FailedSide;
        return solved;
    }

    /// <summary>Both triangles of <paramref name="destination"/> from a packed lower triangle times <paramref name="scale"/>.</summary>
    private static void Unpack(ReadOnlySpan<T> packed, T scale, Span2D<T> destination)
    {
        int k = 0;
        for (int i = 0; i < destination.Height; i++)
        {
            Span<T> row = destination.GetRowSpan(i);
            for (int j = 0; j <= i; j++)
            {
                T value = packed[k++] * scale;
                row[j] = value;
                destination[j, i] = value;
            }
        }
    }

    private static void CheckPacked(int rows, int columns, int length, string paramName)
    {
        if (rows != columns)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The matrix is {rows}x{columns}: a packed triangle needs a square matrix."), paramName);
        }

        if (length != PackedLength(rows))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'{paramName}' has {length} values but the packed lower triangle of a {rows}x{rows} matrix has {PackedLength(rows)}."),
                paramName);
        }
    }
}
