using R = NgdKernel.Tests.Reference.ReferenceCholesky;

namespace NgdKernel.Tests.Kernels;

public class ShermanMorrisonTests
{
    // Against a fresh inverse of the updated matrix: ‖X - X_ref‖₁ / ‖X_ref‖₁ ≤ c·κ·n·eps with
    // c = 30 (LAPACK's threshold). κ is the largest of κ₁(A), κ₁(A + s·u·vᵀ) and
    // (1 + |s|·|v|ᵀ|A⁻¹||u|) / |d|: the input A⁻¹ carries an error of order κ(A)·eps (it is itself a
    // computed inverse), the output is as sensitive as the inverse of the updated matrix, and the
    // computed denominator d = 1 + s·vᵀA⁻¹u has an absolute error of order n·eps·(1 + |s|·|v|ᵀ|A⁻¹||u|)
    // which the update divides by d. Gaussian u and v put d near zero now and then (a near-singular
    // update); the kernel then refuses, and a refusal is checked against the kernel's documented guard
    // |d| ≤ sqrt(eps)·(1 + |s|·Σ|v_i (A⁻¹u)_i|) evaluated in double, widened by that same rounding.
    [Theory, Combinations]
    public void ShermanMorrison_Update_MatchesFreshInverse(KernelPath path, Precision precision) =>
        FactorCases.Check(path, precision, FactorCases.Cases(150, precision.Pick(2, 4)), Update<float>, Update<double>, 15);

    private static bool Update<T>(FactorCase c, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (c.N == 0)
        {
            return true;
        }

        var random = new Random(c.Seed);
        double[,] a = SpdGenerators.Spd(c.N, Math.Pow(10, c.Log10Condition), random);
        double[] u = [.. Enumerable.Range(0, c.N).Select(_ => SpdGenerators.Gaussian(random))];
        double[] v = [.. Enumerable.Range(0, c.N).Select(_ => SpdGenerators.Gaussian(random))];
        double scale = double.CreateTruncating(T.CreateTruncating(0.3));
        double[,] inverse = FactorGuardedMatrix<T>.Rounded(R.Inverse(a));
        var view = new FactorGuardedMatrix<T>(inverse, c.Pitch, c.Offset);
        T[] ut = [.. u.Select(T.CreateTruncating)];
        T[] vt = [.. v.Select(T.CreateTruncating)];
        var workspace = new T[(2 * c.N) + 1];

        double[,] updated = (double[,])a.Clone();
        for (int i = 0; i < c.N; i++)
        {
            for (int j = 0; j < c.N; j++)
            {
                updated[i, j] += scale * double.CreateTruncating(ut[i]) * double.CreateTruncating(vt[j]);
            }
        }

        double[,] expected = R.Inverse(updated);
        double eps = Tolerances.Epsilon<T>();
        double[] ud = [.. ut.Select(double.CreateTruncating)];
        double[] vd = [.. vt.Select(double.CreateTruncating)];
        double[] inverseU = MatrixVector(inverse, ud, absolute: false);
        double exactDenominator = 1 + (scale * Dot(vd, inverseU, absolute: false));
        double magnitude = Dot(vd, inverseU, absolute: true);
        double termScale = 1 + (scale * Dot(vd, MatrixVector(inverse, ud, absolute: true), absolute: true));
        double rounding = 2 * (c.N + 2) * eps * termScale;
        bool ok = ShermanMorrison.TryUpdate(view.Span, ut, vt, T.CreateTruncating(scale), workspace, out T denominator, new KernelContext(1, path));
        view.AssertGuardsIntact();
        if (!ok)
        {
            // Refused: the exact denominator must fail the documented guard, up to rounding.
            double guard = (Math.Sqrt(eps) * (1 + (scale * magnitude))) + rounding;
            Assert.True(
                Math.Abs(exactDenominator) <= guard,
                $"{c} {path}: refused with denominator {denominator} (exact {exactDenominator:E3}) above the guard {guard:E3}");
            Assert.Equal(inverse, view.ToDouble());
            return true;
        }

        double kappa = Math.Max(
            Math.Max(R.Norm1(updated) * R.Norm1(expected), R.Norm1(a) * R.Norm1(inverse)),
            termScale / Math.Abs(exactDenominator));
        double error = R.Norm1(R.Subtract(view.ToDouble(), expected)) / R.Norm1(expected);
        double bound = Tolerances.FactorThreshold * kappa * c.N * eps;
        Assert.True(error <= bound, $"{c} {path}: error {error} > {bound} (κ {kappa:E2}, d {exactDenominator:E2})");
        return true;
    }

    private static double[] MatrixVector(double[,] m, double[] x, bool absolute)
    {
        double[] y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = 0; j < x.Length; j++)
            {
                y[i] += absolute ? Math.Abs(m[i, j] * x[j]) : m[i, j] * x[j];
            }
        }

        return y;
    }

    private static double Dot(double[] x, double[] y, bool absolute)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += absolute ? Math.Abs(x[i] * y[i]) : x[i] * y[i];
        }

        return sum;
    }

    [Theory, Combinations]
    public void ShermanMorrison_MovingAverage_MatchesFreshInverse_AndIsSymmetric(KernelPath path) =>
        FactorCases.Check(FactorCases.Cases(150, 4), c => MovingAverage<double>(c, path) && MovingAverage<float>(c with { Log10Condition = c.Log10Condition / 2 }, path), 15);

    private static bool MovingAverage<T>(FactorCase c, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(c.Seed);
        double[,] a = SpdGenerators.Spd(c.N, Math.Pow(10, c.Log10Condition), random);
        T[] u = [.. Enumerable.Range(0, c.N).Select(_ => T.CreateTruncating(SpdGenerators.Gaussian(random)))];
        double beta = 0.9;
        var view = new FactorGuardedMatrix<T>(R.Inverse(a), c.Pitch, c.Offset);
        var workspace = new T[c.N];
        Assert.True(ShermanMorrison.TryUpdateMovingAverage(view.Span, u, T.CreateTruncating(beta), workspace, out T denominator, new KernelContext(1, path)));
        Assert.True(denominator >= T.One);
        view.AssertGuardsIntact();

        double b = double.CreateTruncating(T.CreateTruncating(beta));
        double[,] updated = new double[c.N, c.N];
        for (int i = 0; i < c.N; i++)
        {
            for (int j = 0; j < c.N; j++)
            {
                updated[i, j] = (b * a[i, j]) + ((1 - b) * double.CreateTruncating(u[i]) * double.CreateTruncating(u[j]));
            }
        }

        double[,] expected = R.Inverse(updated);
        double[,] actual = view.ToDouble();
        for (int i = 0; i < c.N; i++)
        {
            for (int j = 0; j < i; j++)
            {
                Assert.Equal(actual[i, j], actual[j, i]);
            }
        }

        double kappa = Math.Max(R.Norm1(updated) * R.Norm1(expected), R.Norm1(a) * R.Norm1(R.Inverse(a)));
        double error = c.N == 0 ? 0 : R.Norm1(R.Subtract(actual, expected)) / R.Norm1(expected);
        double bound = Tolerances.FactorThreshold * kappa * Math.Max(c.N, 1) * Tolerances.Epsilon<T>();
        Assert.True(error <= bound, $"{c} {path}: error {error} > {bound}");
        return true;
    }

    [Theory, Combinations]
    public void ShermanMorrison_SingularUpdate_IsRefusedAndLeavesInverseUntouched(KernelPath path)
    {
        // A = I, u = e0, v = e0, s = -1: A + s u vᵀ has a zero in (0,0), denominator exactly 0.
        const int N = 9;
        var inverse = new FactorGuardedMatrix<double>(R.Identity(N), 2, 1);
        double[] e0 = new double[N];
        e0[0] = 1;
        var workspace = new double[2 * N];
        Assert.False(ShermanMorrison.TryUpdate(inverse.Span, e0, e0, -1.0, workspace, out double denominator, new KernelContext(1, path)));
        Assert.Equal(0.0, denominator);
        Assert.Equal(R.Identity(N), inverse.ToDouble());

        // Nearly singular: denominator 1e-12 relative to terms of size 1.
        Assert.False(ShermanMorrison.TryUpdate(inverse.Span, e0, e0, -1.0 + 1e-12, workspace, out denominator, new KernelContext(1, path)));
        Assert.Equal(1e-12, denominator, 1e-15);

        // The guard's edge: with A = I and u = v = e0 the terms sum to 1, so the guard is
        // sqrt(eps)·(1 + |s|) ≈ 2·sqrt(eps); a denominator at twice that is accepted, at half refused.
        double root = Math.Sqrt(ShermanMorrison.MachineEpsilon<double>());
        Assert.True(ShermanMorrison.TryUpdate(new FactorGuardedMatrix<double>(R.Identity(N), 0, 0).Span, e0, e0, -1.0 + (4 * root), workspace, out denominator, new KernelContext(1, path)));
        Assert.False(ShermanMorrison.TryUpdate(inverse.Span, e0, e0, -1.0 + root, workspace, out denominator, new KernelContext(1, path)));
        Assert.Equal(R.Identity(N), inverse.ToDouble());

        // NaN in u is refused too.
        double[] bad = new double[N];
        bad[3] = double.NaN;
        Assert.False(ShermanMorrison.TryUpdate(inverse.Span, bad, e0, 1.0, workspace, out denominator, new KernelContext(1, path)));
        Assert.True(double.IsNaN(denominator));
        Assert.Equal(R.Identity(N), inverse.ToDouble());

        // Moving average of a matrix that is not positive definite: A = diag(-1, 1), u = e0, β = 0.5 → 0.5·(-1) + 0.5 = 0.
        var indefinite = new FactorGuardedMatrix<double>(new double[,] { { -1, 0 }, { 0, 1 } }, 0, 0);
        Assert.False(ShermanMorrison.TryUpdateMovingAverage(indefinite.Span, [1.0, 0.0], 0.5, new double[2], out denominator, new KernelContext(1, path)));
        Assert.Equal(0.0, denominator);
    }

    [Fact]
    public void ShermanMorrison_ThrowsFor_ShapesWorkspaceScalarsAndOverlap()
    {
        var inverse = new double[4, 4];
        var ex = Assert.Throws<ArgumentException>(() => ShermanMorrison.TryUpdate(new Span2D<double>(inverse), new double[3], new double[4], 1.0, new double[8], out _));
        Assert.Equal("u", ex.ParamName);
        Assert.Contains("length 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4×4", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => ShermanMorrison.TryUpdate(new Span2D<double>(inverse), new double[4], new double[5], 1.0, new double[8], out _));
        Assert.Equal("v", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => ShermanMorrison.TryUpdate(new Span2D<double>(inverse), new double[4], new double[4], 1.0, new double[7], out _));
        Assert.Equal("workspace", ex.ParamName);
        Assert.Contains("at least 8", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ShermanMorrison.TryUpdate(new Span2D<double>(inverse), new double[4], new double[4], double.NaN, new double[8], out _));
        ex = Assert.Throws<ArgumentException>(() => ShermanMorrison.TryUpdate(new Span2D<double>(new double[3, 4]), new double[3], new double[3], 1.0, new double[8], out _));
        Assert.Equal("inverse", ex.ParamName);

        var shared = new double[12];
        ex = Assert.Throws<ArgumentException>(() => ShermanMorrison.TryUpdate(new Span2D<double>(inverse), shared.AsSpan(0, 4), new double[4], 1.0, shared.AsSpan(2, 8), out _));
        Assert.Equal("workspace", ex.ParamName);
        var flat = new double[20];
        ex = Assert.Throws<ArgumentException>(() => ShermanMorrison.TryUpdate(new Span2D<double>(flat, 0, 4, 4, 0), flat.AsSpan(12, 4), new double[4], 1.0, new double[8], out _));
        Assert.Equal("u", ex.ParamName);

        foreach (double beta in new[] { 0.0, -0.1, 1.5, double.NaN })
        {
            var bex = Assert.Throws<ArgumentOutOfRangeException>(() => ShermanMorrison.TryUpdateMovingAverage(new Span2D<double>(inverse), new double[4], beta, new double[4], out _));
            Assert.Equal("beta", bex.ParamName);
        }

        Assert.Throws<ArgumentException>(() => ShermanMorrison.TryUpdateMovingAverage(new Span2D<double>(inverse), new double[4], 0.5, new double[3], out _));
    }

    [Fact]
    public void ShermanMorrison_AllocatesNothingAfterWarmUp()
    {
        const int N = 40;
        var inverse = new FactorGuardedMatrix<double>(R.Identity(N), 0, 0);
        var single = new FactorGuardedMatrix<float>(R.Identity(N), 0, 0);
        double[] u = [.. Enumerable.Range(0, N).Select(i => 0.01 * i)];
        float[] uf = [.. u.Select(x => (float)x)];
        var workspace = new double[2 * N];
        var workspaceF = new float[2 * N];
        void Run()
        {
            ShermanMorrison.TryUpdate(inverse.Span, u, u, 0.5, workspace, out _);
            ShermanMorrison.TryUpdateMovingAverage(inverse.Span, u, 0.9, workspace, out _);
            ShermanMorrison.TryUpdateMovingAverage(single.Span, uf, 0.9f, workspaceF, out _);
        }

        Run();
        Assert.Equal(0, Allocations.Measure(Run));
    }
}
