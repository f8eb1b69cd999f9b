using System.Diagnostics.CodeAnalysis;

namespace NgdKernel;

/// <summary>
/// The element types the library computes in: <see cref="float"/> and <see cref="double"/>. The
/// generic constraint <c>IBinaryFloatingPointIeee754&lt;T&gt;</c> also admits <see cref="Half"/>,
/// <c>NFloat</c> and others that the kernels have no SIMD path for, so constructors check once
/// here, before anything is allocated, rather than fail inside the first step.
/// </summary>
internal static class SupportedElementType
{
    /// <summary>Throws a <see cref="NotSupportedException"/> naming <paramref name="owner"/> and T unless T is float or double.</summary>
    public static void ThrowIfUnsupported<T>(string owner)
    {
        // Both tests are JIT-time constants for a value-type T: the check costs nothing.
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            Throw(owner, typeof(T));
        }
    }

    [DoesNotReturn]
    private static void Throw(string owner, Type type) =>
        throw new NotSupportedException(
            $"{owner}<{type.Name}> is not supported: the element type must be float (System.Single) or double (System.Double), " +
            $"the two types the kernels compute in; convert {type.FullName} data to one of them.");
}
