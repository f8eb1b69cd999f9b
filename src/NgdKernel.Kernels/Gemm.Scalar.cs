using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels.Internals;

namespace NgdKernel.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// <see cref="Multiply{T}(ReadOnlySpan2D{T}, MatrixOp, ReadOnlySpan2D{T}, MatrixOp, T, T, Span2D{T}, KernelContext)"/> forced onto the Scalar path, single-threaded (tests and benchmarks compare
    /// paths through these entry points). The caller must check <see cref="KernelPaths.IsSupported"/>.
    /// </summary>
    internal static void MultiplyScalar<T>(
        ReadOnlySpan2D<T> a, MatrixOp opA, ReadOnlySpan2D<T> b, MatrixOp opB, T alpha, T beta, Span2D<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.PathSupported(KernelPath.Scalar, "path");
        Validate(a, opA, b, opB, alpha, beta, c);
        GemmDriver.Run(a, opA, b, opB, alpha, beta, c, KernelPath.Scalar, KernelContext.Default, lowerTriangleOnly: false);
    }
}
