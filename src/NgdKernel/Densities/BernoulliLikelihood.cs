namespace NgdKernel.Densities;

/// <summary>
/// Independent Bernoulli outputs with logistic probabilities <c>p = sigmoid(x_L)</c> (multi-label):
/// binary cross-entropy summed over outputs, output error <c>y - p</c>, output Fisher
/// <c>diag(p (1 - p))</c>.
/// </summary>
/// <remarks>
/// The loss of one output is written with the softplus, <c>log(1 + exp(x)) - y x</c>, as
/// <c>max(x, 0) + log(1 + exp(-|x|)) - y x</c>: no overflow and no cancellation of <c>log(1 - p)</c>
/// when <c>p</c> rounds to 1.
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
internal sealed class BernoulliLikelihood<T> : ProbabilityLikelihood<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override OutputDensity Density => OutputDensity.Bernoulli;

    public override void CheckTargetValues(ReadOnlySpan2D<T> targets, int outputWidth, string paramName)
    {
        for (int r = 0; r < targets.Height; r++)
        {
            ReadOnlySpan<T> row = targets.GetRowSpan(r);
            if (TensorPrimitives.Min(row) < T.Zero || TensorPrimitives.Max(row) > T.One)
            {
                int c = TensorPrimitives.Min(row) < T.Zero ? TensorPrimitives.IndexOfMin(row) : TensorPrimitives.IndexOfMax(row);
                throw BadTarget(paramName, r, c, row[c], "a Bernoulli target must be in [0, 1]");
            }
        }
    }

    /// <summary>Softplus loss of each output (see the remarks); the error <c>y - p</c> overwrites <paramref name="p"/> when none is asked.</summary>
    protected override void RowLoss(ReadOnlySpan<T> z, ReadOnlySpan<T> y, Span<T> p, Span<T> error, ref double loss, ref double squared)
    {
        TensorPrimitives.Sigmoid<T>(z, p);
        for (int j = 0; j < z.Length; j++)
        {
            double x = double.CreateTruncating(z[j]);
            loss += Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))) - (double.CreateTruncating(y[j]) * x);
        }

        Span<T> e = error.IsEmpty ? p : error;
        TensorPrimitives.Subtract(y, p, e);
        squared += double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(e));
    }

    protected override void Probabilities(ReadOnlySpan<T> logits, Span<T> p) => TensorPrimitives.Sigmoid<T>(logits, p);

    /// <summary><c>y - p</c> with <c>y_j ~ Bern(p_j)</c>, one generator word per output.</summary>
    protected override void SampledError(ref Xoshiro256 rng, Span<T> p)
    {
        for (int j = 0; j < p.Length; j++)
        {
            T pj = p[j];
            p[j] = (T.CreateTruncating(rng.NextDouble()) < pj ? T.One : T.Zero) - pj;
        }
    }

    /// <summary><c>scale sqrt(p_j (1 - p_j)) e_j</c>.</summary>
    protected override void FisherColumn(Span<T> p, int column, T scale)
    {
        T pj = p[column];
        p.Clear();
        p[column] = scale * T.Sqrt(pj * (T.One - pj));
    }

    /// <summary>Components whose probability is on the target's side of 1/2.</summary>
    public override (long Correct, long Total) CountCorrect(ReadOnlySpan2D<T> predictions, ReadOnlySpan2D<T> targets)
    {
        T half = T.One / (T.One + T.One);
        long correct = 0;
        for (int r = 0; r < targets.Height; r++)
        {
            ReadOnlySpan<T> p = predictions.GetRowSpan(r);
            ReadOnlySpan<T> y = targets.GetRowSpan(r);
            for (int j = 0; j < y.Length; j++)
            {
                correct += (p[j] > half) == (y[j] > half) ? 1 : 0;
            }
        }

        return (correct, (long)targets.Height * targets.Width);
    }
}
