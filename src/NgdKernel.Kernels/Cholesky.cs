namespace NgdKernel.Kernels;

/// <summary>
/// Damped Cholesky factorization <c>A + damping·I = L·Lᵀ</c> in place, solves with the factor
/// from either side, and the inverse from the factor. Row-major views of any row stride.
/// </summary>
/// <remarks>
/// The natural-gradient step (paper Eq. 20) needs <c>(Λ̃ + √λ·I)⁻¹ · G · (Λ + √λ·I)⁻¹</c>:
/// factor both damped covariances with <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/>,
/// then apply <see cref="SolveLeft{T}(ReadOnlySpan2D{T}, Span2D{T}, KernelContext)"/> and <see cref="SolveRight{T}(ReadOnlySpan2D{T}, Span2D{T}, KernelContext)"/> to G, without forming
/// an inverse. A matrix that is not positive definite is an expected outcome, reported with the
/// failing pivot (LAPACK's INFO) rather than NaN. None of these methods allocate.
/// </remarks>
public static partial class Cholesky
{
    /// <summary>
    /// Factors <c>A + damping·I = L·Lᵀ</c> in place, reporting a non-positive pivot instead of
    /// producing NaN.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">
    /// <c>[n, n]</c>, row-major, any row stride. On entry its lower triangle (diagonal included)
    /// holds the symmetric matrix A; the strict upper triangle is not read. On success the lower
    /// triangle holds L and the strict upper triangle is zeroed. On failure it is overwritten
    /// too (rows before the failing pivot hold L's rows, the rest is partial work): callers who
    /// need A afterwards factor a copy.
    /// </param>
    /// <param name="damping">Added to every diagonal element before factoring; finite and <c>&gt;= 0</c>.</param>
    /// <param name="failure">On failure, the first pivot <c>j</c> with <c>!(0 &lt; d &lt; +Inf)</c> and its value; default on success.</param>
    /// <param name="context">Path and threads; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Trailing matrices of 128 rows or more use its threads.</param>
    /// <returns><see langword="true"/> when <c>A + damping·I</c> is numerically positive definite.</returns>
    /// <exception cref="ArgumentException"><paramref name="a"/> is not square.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="damping"/> is negative, NaN or infinite.</exception>
    /// <remarks>
    /// <para>LAPACK equivalent: <c>dpotrf('L')</c> on <c>A + damping·I</c>; the returned pivot is
    /// <c>INFO - 1</c>. Pivot test: <c>!(0 &lt; d &lt; +Inf)</c>, so a NaN or infinite element
    /// anywhere in the lower triangle makes some pivot at or after its row fail (an off-diagonal
    /// Inf squares into a -Inf pivot, NaN propagates into every later pivot it touches).</para>
    /// <para>Blocked right-looking algorithm over 64-column panels (a matrix of order 64 or less
    /// is one block): the diagonal block by register-blocked rows of its transpose in a stack
    /// copy, <c>L21 = A21·L11⁻ᵀ</c> on transposed chunks of rows, then the trailing update
    /// <c>A22 -= L21·L21ᵀ</c> (lower triangle) by register tiles on a stack-packed panel, which
    /// carries nearly all of the <c>n³/3</c> multiply-adds. Residual
    /// <c>‖LLᵀ - (A + damping·I)‖ / (n‖A‖eps)</c> is O(1) (LAPACK's dpot01 test).</para>
    /// <para>Allocates nothing (64 KB of stack at most). With a multi-threaded context the panel
    /// solve and the trailing update of each block column are split by rows over its threads;
    /// every element goes through the same operations whatever the thread count, so the result
    /// is bit-identical across thread counts and runs on one <see cref="KernelPath"/>; paths
    /// differ by rounding only.</para>
    /// </remarks>
    public static bool TryFactor<T>(Span2D<T> a, T damping, out CholeskyFailure failure, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TryFactorChecked(a, damping, context, out failure);

    /// <summary>
    /// Factors <c>A + damping·I = L·Lᵀ</c> in place, throwing when it is not positive definite.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a"><c>[n, n]</c>, as in <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/>.</param>
    /// <param name="damping">Added to every diagonal element; finite and <c>&gt;= 0</c>.</param>
    /// <param name="context">Path and threads; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Trailing matrices of 128 rows or more use its threads.</param>
    /// <exception cref="ArgumentException"><paramref name="a"/> is not square.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="damping"/> is negative, NaN or infinite.</exception>
    /// <exception cref="ArithmeticException">
    /// <c>A + damping·I</c> is not positive definite (or holds NaN/Inf); the message names the
    /// pivot index, its value and the damping. <paramref name="a"/> has been overwritten.
    /// </exception>
    /// <remarks>LAPACK equivalent: <c>dpotrf('L')</c> with <c>INFO &gt; 0</c> turned into an exception. Allocates nothing on success.</remarks>
    public static void Factor<T>(Span2D<T> a, T damping, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!TryFactorChecked(a, damping, context, out CholeskyFailure failure))
        {
            ThrowHelper.ThrowArithmetic_NotPositiveDefinite(
                nameof(a), failure.PivotIndex, failure.PivotValue, double.CreateTruncating(damping));
        }
    }

    /// <summary>Solves <c>(L·Lᵀ)·X = B</c> in place: <c>B &lt;- (L·Lᵀ)⁻¹·B</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="factor"><c>[n, n]</c> from <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/>; only the lower triangle is read.</param>
    /// <param name="b"><c>[n, m]</c>, any row stride; overwritten by the solution X. Must not overlap <paramref name="factor"/>.</param>
    /// <param name="context">Path and threads; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Solves of 2^20 multiply-adds or more use its threads.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="factor"/> is not square, <paramref name="b"/> does not have n rows, or the two overlap.
    /// </exception>
    /// <remarks>
    /// LAPACK equivalent: <c>dpotrs('L')</c>, i.e. two <c>dtrsm</c> (<c>L·Y = B</c>, then
    /// <c>Lᵀ·X = Y</c>), blocked so that most flops run in register tiles. Use it for the
    /// left factor of paper Eq. 20, <c>(Λ̃ + √λ·I)⁻¹·G</c>. A zero or NaN diagonal in the factor
    /// gives Inf/NaN in B (no check: a factor from a successful TryFactor has a positive
    /// diagonal); NaN in B stays in its column. Allocates nothing. Threads split B's columns;
    /// bit-identical across thread counts and runs on one path.
    /// </remarks>
    public static void SolveLeft<T>(ReadOnlySpan2D<T> factor, Span2D<T> b, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SolveChecked(factor, b, b, nameof(b), left: true, context);

    /// <summary>Solves <c>X·(L·Lᵀ) = B</c> in place: <c>B &lt;- B·(L·Lᵀ)⁻¹</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="factor"><c>[n, n]</c> from <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/>; only the lower triangle is read.</param>
    /// <param name="b"><c>[m, n]</c>, any row stride; overwritten by the solution X. Must not overlap <paramref name="factor"/>.</param>
    /// <param name="context">Path and threads; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Solves of 2^20 multiply-adds or more use its threads.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="factor"/> is not square, <paramref name="b"/> does not have n columns, or the two overlap.
    /// </exception>
    /// <remarks>
    /// LAPACK equivalent: <c>dpotrs('L')</c> on <c>Bᵀ</c> (the matrix is symmetric), i.e.
    /// <c>dtrsm('R','L','T')</c> then <c>dtrsm('R','L','N')</c>. Use it for the right factor of
    /// paper Eq. 20, <c>G·(Λ + √λ·I)⁻¹</c>. NaN in B stays in its row; NaN in the factor
    /// propagates. Allocates nothing (up to 32 KB of stack per thread). Threads split B's rows;
    /// bit-identical across thread counts and runs on one path.
    /// </remarks>
    public static void SolveRight<T>(ReadOnlySpan2D<T> factor, Span2D<T> b, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SolveChecked(factor, b, b, nameof(b), left: false, context);

    /// <summary>
    /// Solves <c>X·(L·Lᵀ) = B</c> into another matrix: <c>destination &lt;- source·(L·Lᵀ)⁻¹</c>, the
    /// source unchanged.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="factor"><c>[n, n]</c> from <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/>; only the lower triangle is read.</param>
    /// <param name="source">B, <c>[m, n]</c>, any row stride; not modified. Must not overlap <paramref name="destination"/>.</param>
    /// <param name="destination">X, the shape of <paramref name="source"/>, any row stride. Must not overlap <paramref name="factor"/> or <paramref name="source"/>.</param>
    /// <param name="context">Path and threads; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Solves of 2^20 multiply-adds or more use its threads.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="factor"/> is not square, <paramref name="source"/> does not have n columns, the
    /// destination's shape differs from the source's, or the destination overlaps the factor or the source.
    /// </exception>
    /// <remarks>
    /// Bit for bit <see cref="SolveRight{T}(ReadOnlySpan2D{T}, Span2D{T}, KernelContext)"/> on a copy of
    /// <paramref name="source"/> in <paramref name="destination"/>. A factor of order 128 or less, on a solve
    /// below 2^20 multiply-adds, is applied to transposed chunks of B read from the source, so no copy is made
    /// (paper Eq. 20's <c>G·(Λ + √λ·I)⁻¹</c> without a copy of G); otherwise the source is copied first. Allocates nothing.
    /// </remarks>
    public static void SolveRight<T>(ReadOnlySpan2D<T> factor, ReadOnlySpan2D<T> source, Span2D<T> destination, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.Square(factor, nameof(factor));
        Check.Columns(source, nameof(source), factor, nameof(factor), factor.Height);
        Check.SameShape<T>(destination, nameof(destination), source, nameof(source));
        Check.NoOverlap<T>(destination, nameof(destination), source, nameof(source));
        SolveChecked(factor, source, destination, nameof(destination), left: false, context);
    }

    /// <summary>Replaces the factor L by the full symmetric inverse <c>(L·Lᵀ)⁻¹</c>, in place.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="factor">
    /// <c>[n, n]</c>, any row stride. On entry the lower triangle holds L (the strict upper
    /// triangle is not read); on exit both triangles hold <c>A⁻¹ = L⁻ᵀ·L⁻¹</c>, exactly symmetric.
    /// </param>
    /// <param name="context">Path and threads; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Runs on the calling thread.</param>
    /// <exception cref="ArgumentException"><paramref name="factor"/> is not square.</exception>
    /// <remarks>
    /// LAPACK equivalent: <c>dpotri('L')</c> (<c>dtrtri</c> then <c>dlauum</c>) followed by
    /// mirroring the lower triangle into the upper one. Prefer the solves: forming the inverse
    /// costs <c>n³</c> flops more and is less accurate. NaN propagates. Allocates nothing.
    /// </remarks>
    public static void Invert<T>(Span2D<T> factor, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.Square<T>(factor, nameof(factor));
        InvertCore(factor, (context ?? KernelContext.Default).Path);
    }

    private static bool TryFactorChecked<T>(Span2D<T> a, T damping, KernelContext? context, out CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.Square<T>(a, nameof(a));
        Check.FiniteNonNegative(damping, nameof(damping));
        return FactorCore(a, damping, (context ?? KernelContext.Default).Path, context, out failure);
    }

    /// <summary>The checks and dispatch of the solves; <paramref name="source"/> is <paramref name="b"/> (in place) or, right solves only, a disjoint matrix of its shape.</summary>
    private static void SolveChecked<T>(ReadOnlySpan2D<T> factor, ReadOnlySpan2D<T> source, Span2D<T> b, string name, bool left, KernelContext? context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.Square(factor, nameof(factor));
        if (left)
        {
            Check.Rows<T>(b, name, factor, nameof(factor), factor.Height);
        }
        else
        {
            Check.Columns<T>(b, name, factor, nameof(factor), factor.Height);
        }

        Check.NoOverlap<T>(b, name, factor, nameof(factor));
        KernelPath path = (context ?? KernelContext.Default).Path;
        if (b.Height == 0 || b.Width == 0)
        {
            return;
        }

        // Only the whole-matrix transposing right solve on the caller reads a separate source.
        ref T b0 = ref b.DangerousGetReference();
        int n = factor.Height;
        if (!Unsafe.AreSame(ref source.DangerousGetReference(), ref b0)
            && (n > TriangularColumns.MaxTransposedOrder || (long)n * n * b.Height >= ParallelSolveThreshold))
        {
            source.CopyTo(b);
            source = b;
        }

        if (TrySolveInParallel(factor, b, left, context))
        {
            return;
        }

        ref T f0 = ref factor.DangerousGetReference();
        if (left)
        {
            SolveLeftKernel(ref f0, StridedView.Stride(factor), ref b0, StridedView.Stride(b), b.Height, b.Width, path);
        }
        else
        {
            SolveRightKernel(ref f0, StridedView.Stride(factor), ref source.DangerousGetReference(), StridedView.Stride(source), ref b0,
                StridedView.Stride(b), b.Height, b.Width, path);
        }
    }
}
