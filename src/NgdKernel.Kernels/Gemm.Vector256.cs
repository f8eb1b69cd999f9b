using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels.Internals;

namespace NgdKernel.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// <see cref="Multiply{T}(ReadOnlySpan2D{T}, MatrixOp, ReadOnlySpan2D{T}, MatrixOp, T, T, Span2D{T}, KernelContext)"/> forced onto the Vector256 path, single-threaded (tests and benchmarks compare
    /// paths through these entry points). The caller must check <see cref="KernelPaths.IsSupported"/>.
    /// </summary>
    internal static void MultiplyVector256<T>(
        ReadOnlySpan2D<T> a, MatrixOp opA, ReadOnlySpan2D<T> b, MatrixOp opB, T alpha, T beta, Span2D<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.PathSupported(KernelPath.Vector256, "path");
        Validate(a, opA, b, opB, alpha, beta, c);
        GemmDriver.Run(a, opA, b, opB, alpha, beta, c, KernelPath.Vector256, KernelContext.Default, lowerTriangleOnly: false);
    }
}
