using System.Numerics.Tensors;

namespace NgdKernel.Kernels;

// Overloads over System.Numerics.Tensors spans: viewed in place, bit-identical to the span overloads.
public static partial class ShermanMorrison
{
    /// <inheritdoc cref="TryUpdate{T}(Span2D{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, T, Span{T}, out T, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static bool TryUpdate<T>(
        in TensorSpan<T> inverse, ReadOnlySpan<T> u, ReadOnlySpan<T> v, T scale, Span<T> workspace, out T denominator,
        KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TryUpdate(inverse.AsSpan2D(nameof(inverse)), u, v, scale, workspace, out denominator, context);

    /// <inheritdoc cref="TryUpdateMovingAverage{T}(Span2D{T}, ReadOnlySpan{T}, T, Span{T}, out T, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static bool TryUpdateMovingAverage<T>(
        in TensorSpan<T> inverse, ReadOnlySpan<T> u, T beta, Span<T> workspace, out T denominator, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TryUpdateMovingAverage(inverse.AsSpan2D(nameof(inverse)), u, beta, workspace, out denominator, context);
}
