using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Every throw of the kernels assembly lives here (split into partial files per operation), so
/// kernel bodies stay small enough to inline and never contain <c>throw</c>.
/// </summary>
[StackTraceHidden]
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument(string message, string paramName) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, object? actual, string message) =>
        throw new ArgumentOutOfRangeException(paramName, actual, message);
}
