using FsCheck;
using FsCheck.Fluent;

namespace NgdKernel.Tests.Generators;

/// <summary>
/// One GEMM problem <c>C[M,N] = Alpha op(A)[M,K] op(B)[K,N] + Beta C</c>, with the layout of each operand as
/// stored (A is [K,M] when transposed, B is [N,K] when transposed).
/// </summary>
public sealed record GemmCase(
    int M, int N, int K, MatrixOp OpA, MatrixOp OpB, double Alpha, double Beta, ViewLayout A, ViewLayout B, ViewLayout C)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{M}x{N}x{K} {OpA}/{OpB} alpha={Alpha} beta={Beta} A={A} B={B} C={C}";
}

/// <summary>
/// One SYRK problem <c>C[N,N] = Alpha op(A) op(A)^T + Beta C</c>, op(A) [N,K] (A is [K,N] when transposed).
/// </summary>
public sealed record SyrkCase(int N, int K, MatrixOp Op, double Alpha, double Beta, ViewLayout A, ViewLayout C)
{
    /// <inheritdoc/>
    public override string ToString() => $"{N}x{K} {Op} alpha={Alpha} beta={Beta} A={A} C={C}";
}

/// <summary>Generators of BLAS-3 problems on guarded strided views, for any kernel that multiplies.</summary>
public static class GemmCases
{
    /// <summary>Bound on M·N·K, so that the double-precision reference loops stay fast (~ms per case).</summary>
    public const long MaxWork = 1_500_000;

    /// <summary>Alpha values: 0 and 1 (BLAS special cases) as often as general values.</summary>
    public static Gen<double> Alpha { get; } = Gen.Elements(0.0, 1.0, 1.0, -1.0, 0.5, -2.25, 0.1);

    /// <summary>Beta values: 0 (C not read) and 1 (accumulate) as often as general values.</summary>
    public static Gen<double> Beta { get; } = Gen.Elements(0.0, 0.0, 1.0, 1.0, -1.0, 0.75, 3.0);

    /// <summary>Either op.</summary>
    public static Gen<MatrixOp> Op { get; } = Gen.Elements(MatrixOp.None, MatrixOp.Transpose);

    /// <summary>GEMM problems of every op combination, with special and random sizes.</summary>
    public static Gen<GemmCase> Gemm(long maxWork = MaxWork) =>
        (from m in Sizes.NonNegative()
         from n in Sizes.MostlySmall()
         from k in Sizes.Depth()
         select (m, n, k))
        .Where(s => (long)s.m * s.n * s.k <= maxWork)
        .SelectMany(s =>
            from opA in Op
            from opB in Op
            from alpha in Alpha
            from beta in Beta
            from a in opA == MatrixOp.None ? ViewLayout.For(s.m, s.k) : ViewLayout.For(s.k, s.m)
            from b in opB == MatrixOp.None ? ViewLayout.For(s.k, s.n) : ViewLayout.For(s.n, s.k)
            from c in ViewLayout.For(s.m, s.n)
            select new GemmCase(s.m, s.n, s.k, opA, opB, alpha, beta, a, b, c));

    /// <summary>SYRK problems for both ops.</summary>
    public static Gen<SyrkCase> Syrk(long maxWork = MaxWork) =>
        (from n in Sizes.NonNegative()
         from k in Sizes.Depth()
         select (n, k))
        .Where(s => (long)s.n * s.n * s.k <= maxWork)
        .SelectMany(s =>
            from op in Op
            from alpha in Alpha
            from beta in Beta
            from a in op == MatrixOp.None ? ViewLayout.For(s.n, s.k) : ViewLayout.For(s.k, s.n)
            from c in ViewLayout.For(s.n, s.n)
            select new SyrkCase(s.n, s.k, op, alpha, beta, a, c));
}
