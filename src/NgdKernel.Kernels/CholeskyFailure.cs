namespace NgdKernel.Kernels;

/// <summary>
/// Why <see cref="Cholesky.TryFactor{T}(CommunityToolkit.HighPerformance.Span2D{T}, T, out CholeskyFailure, KernelContext)"/>
/// stopped: the first pivot that was not positive (LAPACK's <c>INFO &gt; 0</c>, zero-based here).
/// </summary>
/// <param name="PivotIndex">
/// Zero-based index <c>j</c> of the failing pivot: the leading <c>j×j</c> block of
/// <c>A + damping·I</c> is positive definite, the leading <c>(j+1)×(j+1)</c> block is not.
/// </param>
/// <param name="PivotValue">
/// The pivot after damping, <c>a[j,j] + damping - sum_k l[j,k]^2</c>, widened to double:
/// zero, negative, NaN or +Infinity (NaN or infinite input reaches some pivot as NaN or ±Infinity).
/// </param>
public readonly record struct CholeskyFailure(int PivotIndex, double PivotValue);
