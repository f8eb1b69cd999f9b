namespace NgdKernel.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// <see cref="Multiply{T}(ReadOnlySpan2D{T}, MatrixOp, ReadOnlySpan2D{T}, MatrixOp, T, T, Span2D{T}, KernelContext)"/> forced onto <paramref name="path"/>, single-threaded (tests and
    /// benchmarks compare paths through this entry point).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not supported by this machine.</exception>
    internal static void MultiplyOnPath<T>(
        ReadOnlySpan2D<T> a, MatrixOp opA, ReadOnlySpan2D<T> b, MatrixOp opB, T alpha, T beta, Span2D<T> c, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.PathSupported(path, nameof(path));
        Validate(a, opA, b, opB, alpha, beta, c);
        GemmDriver.Run(a, opA, b, opB, alpha, beta, c, path, KernelContext.Default, lowerTriangleOnly: false);
    }
}
