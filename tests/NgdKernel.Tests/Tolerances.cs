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

    /// <summary>
    /// LAPACK's test threshold for the residual ratios of the factorization family (TESTING/LIN
    /// dpot01, dpot03): each ratio is O(1) for a backward-stable algorithm.
    /// </summary>
    public const double FactorThreshold = 30;

    /// <summary>dpot01: <c>‖L·Lᵀ - A‖₁ / (n·‖A‖₁·eps)</c>.</summary>
    public static double CholeskyRatio(double residualNorm, int n, double normA, double eps) =>
        residualNorm == 0 ? 0 : residualNorm / (Math.Max(n, 1) * Math.Max(normA, double.Epsilon) * eps);

    /// <summary>dpot03: <c>‖I - A·A⁻¹‖₁ / (n·‖A‖₁·‖A⁻¹‖₁·eps)</c>.</summary>
    public static double InverseRatio(double residualNorm, int n, double normA, double normInverse, double eps) =>
        residualNorm == 0 ? 0 : residualNorm / (Math.Max(n, 1) * Math.Max(normA * normInverse, double.Epsilon) * eps);

    /// <summary>
    /// Solve error bound for <c>X = A⁻¹B</c> computed by a backward-stable method:
    /// forward error <c>‖X - X_ref‖ / ‖X_ref‖ ≤ c·n·κ(A)·eps</c> (dpot02/dget04's ratio).
    /// </summary>
    public static double SolveRatio(double errorNorm, double referenceNorm, int n, double condition, double eps) =>
        errorNorm == 0 ? 0 : errorNorm / (Math.Max(n, 1) * Math.Max(condition, 1) * Math.Max(referenceNorm, double.Epsilon) * eps);
}
