namespace NgdKernel.Tests.Reference;

/// <summary>
/// Textbook GEMM for tests: <c>C = alpha op(A) op(B) + beta C</c> by the triple loop
/// <c>C_ij = alpha Σ_p op(A)_ip op(B)_pj + beta C_ij</c>, accumulated in double, no SIMD, no blocking.
/// </summary>
public static class ReferenceGemm
{
    /// <summary>Element (i, j) of op(X).</summary>
    public static double At<T>(ReadOnlySpan2D<T> x, MatrixOp op, int i, int j)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        double.CreateTruncating(op == MatrixOp.None ? x[i, j] : x[j, i]);

    /// <summary>
    /// Returns the exact-as-double result and the magnitude <c>|alpha| (|op(A)||op(B)|)_ij + |beta| |C_ij|</c>
    /// that <see cref="Tolerances.GemmElement{T}"/> scales with. <paramref name="c"/> is the old C (only read
    /// when beta ≠ 0, as the kernel's contract says).
    /// </summary>
    public static (double[,] Result, double[,] Magnitude) Multiply<T>(
        ReadOnlySpan2D<T> a, MatrixOp opA, ReadOnlySpan2D<T> b, MatrixOp opB, T alpha, T beta, ReadOnlySpan2D<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int m = c.Height, n = c.Width;
        int k = opA == MatrixOp.None ? a.Width : a.Height;
        double al = double.CreateTruncating(alpha), be = double.CreateTruncating(beta);
        var result = new double[m, n];
        var magnitude = new double[m, n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = At(a, opA, i, p), y = At(b, opB, p, j);
                    sum += x * y;
                    abs += Math.Abs(x * y);
                }

                double old = be == 0 ? 0 : double.CreateTruncating(c[i, j]);
                result[i, j] = (al * sum) + (be * old);
                magnitude[i, j] = (Math.Abs(al) * abs) + Math.Abs(be * old);
            }
        }

        return (result, magnitude);
    }

    /// <summary>
    /// Reference SYRK <c>C = alpha op(A) op(A)^T + beta C</c> as the GEMM with B = A and the opposite op;
    /// the old C is read from its lower triangle only (the kernel's contract).
    /// </summary>
    public static (double[,] Result, double[,] Magnitude) Syrk<T>(
        ReadOnlySpan2D<T> a, MatrixOp op, T alpha, T beta, ReadOnlySpan2D<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[,] lower = c.ToArray();
        for (int i = 0; i < lower.GetLength(0); i++)
        {
            for (int j = i + 1; j < lower.GetLength(1); j++)
            {
                lower[i, j] = lower[j, i];
            }
        }

        MatrixOp opB = op == MatrixOp.None ? MatrixOp.Transpose : MatrixOp.None;
        return Multiply(a, op, a, opB, alpha, beta, lower);
    }
}
