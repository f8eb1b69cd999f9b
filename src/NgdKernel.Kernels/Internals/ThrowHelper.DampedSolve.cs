using System.Diagnostics.CodeAnalysis;

namespace NgdKernel.Kernels.Internals;

// Throws of DampedSolve.
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument_OrderTooLarge(string paramName, int order, int maxOrder) =>
        throw new ArgumentException(
            $"'{paramName}' is {order}×{order} but the fused small solve takes orders up to {maxOrder}: " +
            "use Cholesky.TryFactor and its solves above that.",
            paramName);
}
