using System.Numerics.Tensors;

namespace NgdKernel.Kernels;

// Overloads over System.Numerics.Tensors spans: viewed in place, bit-identical to the span overload.
public static partial class Syrk
{
    /// <inheritdoc cref="Multiply{T}(ReadOnlySpan2D{T}, MatrixOp, T, T, Span2D{T}, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static void Multiply<T>(
        in ReadOnlyTensorSpan<T> a, MatrixOp op, T alpha, T beta, in TensorSpan<T> c, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Multiply(a.AsReadOnlySpan2D(nameof(a)), op, alpha, beta, c.AsSpan2D(nameof(c)), context);
}
