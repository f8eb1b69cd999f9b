using System.Diagnostics.CodeAnalysis;

namespace NgdKernel.Kernels.Internals;

/// <summary>Throws for shape, view and option checks (<see cref="Check"/>) and for GEMM/SYRK.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument_DimensionMismatch(
        string paramName, MatrixShape shape, string otherName, MatrixShape otherShape, int expected, string dimension) =>
        throw new ArgumentException(
            $"'{paramName}' is {shape} but '{otherName}' is {otherShape}: {paramName} must have {expected} {dimension}.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_DestinationShape(
        string paramName, MatrixShape shape, string leftName, MatrixShape left, string rightName, MatrixShape right,
        MatrixShape expected) =>
        throw new ArgumentException(
            $"'{paramName}' is {shape} but '{leftName}' is {left} and '{rightName}' is {right}: " +
            $"{paramName} must be {expected.Rows}×{expected.Columns}.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_DestinationShape(
        string paramName, MatrixShape shape, string sourceName, MatrixShape source, MatrixShape expected) =>
        throw new ArgumentException(
            $"'{paramName}' is {shape} but '{sourceName}' is {source}: " +
            $"{paramName} must be {expected.Rows}×{expected.Columns}.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_Overlap(string paramName, string otherName) =>
        throw new ArgumentException(
            $"'{paramName}' shares memory with '{otherName}': the destination must not overlap an input.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_NotFinite(string paramName, double value) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"'{paramName}' is {value}: it must be finite.");

    [DoesNotReturn]
    public static void ThrowArgument_NotSquare(string paramName, MatrixShape shape) =>
        throw new ArgumentException($"'{paramName}' is {shape}: it must be square.", paramName);

    [DoesNotReturn]
    public static void ThrowArgument_PathNotSupported(string paramName, KernelPath path) =>
        throw new ArgumentException(
            $"'{paramName}' is {path}, which this machine does not support (widest supported: {KernelPaths.Widest}).",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_ThreadCount(string paramName, int value, int maximum) =>
        throw new ArgumentOutOfRangeException(
            paramName, value, $"'{paramName}' is {value}: it must be between 1 and {maximum}.");

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_Negative(string paramName, int value) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"'{paramName}' is {value}: it must not be negative.");

    [DoesNotReturn]
    public static void ThrowArgument_TooLarge(string paramName, long value) =>
        throw new ArgumentException($"'{paramName}' would hold {value} elements, more than an array can.", paramName);

    [DoesNotReturn]
    public static void ThrowObjectDisposed(object instance) =>
        throw new ObjectDisposedException(instance.GetType().FullName);
}
