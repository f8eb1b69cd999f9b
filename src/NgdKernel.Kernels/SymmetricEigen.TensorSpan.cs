using System.Numerics.Tensors;

namespace NgdKernel.Kernels;

// Overloads over System.Numerics.Tensors spans: viewed in place (so eigenvectors may still alias a
// exactly), bit-identical to the span overloads.
public static partial class SymmetricEigen
{
    /// <inheritdoc cref="Decompose{T}(ReadOnlySpan2D{T}, Span{T}, Span2D{T}, Span{T}, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static void Decompose<T>(
        in ReadOnlyTensorSpan<T> a, Span<T> eigenvalues, in TensorSpan<T> eigenvectors, Span<T> workspace, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Decompose(a.AsReadOnlySpan2D(nameof(a)), eigenvalues, eigenvectors.AsSpan2D(nameof(eigenvectors)), workspace, context);

    /// <inheritdoc cref="PseudoInverse{T}(ReadOnlySpan2D{T}, T, Span2D{T}, Span{T}, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static int PseudoInverse<T>(
        in ReadOnlyTensorSpan<T> a, T relativeCutoff, in TensorSpan<T> destination, Span<T> workspace, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        PseudoInverse(a.AsReadOnlySpan2D(nameof(a)), relativeCutoff, destination.AsSpan2D(nameof(destination)), workspace, context);
}
