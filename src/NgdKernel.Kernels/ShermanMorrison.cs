namespace NgdKernel.Kernels;

/// <summary>
/// Rank-1 updates of an explicit inverse (Sherman-Morrison), in place, with a guard that refuses
/// an update whose denominator is too close to zero to be trusted.
/// </summary>
/// <remarks>
/// <c>(A + s·u·vᵀ)⁻¹ = A⁻¹ - s·(A⁻¹u)(vᵀA⁻¹) / (1 + s·vᵀA⁻¹u)</c>. An update costs
/// <c>O(n²)</c> against <c>O(n³)</c> for a fresh factorization, but rounding accumulates over
/// many updates: refactor from time to time. There is no LAPACK equivalent.
/// </remarks>
public static partial class ShermanMorrison
{
    /// <summary>
    /// <c>inverse &lt;- (A + scale·u·vᵀ)⁻¹</c> given <c>inverse = A⁻¹</c>, unless the
    /// denominator <c>1 + scale·vᵀA⁻¹u</c> is near zero.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="inverse"><c>[n, n]</c>, row-major, any row stride: <c>A⁻¹</c> on entry (need not be symmetric).</param>
    /// <param name="u">Length n.</param>
    /// <param name="v">Length n.</param>
    /// <param name="scale">The factor s of the rank-1 term; finite.</param>
    /// <param name="workspace">Length at least <c>2n</c>; must not overlap the other arguments. Its content is scratch.</param>
    /// <param name="denominator">The computed <c>1 + s·vᵀA⁻¹u</c>, returned on success and failure.</param>
    /// <param name="context">Path; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Runs on the calling thread only.</param>
    /// <returns>
    /// <see langword="false"/> (and <paramref name="inverse"/> untouched) when
    /// <c>!(|denominator| &gt; sqrt(eps)·(1 + |s|·Σ|v_i (A⁻¹u)_i|))</c>: the updated matrix is
    /// singular to within rounding, or an input holds NaN.
    /// </returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="inverse"/> is not square; <paramref name="u"/> or <paramref name="v"/> does not
    /// have length n; <paramref name="workspace"/> is shorter than 2n; <paramref name="u"/>,
    /// <paramref name="v"/> or <paramref name="workspace"/> overlaps <paramref name="inverse"/>, or
    /// <paramref name="workspace"/> overlaps <paramref name="u"/> or <paramref name="v"/>.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is NaN or infinite.</exception>
    /// <remarks>
    /// <para>The guard: rounding in <c>vᵀA⁻¹u</c> is of order <c>eps·Σ|v_i (A⁻¹u)_i|</c>, and the
    /// update divides by the denominator, so one below <c>sqrt(eps)</c> times that scale would
    /// leave fewer than half the digits. NaN anywhere in the inputs makes the guard fail.</para>
    /// <para>Cost <c>3n²</c> multiply-adds. Allocates nothing; deterministic on one path.</para>
    /// </remarks>
    public static bool TryUpdate<T>(Span2D<T> inverse, ReadOnlySpan<T> u, ReadOnlySpan<T> v, T scale, Span<T> workspace, out T denominator, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.Square<T>(inverse, nameof(inverse));
        int n = inverse.Height;
        Check.Length(u, nameof(u), inverse, nameof(inverse), n);
        Check.Length(v, nameof(v), inverse, nameof(inverse), n);
        Check.Workspace<T>(workspace, nameof(workspace), 2 * n, "2n for A⁻¹u and vᵀA⁻¹");
        Check.Finite(scale, nameof(scale));
        Check.NoOverlap(u, nameof(u), inverse, nameof(inverse));
        Check.NoOverlap(v, nameof(v), inverse, nameof(inverse));
        Check.NoOverlap<T>(workspace, nameof(workspace), inverse, nameof(inverse));
        Check.NoOverlap<T>(workspace, nameof(workspace), u, nameof(u));
        Check.NoOverlap<T>(workspace, nameof(workspace), v, nameof(v));
        KernelPath path = (context ?? KernelContext.Default).Path;

        nint ld = StridedView.Stride(inverse);
        ref T a0 = ref inverse.DangerousGetReference();
        ref T u0 = ref MemoryMarshal.GetReference(u);
        ref T v0 = ref MemoryMarshal.GetReference(v);
        ref T left = ref MemoryMarshal.GetReference(workspace);   // A⁻¹u
        ref T right = ref Unsafe.Add(ref left, n);                 // vᵀA⁻¹
        MemoryMarshal.CreateSpan(ref right, n).Clear();
        T vw = T.Zero, magnitude = T.Zero;
        for (int i = 0; i < n; i++)
        {
            ref T row = ref Unsafe.Add(ref a0, i * ld);
            T li = Level1.Dot(ref row, ref u0, n, path);
            Unsafe.Add(ref left, i) = li;
            T term = Unsafe.Add(ref v0, i) * li;
            vw += term;
            magnitude += T.Abs(term);
            Level1.Axpy(Unsafe.Add(ref v0, i), ref row, ref right, n, path);
        }

        denominator = T.One + (scale * vw);
        if (!Accept(denominator, scale, magnitude))
        {
            return false;
        }

        T factor = scale / denominator;
        for (int i = 0; i < n; i++)
        {
            Level1.Axpy(-factor * Unsafe.Add(ref left, i), ref right, ref Unsafe.Add(ref a0, i * ld), n, path);
        }

        return true;
    }

    /// <summary>
    /// <c>inverse &lt;- (β·A + (1-β)·u·uᵀ)⁻¹</c> given <c>inverse = A⁻¹</c> symmetric: the inverse of
    /// an exponential moving average of covariances, updated by one sample.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="inverse"><c>[n, n]</c>, row-major, any row stride, symmetric: <c>A⁻¹</c> on entry; the result is exactly symmetric.</param>
    /// <param name="u">Length n: the new sample.</param>
    /// <param name="beta">The decay β, in <c>(0, 1]</c>; β = 1 leaves the inverse unchanged.</param>
    /// <param name="workspace">Length at least n; must not overlap the other arguments.</param>
    /// <param name="denominator">The computed <c>1 + ((1-β)/β)·uᵀA⁻¹u</c>.</param>
    /// <param name="context">Path; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Runs on the calling thread only.</param>
    /// <returns><see langword="false"/> (inverse untouched) when the denominator fails the guard of
    /// <see cref="TryUpdate{T}(Span2D{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, T, Span{T}, out T, KernelContext)"/>
    /// (for a positive definite A it is at least 1, so this means A was not positive definite, or NaN).</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="inverse"/> is not square; <paramref name="u"/> does not have length n;
    /// <paramref name="workspace"/> is shorter than n; or an argument overlaps another.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta"/> is not in <c>(0, 1]</c>.</exception>
    /// <remarks>
    /// <c>(βA + (1-β)uuᵀ)⁻¹ = (1/β)(A⁻¹ - s·wwᵀ/(1 + s·uᵀw))</c> with <c>s = (1-β)/β</c>,
    /// <c>w = A⁻¹u</c>. The lower triangle is computed and mirrored, so symmetry never drifts.
    /// Cost <c>1.5n²</c> multiply-adds. Allocates nothing.
    /// </remarks>
    public static bool TryUpdateMovingAverage<T>(Span2D<T> inverse, ReadOnlySpan<T> u, T beta, Span<T> workspace, out T denominator, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.Square<T>(inverse, nameof(inverse));
        int n = inverse.Height;
        Check.Length(u, nameof(u), inverse, nameof(inverse), n);
        Check.Workspace<T>(workspace, nameof(workspace), n, "n for A⁻¹u");
        if (!(beta > T.Zero && beta <= T.One))
        {
            ThrowHelper.ThrowArgumentOutOfRange_Interval(nameof(beta), double.CreateTruncating(beta), "(0, 1]");
        }

        Check.NoOverlap(u, nameof(u), inverse, nameof(inverse));
        Check.NoOverlap<T>(workspace, nameof(workspace), inverse, nameof(inverse));
        Check.NoOverlap<T>(workspace, nameof(workspace), u, nameof(u));
        KernelPath path = (context ?? KernelContext.Default).Path;

        nint ld = StridedView.Stride(inverse);
        ref T a0 = ref inverse.DangerousGetReference();
        ref T u0 = ref MemoryMarshal.GetReference(u);
        ref T w = ref MemoryMarshal.GetReference(workspace);
        T scale = (T.One - beta) / beta;
        T uw = T.Zero, magnitude = T.Zero;
        for (int i = 0; i < n; i++)
        {
            T wi = Level1.Dot(ref Unsafe.Add(ref a0, i * ld), ref u0, n, path);
            Unsafe.Add(ref w, i) = wi;
            T term = Unsafe.Add(ref u0, i) * wi;
            uw += term;
            magnitude += T.Abs(term);
        }

        denominator = T.One + (scale * uw);
        if (!Accept(denominator, scale, magnitude))
        {
            return false;
        }

        T inverseBeta = T.One / beta;
        T factor = scale / (denominator * beta);
        for (int i = 0; i < n; i++)
        {
            ref T row = ref Unsafe.Add(ref a0, i * ld);
            Level1.Scale(inverseBeta, ref row, i + 1, path);
            Level1.Axpy(-factor * Unsafe.Add(ref w, i), ref w, ref row, i + 1, path);
        }

        FactorTranspose.MirrorLowerToUpper(ref a0, ld, n, path);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Accept<T>(T denominator, T scale, T magnitude)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T threshold = T.Sqrt(MachineEpsilon<T>()) * (T.One + (T.Abs(scale) * magnitude));
        return T.Abs(denominator) > threshold;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T MachineEpsilon<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        T.BitIncrement(T.One) - T.One;
}
