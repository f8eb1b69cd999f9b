using System.Numerics.Tensors;

namespace NgdKernel.Kernels;

// Overloads over System.Numerics.Tensors spans: each argument is viewed in place as the matrix
// view the span overload takes (no copy, no allocation), so results are bit-identical to it.
public static partial class Gemm
{
    /// <inheritdoc cref="Multiply{T}(ReadOnlySpan2D{T}, MatrixOp, ReadOnlySpan2D{T}, MatrixOp, T, T, Span2D{T}, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static void Multiply<T>(
        in ReadOnlyTensorSpan<T> a, MatrixOp opA, in ReadOnlyTensorSpan<T> b, MatrixOp opB, T alpha, T beta, in TensorSpan<T> c,
        KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Multiply(a.AsReadOnlySpan2D(nameof(a)), opA, b.AsReadOnlySpan2D(nameof(b)), opB, alpha, beta, c.AsSpan2D(nameof(c)), context);
}
