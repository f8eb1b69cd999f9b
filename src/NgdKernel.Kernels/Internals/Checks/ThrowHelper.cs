using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Every throw of the kernels assembly lives here, one method and one message per condition, so
/// kernel bodies stay small enough to inline and never contain <c>throw</c>. Messages name each
/// parameter and show actual against expected.
/// </summary>
[StackTraceHidden]
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument(string message, string paramName) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, object? actual, string message) =>
        throw new ArgumentOutOfRangeException(paramName, actual, message);

    [DoesNotReturn]
    public static void ThrowNotSupported_ElementType(Type type) =>
        throw new NotSupportedException(
            $"NgdKernel.Kernels computes in float or double only; the element type is {type.Name}. Convert the data to float or double.");

    [DoesNotReturn]
    public static void ThrowArgument_DimensionMismatch(
        string paramName, MatrixShape shape, string otherName, MatrixShape otherShape, int expected, string dimension) =>
        throw new ArgumentException(
            $"'{paramName}' is {shape} but '{otherName}' is {otherShape}: {paramName} must have {expected} {dimension}.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_DestinationShape(
        string paramName, MatrixShape shape, string leftName, MatrixShape left, string? rightName, MatrixShape right,
        MatrixShape expected) =>
        throw new ArgumentException(
            $"'{paramName}' is {shape} but '{leftName}' is {left}{(rightName is null ? "" : $" and '{rightName}' is {right}")}: " +
            $"{paramName} must be {expected.Rows}×{expected.Columns}.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_Overlap(string paramName, string otherName) =>
        throw new ArgumentException(
            $"'{paramName}' shares memory with '{otherName}': the destination must not overlap an input.",
            paramName);

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

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_NotFinite(string paramName, double value) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"'{paramName}' is {Format(value)}: it must be finite.");

    [DoesNotReturn]
    public static void ThrowArgument_ShapeMismatch(string paramName, MatrixShape shape, string otherName, MatrixShape otherShape) =>
        throw new ArgumentException(
            $"'{paramName}' is {shape} but '{otherName}' is {otherShape}: they must have the same shape.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_LengthMismatch(string paramName, int length, string otherName, MatrixShape shape, int expected) =>
        throw new ArgumentException(
            $"'{paramName}' has length {length} but '{otherName}' is {shape}: {paramName} must have length {expected}.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_SpanLengthMismatch(string paramName, int length, string otherName, int otherLength) =>
        throw new ArgumentException(
            $"'{paramName}' has length {length} but '{otherName}' has length {otherLength}: they must have the same length.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_WorkspaceTooSmall(string paramName, int length, int required, string reason) =>
        throw new ArgumentException(
            $"'{paramName}' has length {length}: it must have at least {required} ({reason}).", paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_NotFiniteNonNegative(string paramName, double value) =>
        throw new ArgumentOutOfRangeException(
            paramName, value, $"'{paramName}' is {Format(value)}: it must be finite and >= 0.");

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_Interval(string paramName, double value, string interval) =>
        throw new ArgumentOutOfRangeException(
            paramName, value, $"'{paramName}' is {Format(value)}: it must be in {interval}.");

    [DoesNotReturn]
    public static void ThrowArgument_UndefinedEnum(string paramName, int value, string enumName) =>
        throw new ArgumentOutOfRangeException(
            paramName, value, $"'{paramName}' is {value}, which is not a defined {enumName} value.");

    [DoesNotReturn]
    public static void ThrowArithmetic_NotPositiveDefinite(string paramName, int pivotIndex, double pivotValue, double damping) =>
        throw new ArithmeticException(
            $"'{paramName}' + damping·I is not positive definite: pivot {pivotIndex} is {Format(pivotValue)} after damping {Format(damping)} " +
            "(it must be > 0). Raise the damping or check the input for NaN/Inf; the matrix was overwritten.");

    [DoesNotReturn]
    public static void ThrowArgument_StateAllZero(string paramName) =>
        throw new ArgumentException(
            $"'{paramName}' is all zero, which is not a valid xoshiro256 state (the generator would output only zeros).", paramName);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
