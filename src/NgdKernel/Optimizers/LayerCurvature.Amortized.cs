namespace NgdKernel.Optimizers;

// Amortized curvature (NaturalGradientOptions.InverseUpdatePeriod > 1): running covariances updated
// every step, damped inverses refreshed every T steps and applied by two products in between.
internal sealed partial class LayerCurvature<T>
{
    /// <summary>The two factors of <see cref="RefreshBoth"/>, input side first (set by each refresh: no allocation in a step).</summary>
    private readonly Matrix<T>[] _refreshFactors = new Matrix<T>[2];

    /// <summary>The damping of each of <see cref="_refreshFactors"/>.</summary>
    private readonly T[] _refreshDampings = new T[2];

    /// <summary>
    /// Eq. 20 with kept inverses: when <paramref name="accumulate"/> is set, folds the batch into the
    /// running covariances, <c>C &lt;- beta C + (1 - beta) X^T X / m</c> (the first call takes
    /// <c>X^T X / m</c> and refreshes, whatever the flags), refactors
    /// <c>C + dI</c> and inverts it on each side when <paramref name="refresh"/> is set, and sets
    /// <c>N = (LambdaT + dI)^-1 G (Lambda + dI)^-1</c> from the inverses of the last refresh by two
    /// products, <c>O(ab(a + b))</c> multiply-adds that run at the GEMM rate, where the triangular
    /// solves of the per-step path wait on each row.
    /// </summary>
    /// <remarks>
    /// The inverses come from <c>Cholesky.Invert</c>, symmetric to the last bit only as far
    /// as that routine makes them; both sides' products read the full matrices. A refresh keeps the
    /// inverses of before the step for <see cref="RestoreRunningState"/>, taken once per step even
    /// when a retry refreshes again.
    /// </remarks>
    public bool AmortizedDirection(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> errors, ReadOnlySpan2D<T> gradient,
        T damping, T decay, bool accumulate, bool refresh, KernelContext context, out CholeskyFailure failure)
    {
        T inputScale = T.One / T.CreateChecked(inputs.Height);
        T errorScale = T.One / T.CreateChecked(errors.Height);
        if (Initialized && accumulate)
        {
            T fresh = T.One - decay;
            Syrk.Multiply(inputs, MatrixOp.Transpose, fresh * inputScale, decay, InputCovariance.Span, context);
            Syrk.Multiply(errors, MatrixOp.Transpose, fresh * errorScale, decay, ErrorCovariance.Span, context);
        }
        else if (!Initialized)
        {
            Syrk.Multiply(inputs, MatrixOp.Transpose, inputScale, T.Zero, InputCovariance.Span, context);
            Syrk.Multiply(errors, MatrixOp.Transpose, errorScale, T.Zero, ErrorCovariance.Span, context);
            Initialized = true;
            refresh = true;
        }

        if (refresh)
        {
            if (!_savedInverses)
            {
                SaveInverses();
            }

            if (!RefreshBoth(damping, context, out failure))
            {
                return false;
            }

            InputEffectiveDamping = ErrorEffectiveDamping = double.CreateTruncating(damping);
        }

        Gemm.Multiply(gradient, MatrixOp.None, InputFactor.ReadOnlySpan, MatrixOp.None, T.One, T.Zero, _product!.Span, context);
        Gemm.Multiply(ErrorFactor.ReadOnlySpan, MatrixOp.None, _product.ReadOnlySpan, MatrixOp.None, T.One, T.Zero, Direction.Span, context);
        failure = default;
        return true;
    }

    /// <summary>
    /// Both damped inverses of a refresh, <c>(C + dI)^-1</c> on each side: the two factorizations in
    /// lock-step (<see cref="Cholesky.TryFactorInterleaved"/>, bit for bit the factorizations one after
    /// the other; at these orders each waits on its rows' square roots, and the other fills that wait),
    /// then the two inversions. On a failure the side reported is the one the sequential order would
    /// report (input first); the other factor may have been overwritten too, which the caller's
    /// <see cref="RestoreRunningState"/> undoes from the inverses saved before the refresh.
    /// </summary>
    private bool RefreshBoth(T damping, KernelContext context, out CholeskyFailure failure)
    {
        InputCovariance.CopyTo(InputFactor);
        ErrorCovariance.CopyTo(ErrorFactor);
        _refreshFactors[0] = InputFactor;
        _refreshFactors[1] = ErrorFactor;
        _refreshDampings[0] = _refreshDampings[1] = damping;
        int failed = Cholesky.TryFactorInterleaved<T>(_refreshFactors, _refreshDampings, out failure, context);
        if (failed >= 0)
        {
            FailedSide = failed == 0 ? StepQuantity.InputCovariance : StepQuantity.ErrorCovariance;
            return false;
        }

        Cholesky.Invert(InputFactor.Span, context);
        Cholesky.Invert(ErrorFactor.Span, context);
        return true;
    }

    /// <summary>
    /// The undo point of the amortized state: the running covariances when the step will fold its
    /// batch in (<paramref name="covariances"/>); the inverses are copied only by a step that
    /// refreshes them (<see cref="AmortizedDirection"/>). <see cref="RestoreRunningState"/> undoes it.
    /// </summary>
    public void SaveAmortizedState(bool covariances) => SaveState(covariances, inverses: false);
}
