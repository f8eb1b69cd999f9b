using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NgdKernel.Kernels.Internals;

// Throws of the factorization family: Cholesky, Trsm, ShermanMorrison, SymmetricEigen,
// VectorMath, Xoshiro256.
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument_NotSquare(string paramName, int rows, int columns) =>
        throw new ArgumentException(
            $"'{paramName}' is {rows}×{columns} but must be square.", paramName);

    [DoesNotReturn]
    public static void ThrowArgument_RowsMismatch(
        string paramName, int rows, int columns, string otherName, int otherRows, int otherColumns, int expected) =>
        throw new ArgumentException(
            $"'{paramName}' is {rows}×{columns} but '{otherName}' is {otherRows}×{otherColumns}: {paramName} must have {expected} rows.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_ColumnsMismatch(
        string paramName, int rows, int columns, string otherName, int otherRows, int otherColumns, int expected) =>
        throw new ArgumentException(
            $"'{paramName}' is {rows}×{columns} but '{otherName}' is {otherRows}×{otherColumns}: {paramName} must have {expected} columns.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_ShapeMismatch(
        string paramName, int rows, int columns, string otherName, int otherRows, int otherColumns) =>
        throw new ArgumentException(
            $"'{paramName}' is {rows}×{columns} but '{otherName}' is {otherRows}×{otherColumns}: they must have the same shape.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_LengthMismatch(string paramName, int length, string otherName, int rows, int columns, int expected) =>
        throw new ArgumentException(
            $"'{paramName}' has length {length} but '{otherName}' is {rows}×{columns}: {paramName} must have length {expected}.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_SpanLengthMismatch(string paramName, int length, string otherName, int otherLength) =>
        throw new ArgumentException(
            $"'{paramName}' has length {length} but '{otherName}' has length {otherLength}: they must have the same length.",
            paramName);

    [DoesNotReturn]
    public static void ThrowArgument_WorkspaceTooSmall(string paramName, int length, int required, string reason) =>
        throw new ArgumentException(
            $"'{paramName}' has length {length} but must have at least {required} ({reason}).", paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_NotFiniteNonNegative(string paramName, double value) =>
        throw new ArgumentOutOfRangeException(
            paramName, value, $"'{paramName}' is {Format(value)} but must be finite and >= 0.");

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_NotFinite(string paramName, double value) =>
        throw new ArgumentOutOfRangeException(
            paramName, value, $"'{paramName}' is {Format(value)} but must be finite.");

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_Interval(string paramName, double value, string interval) =>
        throw new ArgumentOutOfRangeException(
            paramName, value, $"'{paramName}' is {Format(value)} but must be in {interval}.");

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
