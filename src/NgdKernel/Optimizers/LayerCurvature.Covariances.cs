using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NgdKernel.Optimizers;

// The covariance-space half of Eq. 20 once the covariances are in place: shared by the optimizer,
// which forms them from its batch, and by PrecomputedCurvature, whose caller formed them elsewhere
// (sums over the workers of a data-parallel step).
internal sealed partial class LayerCurvature<T>
{
    /// <summary>
    /// <c>Direction = G (Lambda + dI)^-1</c> from <see cref="InputCovariance"/> (kept; the factor goes
    /// to <see cref="InputFactor"/>).
    /// </summary>
    private bool SolveInputCovariance(ReadOnlySpan2D<T> gradient, T damping, KernelContext context, out CholeskyFailure failure)
    {
        InputCovariance.CopyTo(InputFactor);
        if (!Cholesky.TryFactor(InputFactor.Span, damping, out failure, context))
        {
            FailedSide = StepQuantity.InputCovariance;
            return false;
        }

        ApplyInputFactor(gradient, context);
        return true;
    }

    /// <summary><c>Direction = G (Lambda + dI)^-1</c> by solves with the factor in <see cref="InputFactor"/>.</summary>
    private void ApplyInputFactor(ReadOnlySpan2D<T> gradient, KernelContext context)
    {
        Span2D<T> u = Direction.Span;

        // U = G (Lambda + dI)^-1 as U^T = (Lambda + dI)^-1 G^T: the left solve runs 1.3-3x faster
        // than the right one at every layer shape of the MNIST autoencoder (n = 51..785), far more
        // than the two O(ab) transposes cost. Small layers solve from the right directly: there the
        // two solves cost about the same and the transposes are fixed cost (32-32-32-32-32 at
        // M = 32, one layer's direction, process CPU time on a shared machine: float 6.3-8.5 us
        // against 8.4-9.2 with the transposes, double 8.9-10.3 against 11.3-11.4). The solve reads G
        // where it transposes it, so G is not copied to U first.
        if (InputWidth <= DirectInputSolveMaxWidth && !Overlaps(gradient, u))
        {
            Cholesky.SolveRight(InputFactor.ReadOnlySpan, gradient, u, context);
        }
        else if (InputWidth <= DirectInputSolveMaxWidth)
        {
            // The public PrecomputedCurvature lets a caller pass its last Direction back as the
            // gradient; the from-source solve refuses overlapping operands, so that one copies first.
            gradient.CopyTo(u);
            Cholesky.SolveRight(InputFactor.ReadOnlySpan, u, context);
        }
        else
        {
            _transposed ??= new Matrix<T>(InputWidth, OutputWidth);
            Span2D<T> transposed = _transposed.Span;
            Transpose(gradient, transposed);
            Cholesky.SolveLeft(InputFactor.ReadOnlySpan, transposed, context);
            Transpose(transposed, u);
        }
    }

    /// <summary>Whether the memory the two views span (first to last element) overlaps.</summary>
    private static bool Overlaps(ReadOnlySpan2D<T> a, ReadOnlySpan2D<T> b) =>
        !a.IsEmpty && !b.IsEmpty && Extent(a).Overlaps(Extent(b));

    private static ReadOnlySpan<T> Extent(ReadOnlySpan2D<T> view)
    {
        ref T first = ref view.DangerousGetReference();
        ref T last = ref view.DangerousGetReferenceAt(view.Height - 1, view.Width - 1);
        return MemoryMarshal.CreateReadOnlySpan(ref first, (int)(Unsafe.ByteOffset(ref first, ref last) / Unsafe.SizeOf<T>()) + 1);
    }

    /// <summary><c>Direction = (LambdaT + dI)^-1 Direction</c> from <see cref="ErrorCovariance"/> (kept).</summary>
    private bool SolveErrorCovariance(T damping, KernelContext context, out CholeskyFailure failure)
    {
        ErrorCovariance.CopyTo(ErrorFactor);
        if (!Cholesky.TryFactor(ErrorFactor.Span, damping, out failure, context))
        {
            FailedSide = StepQuantity.ErrorCovariance;
            return false;
        }

        Cholesky.SolveLeft(ErrorFactor.ReadOnlySpan, Direction.Span, context);
        return true;
    }

    /// <summary>
    /// Whether a batch of <paramref name="rows"/> examples and <paramref name="samples"/> sampled errors is
    /// solved in covariance space on both sides under <paramref name="policy"/>.
    /// </summary>
    public bool CovarianceSpaceBoth(SampleSpacePolicy policy, int rows, int samples) =>
        !UsesSampleSpace(policy, rows, InputWidth, OutputWidth) && !UsesSampleSpace(policy, samples, OutputWidth, InputWidth);

    /// <summary>
    /// The first half of <see cref="CholeskyDirection"/> when both sides are in covariance space
    /// (<see cref="CovarianceSpaceBoth"/>): both covariances of the batch, for the caller to factor
    /// into <see cref="InputFactor"/> and <see cref="ErrorFactor"/> (damped by <see cref="SideDamping"/>),
    /// possibly interleaved with other layers' factorizations; then <see cref="SolveFactored"/>
    /// finishes the direction.
    /// </summary>
    public void PrepareFactors(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> errors, KernelContext context)
    {
        InputInSampleSpace = false;
        ErrorInSampleSpace = false;
        Syrk.Multiply(inputs, MatrixOp.Transpose, T.One / T.CreateChecked(inputs.Height), T.Zero, InputCovariance.Span, context);
        Syrk.Multiply(errors, MatrixOp.Transpose, T.One / T.CreateChecked(errors.Height), T.Zero, ErrorCovariance.Span, context);
    }

    /// <summary>
    /// The second half after <see cref="PrepareFactors"/> and a successful factorization of both:
    /// <c>Direction = (LambdaT + dI)^-1 G (Lambda + dI)^-1</c> by the same solves as <see cref="CholeskyDirection"/>.
    /// </summary>
    public void SolveFactored(ReadOnlySpan2D<T> gradient, KernelContext context)
    {
        ApplyInputFactor(gradient, context);
        Cholesky.SolveLeft(ErrorFactor.ReadOnlySpan, Direction.Span, context);
    }

    /// <summary>Records which side of the last <see cref="PrepareFactors"/> failed to factor.</summary>
    public void SetFailedSide(StepQuantity side) => FailedSide = side;

    /// <summary>
    /// Eq. 20 in covariance space on both sides, from <see cref="InputCovariance"/> and
    /// <see cref="ErrorCovariance"/> as the caller filled them.
    /// </summary>
    public bool CovarianceDirection(ReadOnlySpan2D<T> gradient, T damping, KernelContext context, out CholeskyFailure failure)
    {
        InputInSampleSpace = false;
        ErrorInSampleSpace = false;
        if (!SolveInputCovariance(gradient, damping, context, out failure))
        {
            return false;
        }

        return SolveErrorCovariance(damping, context, out failure);
    }
}
