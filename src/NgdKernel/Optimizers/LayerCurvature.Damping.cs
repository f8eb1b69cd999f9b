namespace NgdKernel.Optimizers;

// Factored (pi) damping of the two sides of Eq. 20, and the quadratic form of the damped Kronecker
// curvature that the Eq. 21 prediction of a momentum step needs.
internal sealed partial class LayerCurvature<T>
{
    /// <summary>The damping added to the input covariance by the last Cholesky-mode direction.</summary>
    public double InputDamping { get; private set; }

    /// <summary>The damping added to the error covariance by the last Cholesky-mode direction.</summary>
    public double ErrorDamping { get; private set; }

    /// <summary>
    /// The two sides' dampings for <c>sqrt(lambda)</c> = <paramref name="damping"/>: the same value on
    /// both (<see cref="DampingForm.Paper"/>), or <c>pi d</c> on the input side and <c>d / pi</c> on the
    /// error side with <c>pi = sqrt((tr(Lambda)/a) / (tr(LambdaT)/b))</c> (<see cref="DampingForm.Factored"/>).
    /// </summary>
    /// <remarks>
    /// The traces come from the samples, <c>tr(X^T X / m) = |X|_F^2 / m</c>, so the same value serves the
    /// covariance and the sample-space forms at O(m a + n b). When a side's trace is zero or not finite
    /// (all errors zero, say) there is no scale to balance and pi is 1.
    /// </remarks>
    public (T Input, T Error) SideDamping(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> errors, T damping, DampingForm form)
    {
        if (form == DampingForm.Paper)
        {
            InputDamping = ErrorDamping = double.CreateTruncating(damping);
            return (damping, damping);
        }

        double inputScale = MeanSquare(inputs);
        double errorScale = MeanSquare(errors);
        double pi = Math.Sqrt(inputScale / errorScale);
        if (!double.IsFinite(pi) || !(pi > 0))
        {
            pi = 1;
        }

        double d = double.CreateTruncating(damping);
        T input = T.CreateChecked(pi * d);
        T error = T.CreateChecked(d / pi);
        InputDamping = double.CreateTruncating(input);
        ErrorDamping = double.CreateTruncating(error);
        return (input, error);
    }

    /// <summary><c>tr(X^T X / m) / width</c>, the mean eigenvalue of the covariance of the rows of <paramref name="samples"/>.</summary>
    private static double MeanSquare(ReadOnlySpan2D<T> samples)
    {
        // One call over a contiguous block: row by row, the calls on rows of 20 elements cost more
        // than the sums (fig1a at M = 1000: a step 1.17x the paper form's, measured interleaved).
        double sum = 0;
        if (samples.TryGetSpan(out ReadOnlySpan<T> all))
        {
            sum = double.CreateTruncating(TensorPrimitives.SumOfSquares(all));
        }
        else
        {
            for (int r = 0; r < samples.Height; r++)
            {
                sum += double.CreateTruncating(TensorPrimitives.SumOfSquares(samples.GetRowSpan(r)));
            }
        }

        return sum / ((double)samples.Height * samples.Width);
    }

    /// <summary>
    /// <c>tr(V^T (LambdaT + d_e I) V (Lambda + d_i I))</c> of the batch that gave the last direction, with
    /// that direction's side dampings: the curvature of the Eq. 21 model along <paramref name="v"/>.
    /// A side the direction solved in covariance space reuses its covariance (<c>V Lambda</c>:
    /// <c>b a^2</c> multiply-adds; <c>LambdaT V</c>: <c>b^2 a</c>); a side solved in sample space, which
    /// never formed it, goes through the samples (<c>P = V X^T</c>, <c>V Lambda = P X / m</c>:
    /// <c>2 m a b</c>; <c>Y = E V</c>, <c>LambdaT V = E^T Y / n</c>: <c>2 n a b</c>).
    /// </summary>
    /// <param name="inputs">The layer's inputs X, <c>[m, a]</c>, of the last direction.</param>
    /// <param name="errors">The layer's sampled errors E, <c>[n, b]</c>, of the last direction.</param>
    /// <param name="v">A matrix shaped like the weights, <c>[b, a]</c>.</param>
    /// <param name="products">Scratch <c>[b, m]</c> or more (input side in sample space).</param>
    /// <param name="sampled">Scratch <c>[n, a]</c> or more (error side in sample space).</param>
    /// <param name="right">Scratch <c>[b, a]</c>: receives <c>V (Lambda + d_i I)</c>.</param>
    /// <param name="left">Scratch <c>[b, a]</c>: receives <c>(LambdaT + d_e I) V</c>.</param>
    /// <param name="context">Threads and path of the products.</param>
    public double CurvatureQuadratic(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> errors, ReadOnlySpan2D<T> v,
        Span2D<T> products, Span2D<T> sampled, Span2D<T> right, Span2D<T> left, KernelContext context)
    {
        int m = inputs.Height;
        int n = errors.Height;
        Span2D<T> vr = right.Slice(0, 0, OutputWidth, InputWidth);
        Span2D<T> vl = left.Slice(0, 0, OutputWidth, InputWidth);
        v.CopyTo(vr);
        v.CopyTo(vl);
        if (InputInSampleSpace)
        {
            Span2D<T> p = products.Slice(0, 0, OutputWidth, m);
            Gemm.Multiply(v, MatrixOp.None, inputs, MatrixOp.Transpose, T.One, T.Zero, p, context);
            Gemm.Multiply(p, MatrixOp.None, inputs, MatrixOp.None, T.One / T.CreateChecked(m), T.CreateChecked(InputDamping), vr, context);
        }
        else
        {
            Gemm.Multiply(v, MatrixOp.None, InputCovariance.ReadOnlySpan, MatrixOp.None, T.One, T.CreateChecked(InputDamping), vr, context);
        }

        if (ErrorInSampleSpace)
        {
            Span2D<T> y = sampled.Slice(0, 0, n, InputWidth);
            Gemm.Multiply(errors, MatrixOp.None, v, MatrixOp.None, T.One, T.Zero, y, context);
            Gemm.Multiply(errors, MatrixOp.Transpose, y, MatrixOp.None, T.One / T.CreateChecked(n), T.CreateChecked(ErrorDamping), vl, context);
        }
        else
        {
            Gemm.Multiply(ErrorCovariance.ReadOnlySpan, MatrixOp.None, v, MatrixOp.None, T.One, T.CreateChecked(ErrorDamping), vl, context);
        }

        double sum = 0;
        for (int r = 0; r < OutputWidth; r++)
        {
            sum += double.CreateTruncating(TensorPrimitives.Dot<T>(vl.GetRowSpan(r), vr.GetRowSpan(r)));
        }

        return sum;
    }
}
