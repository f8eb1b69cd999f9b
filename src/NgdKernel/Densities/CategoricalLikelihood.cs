namespace NgdKernel.Densities;

/// <summary>
/// The categorical density with softmax probabilities <c>p = softmax(x_L)</c>: cross-entropy loss,
/// output error <c>y - (sum_j y_j) p</c> (<c>onehot(y) - p</c> for a label), output Fisher
/// <c>diag(p) - p p^T</c>.
/// </summary>
/// <remarks>
/// <para>The loss is computed by log-sum-exp, <c>-log p_y = m + log sum_j exp(x_j - m) - x_y</c> with
/// <c>m = max_j x_j</c>: no exponential overflows and the largest term is exactly 1.</para>
/// <para>Targets are class labels <c>[batch, 1]</c> or class probabilities <c>[batch, n_L]</c>.</para>
/// <para>A square root of the output Fisher: the columns <c>sqrt(p_j) (e_j - p)</c>, since
/// <c>sum_j p_j (e_j - p)(e_j - p)^T = diag(p) - 2 p p^T + (sum_j p_j) p p^T</c>.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
internal sealed class CategoricalLikelihood<T> : ProbabilityLikelihood<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override OutputDensity Density => OutputDensity.Categorical;

    public override bool AcceptsWidth(int width, int outputWidth) => width == outputWidth || width == 1;

    public override string TargetWidths(int outputWidth) =>
        string.Create(CultureInfo.InvariantCulture, $"1 column of class labels or n_L = {outputWidth} columns of class probabilities");

    public override void CheckTargetValues(ReadOnlySpan2D<T> targets, int outputWidth, string paramName)
    {
        bool labels = targets.Width == 1;
        for (int r = 0; r < targets.Height; r++)
        {
            ReadOnlySpan<T> row = targets.GetRowSpan(r);
            if (labels)
            {
                T y = row[0];
                if (!(y >= T.Zero && y < T.CreateTruncating(outputWidth) && T.IsInteger(y)))
                {
                    throw BadTarget(paramName, r, 0, y, string.Create(CultureInfo.InvariantCulture,
                        $"a class label must be an integer in [0, {outputWidth - 1}]"));
                }
            }
            else if (TensorPrimitives.Min(row) < T.Zero)
            {
                int c = TensorPrimitives.IndexOfMin(row);
                throw BadTarget(paramName, r, c, row[c], "class probabilities must be >= 0");
            }
        }
    }

    /// <summary>
    /// Log-sum-exp loss (see the remarks) of a label (one column, more than one output) or of class
    /// probabilities; <c>|y - p|^2</c> expanded as <c>|y|^2 - 2 y.p + |p|^2</c>.
    /// </summary>
    protected override void RowLoss(ReadOnlySpan<T> z, ReadOnlySpan<T> y, Span<T> p, Span<T> error, ref double loss, ref double squared)
    {
        double logSumExp = Softmax(z, p);
        double sumOfSquares = double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(p));
        if (y.Length == 1 && p.Length > 1)
        {
            int label = int.CreateTruncating(y[0]);
            loss += logSumExp - double.CreateTruncating(z[label]);
            squared += sumOfSquares - (2 * double.CreateTruncating(p[label])) + 1;
            if (!error.IsEmpty)
            {
                TensorPrimitives.Negate<T>(p, error);
                error[label] += T.One;
            }
        }
        else
        {
            T total = TensorPrimitives.Sum(y);
            loss += (double.CreateTruncating(total) * logSumExp) - double.CreateTruncating(TensorPrimitives.Dot(y, z));
            squared += double.CreateTruncating(TensorPrimitives.SumOfSquares(y)) - (2 * double.CreateTruncating(TensorPrimitives.Dot<T>(y, p)))
                + sumOfSquares;
            if (!error.IsEmpty)
            {
                TensorPrimitives.MultiplyAdd<T>(p, -total, y, error);
            }
        }
    }

    protected override void Probabilities(ReadOnlySpan<T> logits, Span<T> p) => Softmax(logits, p);

    /// <summary><c>onehot(y) - p</c> with <c>y ~ Cat(p)</c>, one generator word per example.</summary>
    protected override void SampledError(ref Xoshiro256 rng, Span<T> p)
    {
        // Inverse transform on the cumulative probabilities, the uniform scaled by their rounded sum
        // so that the last class with p > 0 is always reachable.
        T u = T.CreateTruncating(rng.NextDouble()) * TensorPrimitives.Sum<T>(p);
        int y = 0;
        T cumulative = p[0];
        while (y < p.Length - 1 && (cumulative <= u || p[y] == T.Zero))
        {
            y++;
            cumulative += p[y];
        }

        TensorPrimitives.Negate<T>(p, p);
        p[y] += T.One;
    }

    /// <summary><c>scale sqrt(p_j) (e_j - p)</c>.</summary>
    protected override void FisherColumn(Span<T> p, int column, T scale)
    {
        T root = scale * T.Sqrt(p[column]);
        TensorPrimitives.Multiply<T>(p, -root, p);
        p[column] += root;
    }

    public override (long Correct, long Total) CountCorrect(ReadOnlySpan2D<T> predictions, ReadOnlySpan2D<T> targets)
    {
        long correct = 0;
        for (int r = 0; r < targets.Height; r++)
        {
            int label = targets.Width == 1 ? int.CreateTruncating(targets[r, 0]) : ArgMax(targets.GetRowSpan(r));
            correct += ArgMax(predictions.GetRowSpan(r)) == label ? 1 : 0;
        }

        return (correct, targets.Height);
    }

    /// <summary><c>p = softmax(z)</c> into <paramref name="p"/>; returns <c>log sum_j exp(z_j)</c> (in double).</summary>
    internal static double Softmax(ReadOnlySpan<T> z, Span<T> p)
    {
        T max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, p);
        TensorPrimitives.Exp<T>(p, p);
        T sum = TensorPrimitives.Sum<T>(p);
        TensorPrimitives.Divide(p, sum, p);
        return double.CreateTruncating(max) + Math.Log(double.CreateTruncating(sum));
    }
}
