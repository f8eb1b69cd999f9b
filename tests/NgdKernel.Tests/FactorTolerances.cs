using System.Numerics;

namespace NgdKernel.Tests;

/// <summary>
/// Residual ratios of the factorization family, LAPACK-style (TESTING/LIN dpot01, dpot03):
/// each is O(1) for a backward-stable algorithm, and the bound 30 is LAPACK's THRESH.
/// </summary>
internal static class FactorTolerances
{
    /// <summary>LAPACK's test threshold for residual ratios.</summary>
    public const double Threshold = 30;

    /// <summary>Machine epsilon of T (the gap from 1 to the next number).</summary>
    public static double Epsilon<T>()
        where T : IBinaryFloatingPointIeee754<T> =>
        double.CreateTruncating(T.BitIncrement(T.One) - T.One);

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
