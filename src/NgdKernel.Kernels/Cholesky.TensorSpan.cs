using System.Numerics.Tensors;

namespace NgdKernel.Kernels;

// Overloads over System.Numerics.Tensors spans: viewed in place, bit-identical to the span overloads.
public static partial class Cholesky
{
    /// <inheritdoc cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static bool TryFactor<T>(in TensorSpan<T> a, T damping, out CholeskyFailure failure, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TryFactor(a.AsSpan2D(nameof(a)), damping, out failure, context);

    /// <inheritdoc cref="Factor{T}(Span2D{T}, T, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static void Factor<T>(in TensorSpan<T> a, T damping, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Factor(a.AsSpan2D(nameof(a)), damping, context);

    /// <inheritdoc cref="SolveLeft{T}(ReadOnlySpan2D{T}, Span2D{T}, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static void SolveLeft<T>(in ReadOnlyTensorSpan<T> factor, in TensorSpan<T> b, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SolveLeft(factor.AsReadOnlySpan2D(nameof(factor)), b.AsSpan2D(nameof(b)), context);

    /// <inheritdoc cref="SolveRight{T}(ReadOnlySpan2D{T}, Span2D{T}, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static void SolveRight<T>(in ReadOnlyTensorSpan<T> factor, in TensorSpan<T> b, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SolveRight(factor.AsReadOnlySpan2D(nameof(factor)), b.AsSpan2D(nameof(b)), context);

    /// <inheritdoc cref="Invert{T}(Span2D{T}, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static void Invert<T>(in TensorSpan<T> factor, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Invert(factor.AsSpan2D(nameof(factor)), context);
}
