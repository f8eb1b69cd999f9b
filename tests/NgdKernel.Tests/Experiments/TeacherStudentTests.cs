using NgdKernel.Data;
using NgdKernel.Experiments;

namespace NgdKernel.Tests.Experiments;

public class TeacherStudentTests
{
    // Bounds are in standard deviations of the sampling distribution; 6 sigma keeps the chance
    // of a false failure below 1e-4 even over the 40000 entries of the n0 = 200 case.
    private const double Sigmas = 6.0;
    private const double Eps = 2.220446049250313e-16; // double machine epsilon

    [Theory]
    [InlineData(20)]
    [InlineData(200)]
    public void TeacherStudent_InputCovariance_MatchesSpectrum(int n0)
    {
        const int count = 10_000;
        TeacherStudentProblem problem = TeacherStudentProblem.Generate(new TeacherStudentOptions
        {
            Widths = [n0, 5, 3],
            TrainCount = count,
            TestCount = 10,
            Seed = 7,
        });

        ReadOnlySpan<double> lambda = problem.InputEigenvalues;
        for (int i = 0; i < n0; i++)
        {
            Assert.Equal(Math.Exp(-5.0 * i / n0), lambda[i], 15);
        }

        double[,] e = problem.InputEigenvectors.ToArray();
        AssertOrthonormalColumns(e, n0);

        // Project every input on the eigenvectors: p = E^T x. Under the model p_i = sqrt(lambda_i) z_i
        // with z ~ N(0, I), so A = <p p^T> has A_ii ~ lambda_i (1 +- sqrt(2/N)) and
        // A_ij ~ 0 +- sqrt(lambda_i lambda_j / N).
        var a = new double[n0, n0];
        var p = new double[n0];
        ReadOnlySpan2D<double> x = problem.Train.Inputs;
        for (int row = 0; row < count; row++)
        {
            ReadOnlySpan<double> xr = x.GetRowSpan(row);
            for (int i = 0; i < n0; i++)
            {
                double s = 0;
                for (int k = 0; k < n0; k++)
                {
                    s += e[k, i] * xr[k];
                }

                p[i] = s;
            }

            for (int i = 0; i < n0; i++)
            {
                for (int j = 0; j < n0; j++)
                {
                    a[i, j] += p[i] * p[j];
                }
            }
        }

        for (int i = 0; i < n0; i++)
        {
            for (int j = 0; j < n0; j++)
            {
                double value = a[i, j] / count;
                double expected = i == j ? lambda[i] : 0.0;
                double sd = i == j ? lambda[i] * Math.Sqrt(2.0 / count) : Math.Sqrt(lambda[i] * lambda[j] / count);
                Assert.True(
                    Math.Abs(value - expected) <= Sigmas * sd,
                    $"<p_{i} p_{j}> = {value:G6}, expected {expected:G6} +- {Sigmas} x {sd:G3}");
            }
        }
    }

    [Fact]
    public void TeacherStudent_TeacherLoss_EqualsNoiseFloorWithinSamplingBound()
    {
        int[] widths = [20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20];
        TeacherStudentProblem problem = TeacherStudentProblem.Generate(new TeacherStudentOptions { Widths = widths, Seed = 3 });
        int nL = widths[^1];
        Assert.Equal(10_000, problem.Train.Count);
        Assert.Equal(1_000, problem.Test.Count);
        Assert.Equal(0.5 * nL, problem.MinimumLoss);

        // Per example, 0.5 eps^T SigmaT^-1 eps = 0.5 chi2(nL): mean nL/2, variance nL/2.
        foreach ((double loss, int count) in new[] { (problem.TeacherTrainLoss, problem.Train.Count), (problem.TeacherTestLoss, problem.Test.Count) })
        {
            double sd = Math.Sqrt(nL / 2.0 / count);
            Assert.True(Math.Abs(loss - problem.MinimumLoss) <= Sigmas * sd, $"teacher loss {loss} vs floor {problem.MinimumLoss} +- {Sigmas} x {sd:G3}");
        }

        // The teacher's own prediction gives the reported loss.
        var predictions = new double[problem.Test.Count, nL];
        problem.Predict(problem.Test.Inputs, predictions.AsSpan2D());
        double recomputed = TeacherStudentProblem.Loss(predictions.AsSpan2D(), problem.Test.Targets, problem.NoiseVariance);
        Assert.Equal(problem.TeacherTestLoss, recomputed, 12);

        // The task is not trivial: a zero predictor is far above the floor.
        var zeros = new double[problem.Test.Count, nL];
        Assert.True(TeacherStudentProblem.Loss(zeros.AsSpan2D(), problem.Test.Targets, problem.NoiseVariance) > 100 * problem.MinimumLoss);
    }

    [Fact]
    public void TeacherStudent_SameSeed_BitIdentical_AndCountsDoNotChangeTeacher()
    {
        var options = new TeacherStudentOptions { Widths = [6, 4, 3], TrainCount = 50, TestCount = 20, Seed = 11 };
        TeacherStudentProblem a = TeacherStudentProblem.Generate(options);
        TeacherStudentProblem b = TeacherStudentProblem.Generate(options);
        Assert.Equal(a.Train.Inputs.ToArray(), b.Train.Inputs.ToArray());
        Assert.Equal(a.Train.Targets.ToArray(), b.Train.Targets.ToArray());
        Assert.Equal(a.Test.Targets.ToArray(), b.Test.Targets.ToArray());

        TeacherStudentProblem more = TeacherStudentProblem.Generate(options with { TrainCount = 80 });
        Assert.Equal(a.GetTeacherWeights(0).ToArray(), more.GetTeacherWeights(0).ToArray());
        Assert.Equal(a.Test.Inputs.ToArray(), more.Test.Inputs.ToArray());
        Assert.Equal(a.Train.Inputs.ToArray(), more.Train.Inputs.Slice(0, 0, 50, 6).ToArray());

        TeacherStudentProblem other = TeacherStudentProblem.Generate(options with { Seed = 12 });
        Assert.NotEqual(a.Train.Inputs.ToArray(), other.Train.Inputs.ToArray());
    }

    [Fact]
    public void TeacherStudent_TeacherWeights_HaveFanInVariance()
    {
        TeacherStudentProblem problem = TeacherStudentProblem.Generate(new TeacherStudentOptions { Widths = [200, 80, 34], TrainCount = 1, TestCount = 1 });
        double[,] w = problem.GetTeacherWeights(0).ToArray();
        double sum = 0;
        foreach (double v in w)
        {
            sum += v * v;
        }

        // Mean of 16000 squares of N(0, 1/200): 1/200 with relative sd sqrt(2/16000).
        double mean = sum / w.Length;
        Assert.True(Math.Abs((mean * 200) - 1) <= Sigmas * Math.Sqrt(2.0 / w.Length), $"mean square {mean}");
    }

    [Theory]
    [InlineData(new[] { 5 })]
    [InlineData(new[] { 5, 0, 3 })]
    public void TeacherStudent_BadWidths_Throw(int[] widths)
    {
        var e = Assert.Throws<ArgumentException>(() => TeacherStudentProblem.Generate(new TeacherStudentOptions { Widths = widths }));
        Assert.Contains("Widths", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TeacherStudent_BadNoise_Throws() =>
        Assert.Throws<ArgumentException>(() => TeacherStudentProblem.Generate(new TeacherStudentOptions { Widths = [2, 2], NoiseVariance = 0 }));

    [Fact]
    public void DataSet_Convert_KeepsValuesAndSharedStorage()
    {
        double[] values = [0.25, 0.5, 1.0, 2.0];
        var data = new DataSet<double>(values, values, 2, 2, 2);
        DataSet<float> f = data.Convert<float>();
        Assert.Equal(new float[,] { { 0.25f, 0.5f }, { 1f, 2f } }, f.Inputs.ToArray());
        Assert.Equal(f.Inputs.ToArray(), f.Targets.ToArray());
        Assert.Throws<ArgumentException>(() => new DataSet<double>(values, values, 3, 2, 2));
    }

    private static void AssertOrthonormalColumns(double[,] e, int n)
    {
        // Gram-Schmidt twice: ||E^T E - I||_max within a small multiple of n eps.
        double tolerance = 10 * n * Eps;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                for (int k = 0; k < n; k++)
                {
                    dot += e[k, i] * e[k, j];
                }

                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) <= tolerance, $"(E^T E)[{i},{j}] = {dot}");
            }
        }
    }
}
