using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels.Internals;

namespace NgdKernel.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// <see cref="Multiply{T}(ReadOnlySpan2D{T}, MatrixOp, ReadOnlySpan2D{T}, MatrixOp, T, T, Span2D{T}, KernelContext)"/> forced onto the Vector512 path, single-threaded (tests and benchmarks compare
    /// paths through these entry points). The caller must check <see cref="KernelPaths.IsSupported"/>.
    /// </summary>
    internal static void MultiplyVector512<T>(
        ReadOnlySpan2D<T> a, MatrixOp opA, ReadOnlySpan2D<T> b, MatrixOp opB, T alpha, T beta, Span2D<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.PathSupported(KernelPath.Vector512, "path");
        Validate(a, opA, b, opB, alpha, beta, c);
        GemmDriver.Run(a, opA, b, opB, alpha, beta, c, KernelPath.Vector512, KernelContext.Default, lowerTriangleOnly: false);
    }
}
