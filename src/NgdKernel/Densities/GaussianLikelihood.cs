namespace NgdKernel.Densities;

/// <summary>
/// The Gaussian output density <c>N(x_L, SigmaT)</c> of the paper (Eq. 2, 6): loss
/// <c>0.5 (y - x_L)^T S (y - x_L)</c> with <c>S = SigmaT^-1</c>, output error <c>S (y - x_L)</c>,
/// output Fisher <c>S</c>.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal sealed class GaussianLikelihood<T> : OutputLikelihood<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _precisionScale;      // 1 / sigma^2 when isotropic
    private readonly Matrix<T>? _precision;  // S = SigmaT^-1 when full
    private readonly Matrix<T>? _precisionFactor; // L_S with S = L_S L_S^T when full

    public GaussianLikelihood(OutputCovariance covariance, int outputWidth)
    {
        if (covariance.IsIsotropic)
        {
            _precisionScale = T.CreateChecked(1.0 / covariance.Variance);
        }
        else
        {
            _precision = FromDense(covariance.PrecisionDense(outputWidth), outputWidth);
            _precisionFactor = FromDense(covariance.PrecisionFactor!, outputWidth);
        }
    }

    public override OutputDensity Density => OutputDensity.Gaussian;

    public T PrecisionScale => _precisionScale;

    public Matrix<T>? Precision => _precision;

    public Matrix<T>? PrecisionFactor => _precisionFactor;

    /// <summary><c>D = Y - X_L</c>; loss (Eq. 6); when asked, <c>E_L = D S</c>.</summary>
    public override LossValues Loss(Network<T> network, ReadOnlySpan2D<T> targets, NetworkWorkspace<T> workspace, bool computeErrors)
    {
        int rows = targets.Height;
        int nOut = network.OutputSize;
        Span2D<T> output = workspace.Activations[network.LayerCount].Span.Slice(0, 0, rows, nOut);
        Span2D<T> difference = workspace.Difference.Span.Slice(0, 0, rows, nOut);
        double squared = 0;
        for (int r = 0; r < rows; r++)
        {
            Span<T> d = difference.GetRowSpan(r);
            TensorPrimitives.Subtract(targets.GetRowSpan(r), output.GetRowSpan(r), d);
            squared += double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(d));
        }

        double mse = squared / ((double)rows * nOut);
        double nll;
        Span2D<T> errors = workspace.Errors[network.LayerCount - 1].Span.Slice(0, 0, rows, nOut);
        if (_precision is null)
        {
            nll = 0.5 * squared * double.CreateTruncating(_precisionScale) / rows;
            if (computeErrors)
            {
                for (int r = 0; r < rows; r++)
                {
                    TensorPrimitives.Multiply<T>(difference.GetRowSpan(r), _precisionScale, errors.GetRowSpan(r));
                }
            }
        }
        else
        {
            // E = D S (S symmetric), and D o (D S) summed is the Mahalanobis form.
            Gemm.Multiply(difference, MatrixOp.None, _precision.ReadOnlySpan, MatrixOp.None, T.One, T.Zero, errors, network.Context);
            double quadratic = 0;
            for (int r = 0; r < rows; r++)
            {
                quadratic += double.CreateTruncating(TensorPrimitives.Dot<T>(difference.GetRowSpan(r), errors.GetRowSpan(r)));
            }

            nll = 0.5 * quadratic / rows;
        }

        return new LossValues(nll, mse);
    }

    /// <summary>
    /// <c>S^{1/2} z</c>, <c>z ~ N(0, I)</c>: the errors of targets sampled from the model,
    /// <c>y ~ N(x_L, SigmaT)</c>, since <c>S (y - x_L) ~ N(0, S)</c>.
    /// </summary>
    public override void Sample(Network<T> network, ref Xoshiro256 rng, NetworkWorkspace<T> workspace, Matrix<T> errors,
        int offset, int rows)
    {
        int nOut = network.OutputSize;
        Span2D<T> target = errors.Span.Slice(offset, 0, rows, nOut);
        if (_precision is null)
        {
            network.FillGaussian(ref rng, errors, offset, rows, nOut, T.Sqrt(_precisionScale));
        }
        else
        {
            Span2D<T> z = workspace.Difference.Span.Slice(0, 0, rows, nOut);
            network.FillGaussian(ref rng, workspace.Difference, 0, rows, nOut, T.One);

            // Row e = L_S z, i.e. E = Z L_S^T.
            Gemm.Multiply(z, MatrixOp.None, _precisionFactor!.ReadOnlySpan, MatrixOp.Transpose, T.One, T.Zero, target, network.Context);
        }
    }

    /// <summary>Column j of <c>L_S</c> (<c>S = L_S L_S^T</c>), or <c>sqrt(s) e_j</c> when isotropic: the same for every example.</summary>
    public override void FisherColumn(Network<T> network, NetworkWorkspace<T> workspace, Matrix<T> errors, int offset, int rows,
        int column, T scale)
    {
        int nOut = network.OutputSize;
        Span2D<T> target = errors.Span.Slice(offset, 0, rows, nOut);
        Span<T> first = target.GetRowSpan(0);
        first.Clear();
        if (_precision is null)
        {
            first[column] = scale * T.Sqrt(_precisionScale);
        }
        else
        {
            ReadOnlySpan2D<T> factor = _precisionFactor!.ReadOnlySpan;
            for (int i = column; i < nOut; i++)
            {
                first[i] = scale * factor[i, column];
            }
        }

        for (int r = 1; r < rows; r++)
        {
            first.CopyTo(target.GetRowSpan(r));
        }
    }

    public override ReadOnlySpan2D<T> Predict(Network<T> network, NetworkWorkspace<T> workspace, int rows) =>
        workspace.Output(rows);

    /// <summary>Regression onto one-hot codes: the largest output against the largest target component.</summary>
    public override (long Correct, long Total) CountCorrect(ReadOnlySpan2D<T> predictions, ReadOnlySpan2D<T> targets)
    {
        long correct = 0;
        for (int r = 0; r < targets.Height; r++)
        {
            correct += ArgMax(predictions.GetRowSpan(r)) == ArgMax(targets.GetRowSpan(r)) ? 1 : 0;
        }

        return (correct, targets.Height);
    }

    private static Matrix<T> FromDense(double[] values, int n)
    {
        var m = new Matrix<T>(n, n);
        Span2D<T> span = m.Span;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                span[i, j] = T.CreateChecked(values[(i * n) + j]);
            }
        }

        return m;
    }
}
