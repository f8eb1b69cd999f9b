using NgdKernel.LinearAlgebra;

namespace NgdKernel.Tests.Optimizers;

/// <summary>Eq. 20 from packed covariances computed elsewhere (the data-parallel owners' entry point).</summary>
public class PrecomputedCurvatureTests
{
    [Theory]
    [InlineData(1, 1, 3)]
    [InlineData(3, 5, 17)]
    [InlineData(7, 49, 60)] // input side solved through the transpose (width > 48)
    [InlineData(16, 9, 4)] // fewer examples than inputs: damping keeps it definite
    public void PrecomputedCurvature_SameCovariances_SameBitsAsOptimizerLayer(int outputs, int inputs, int examples)
    {
        Check<double>(outputs, inputs, examples);
        Check<float>(outputs, inputs, examples);

        static void Check<T>(int outputs, int inputs, int examples)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            var rng = new Xoshiro256((ulong)((outputs * 1000) + inputs));
            Matrix<T> x = Random<T>(ref rng, examples, inputs);
            Matrix<T> e = Random<T>(ref rng, 2 * examples, outputs);
            Matrix<T> g = Random<T>(ref rng, outputs, inputs);
            T damping = T.CreateChecked(Math.Sqrt(0.3));
            var context = new KernelContext(1);

            var layer = new LayerCurvature<T>(outputs, inputs, CurvatureInverse.Cholesky);
            Assert.True(layer.CholeskyDirection(x.ReadOnlySpan, e.ReadOnlySpan, g.ReadOnlySpan, damping, damping, SampleSpacePolicy.Never, context,
                out _));

            // The same covariances (the optimizer's SYRK with its 1/m), packed, with unit scale.
            var solver = new PrecomputedCurvature<T>(outputs, inputs);
            var packedInputs = new T[PrecomputedCurvature<T>.PackedLength(inputs)];
            var packedErrors = new T[PrecomputedCurvature<T>.PackedLength(outputs)];
            PrecomputedCurvature<T>.PackLower(layer.InputCovariance.ReadOnlySpan, packedInputs);
            PrecomputedCurvature<T>.PackLower(layer.ErrorCovariance.ReadOnlySpan, packedErrors);
            Assert.True(solver.TrySolve(packedInputs, T.One, packedErrors, T.One, g.ReadOnlySpan, 0.3, context, out _, out _));
            for (int i = 0; i < outputs; i++)
            {
                Assert.True(layer.Direction.Span.GetRowSpan(i).SequenceEqual(solver.Direction.GetRowSpan(i)), $"row {i}");
            }
        }
    }

    [Theory]
    [InlineData(5, 17)] // input side solved from the right, from the gradient
    [InlineData(3, 60)] // input side solved through the transpose
    public void PrecomputedCurvature_LastDirectionAsGradient_SameBitsAsACopy(int outputs, int inputs)
    {
        // The public Direction passed back as the next gradient overlaps the buffer the solve writes.
        var rng = new Xoshiro256(11);
        Matrix<double> x = Random<double>(ref rng, 2 * inputs, inputs);
        Matrix<double> e = Random<double>(ref rng, 2 * inputs, outputs);
        Matrix<double> g = Random<double>(ref rng, outputs, inputs);
        var context = new KernelContext(1);
        var layer = new LayerCurvature<double>(outputs, inputs, CurvatureInverse.Cholesky);
        Assert.True(layer.CholeskyDirection(x.ReadOnlySpan, e.ReadOnlySpan, g.ReadOnlySpan, 0.5, 0.5, SampleSpacePolicy.Never, context, out _));
        var packedInputs = new double[PrecomputedCurvature<double>.PackedLength(inputs)];
        var packedErrors = new double[PrecomputedCurvature<double>.PackedLength(outputs)];
        PrecomputedCurvature<double>.PackLower(layer.InputCovariance.ReadOnlySpan, packedInputs);
        PrecomputedCurvature<double>.PackLower(layer.ErrorCovariance.ReadOnlySpan, packedErrors);

        var solver = new PrecomputedCurvature<double>(outputs, inputs);
        Assert.True(solver.TrySolve(packedInputs, 1.0, packedErrors, 1.0, g.ReadOnlySpan, 0.25, context, out _, out _));
        var copy = new Matrix<double>(outputs, inputs);
        solver.Direction.CopyTo(copy.Span);
        var reference = new PrecomputedCurvature<double>(outputs, inputs);
        Assert.True(reference.TrySolve(packedInputs, 1.0, packedErrors, 1.0, copy.ReadOnlySpan, 0.25, context, out _, out _));

        Assert.True(solver.TrySolve(packedInputs, 1.0, packedErrors, 1.0, solver.Direction, 0.25, context, out _, out _));
        for (int i = 0; i < outputs; i++)
        {
            Assert.True(reference.Direction.GetRowSpan(i).SequenceEqual(solver.Direction.GetRowSpan(i)), $"row {i}");
        }
    }

    [Fact]
    public void PrecomputedCurvature_ScaleAppliedOnUnpacking_MatchesScaledSums()
    {
        // Sums X^T X with scale 1/m give the covariance up to one rounding per element.
        const int Outputs = 4, Inputs = 6, Examples = 25;
        var rng = new Xoshiro256(4);
        Matrix<double> x = Random<double>(ref rng, Examples, Inputs);
        Matrix<double> e = Random<double>(ref rng, Examples, Outputs);
        Matrix<double> g = Random<double>(ref rng, Outputs, Inputs);
        var context = new KernelContext(1);
        var layer = new LayerCurvature<double>(Outputs, Inputs, CurvatureInverse.Cholesky);
        Assert.True(layer.CholeskyDirection(x.ReadOnlySpan, e.ReadOnlySpan, g.ReadOnlySpan, Math.Sqrt(0.5), Math.Sqrt(0.5), SampleSpacePolicy.Never,
            context, out _));

        var sums = new Matrix<double>(Inputs, Inputs);
        Syrk.Multiply(x.ReadOnlySpan, MatrixOp.Transpose, 1.0, 0.0, sums.Span, context);
        var errorSums = new Matrix<double>(Outputs, Outputs);
        Syrk.Multiply(e.ReadOnlySpan, MatrixOp.Transpose, 1.0, 0.0, errorSums.Span, context);
        var packedInputs = new double[PrecomputedCurvature<double>.PackedLength(Inputs)];
        var packedErrors = new double[PrecomputedCurvature<double>.PackedLength(Outputs)];
        PrecomputedCurvature<double>.PackLower(sums.ReadOnlySpan, packedInputs);
        PrecomputedCurvature<double>.PackLower(errorSums.ReadOnlySpan, packedErrors);
        var solver = new PrecomputedCurvature<double>(Outputs, Inputs);
        Assert.True(solver.TrySolve(packedInputs, 1.0 / Examples, packedErrors, 1.0 / Examples, g.ReadOnlySpan, 0.5, context, out _, out _));

        // Covariances differ by an ulp per element; the damped solves (condition kappa) amplify that by
        // at most kappa on each side: |dN| <= c kappa^2 eps |N|, with kappa <= 1 + ||C|| / d.
        double kappa = 1 + (MaxAbs(layer.InputCovariance) / Math.Sqrt(0.5)) + (MaxAbs(layer.ErrorCovariance) / Math.Sqrt(0.5));
        double bound = 8 * (Inputs + Outputs) * kappa * kappa * (Math.BitIncrement(1.0) - 1.0) * MaxAbs(layer.Direction);
        double worst = 0;
        for (int i = 0; i < Outputs; i++)
        {
            for (int j = 0; j < Inputs; j++)
            {
                worst = Math.Max(worst, Math.Abs(layer.Direction.Span[i, j] - solver.Direction[i, j]));
            }
        }

        Assert.True(worst <= bound, $"max |dN| = {worst:E3} > {bound:E3}");
    }

    [Fact]
    public void PrecomputedCurvature_NotDefinite_ReportsSideAndPivot()
    {
        var solver = new PrecomputedCurvature<double>(2, 2);
        double[] negative = [-4, 0, -4]; // -4 I: not definite at damping sqrt(1e-4)
        double[] identity = [1, 0, 1];
        var g = new Matrix<double>(2, 2);
        Assert.False(solver.TrySolve(negative, 1.0, identity, 1.0, g.ReadOnlySpan, 1e-4, null, out CholeskyFailure failure,
            out StepQuantity side));
        Assert.Equal(StepQuantity.InputCovariance, side);
        Assert.Equal(0, failure.PivotIndex);
        Assert.False(solver.TrySolve(identity, 1.0, negative, 1.0, g.ReadOnlySpan, 1e-4, null, out _, out side));
        Assert.Equal(StepQuantity.ErrorCovariance, side);
    }

    [Fact]
    public void PrecomputedCurvature_BadInput_NamesIt()
    {
        var solver = new PrecomputedCurvature<double>(2, 3);
        var g = new Matrix<double>(2, 3);
        double[] input = new double[6], error = new double[3];
        ArgumentException e = Assert.Throws<ArgumentException>(() =>
            solver.TrySolve(new double[5], 1.0, error, 1.0, g.ReadOnlySpan, 1, null, out _, out _));
        Assert.Equal("packedInputCovariance", e.ParamName);
        Assert.Contains("has 5 values", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => solver.TrySolve(input, 1.0, new double[4], 1.0, g.ReadOnlySpan, 1, null, out _, out _));
        Assert.Equal("packedErrorCovariance", e.ParamName);
        e = Assert.Throws<ArgumentException>(() =>
            solver.TrySolve(input, 1.0, error, 1.0, new Matrix<double>(3, 2).ReadOnlySpan, 1, null, out _, out _));
        Assert.Equal("gradient", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => solver.TrySolve(input, 1.0, error, 1.0, g.ReadOnlySpan, 0, null, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => solver.TrySolve(input, 1.0, error, 1.0, g.ReadOnlySpan, double.NaN, null, out _, out _));
        Assert.Throws<ArgumentException>(() => PrecomputedCurvature<double>.PackLower(new Matrix<double>(2, 3).ReadOnlySpan, new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrecomputedCurvature<double>(0, 3));
    }

    private static Matrix<T> Random<T>(ref Xoshiro256 rng, int rows, int columns)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = new Matrix<T>(rows, columns);
        rng.FillGaussian(m.AsSpan(), T.Zero, T.One);
        return m;
    }

    private static double MaxAbs(Matrix<double> m) => m.AsSpan().ToArray().Max(Math.Abs);
}
