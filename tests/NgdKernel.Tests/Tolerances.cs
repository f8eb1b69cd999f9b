using System.Numerics;

namespace NgdKernel.Tests;

/// <summary>
/// Error bounds derived from machine epsilon, problem sizes and operand magnitudes (LAPACK-style),
/// never constants tuned until a test passes. Every bound names the classical result it rests on.
/// </summary>
public static class Tolerances
{
    /// <summary>
    /// Safety factor on the worst-case GEMM bound. Higham (Accuracy and Stability of Numerical
    /// Algorithms, Sec. 3.5): a dot product of length k computed in any order (with or without FMA)
    /// satisfies <c>|fl(x·y) - x·y| ≤ γ_k |x|·|y|</c>, <c>γ_k = k·u/(1 - k·u)</c>, <c>u = eps/2</c>. Scaling by
    /// alpha, adding beta·C and rounding the reference to T each cost one more rounding, hence k + 3
    /// and a factor 2 for <c>1/(1 - k·u)</c> and <c>u</c> vs <c>eps</c> slack.
    /// </summary>
    public const double GemmFactor = 2.0;

    /// <summary>Machine epsilon of <typeparamref name="T"/> (2^-23 for float, 2^-52 for double) as a double.</summary>
    public static double Epsilon<T>()
        where T : IBinaryFloatingPointIeee754<T> => double.CreateTruncating(T.BitIncrement(T.One) - T.One);

    /// <summary>
    /// Element-wise bound for <c>C = alpha op(A) op(B) + beta C</c>:
    /// <c>|C_ij - C_ref,ij| ≤ GemmFactor·(k + 3)·eps·M_ij</c> where
    /// <c>M_ij = |alpha|·(|op(A)||op(B)|)_ij + |beta|·|C_old,ij|</c> (the magnitude the rounding errors scale with).
    /// </summary>
    /// <param name="k">Inner dimension.</param>
    /// <param name="magnitude"><c>M_ij</c> as above, computed in double by the reference.</param>
    public static double GemmElement<T>(int k, double magnitude)
        where T : IBinaryFloatingPointIeee754<T> => GemmFactor * (k + 3) * Epsilon<T>() * magnitude;
}
