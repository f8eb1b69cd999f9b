using System.Numerics.Tensors;

namespace NgdKernel.Kernels;

// Overloads over System.Numerics.Tensors spans: viewed in place, bit-identical to the span overload.
public static partial class Trsm
{
    /// <inheritdoc cref="Solve{T}(ReadOnlySpan2D{T}, TrsmTriangle, MatrixOp, TrsmSide, Span2D{T}, KernelContext)"/>
    /// <exception cref="ArgumentException">A tensor argument is not a rank-2 row-major view (see <see cref="TensorSpan2D"/>).</exception>
    public static void Solve<T>(
        in ReadOnlyTensorSpan<T> triangle, TrsmTriangle part, MatrixOp op, TrsmSide side, in TensorSpan<T> b,
        KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Solve(triangle.AsReadOnlySpan2D(nameof(triangle)), part, op, side, b.AsSpan2D(nameof(b)), context);
}
