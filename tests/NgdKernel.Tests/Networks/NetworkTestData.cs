namespace NgdKernel.Tests.Networks;

/// <summary>Seeded random data and conversions shared by the network and optimizer tests.</summary>
internal static class NetworkTestData
{
    public static double[,] Gaussian(int rows, int columns, int seed, double scale = 1)
    {
        var random = new Random(seed);
        var a = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
                a[i, j] = scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            }
        }

        return a;
    }

    public static T[,] Convert<T>(double[,] a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = new T[a.Rows(), a.Cols()];
        for (int i = 0; i < a.Rows(); i++)
        {
            for (int j = 0; j < a.Cols(); j++)
            {
                r[i, j] = T.CreateChecked(a[i, j]);
            }
        }

        return r;
    }

    public static double[,] ToDouble<T>(CommunityToolkit.HighPerformance.ReadOnlySpan2D<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = new double[a.Height, a.Width];
        for (int i = 0; i < a.Height; i++)
        {
            for (int j = 0; j < a.Width; j++)
            {
                r[i, j] = double.CreateChecked(a[i, j]);
            }
        }

        return r;
    }

    /// <summary>Targets of a teacher network plus Gaussian noise of standard deviation <paramref name="noise"/>.</summary>
    public static double[,] TeacherTargets(NetworkOptions options, double[,] inputs, ulong seed, double noise, int noiseSeed)
    {
        var teacher = new Network<double>(options with { Seed = seed });
        var reference = ReferenceNetwork.From(teacher);
        var targets = new double[inputs.Rows(), reference.OutputSize];
        double[,] n = Gaussian(inputs.Rows(), reference.OutputSize, noiseSeed, noise);
        for (int m = 0; m < inputs.Rows(); m++)
        {
            double[] y = reference.Forward(ReferenceNetwork.Row(inputs, m)).Output;
            for (int k = 0; k < y.Length; k++)
            {
                targets[m, k] = y[k] + n[m, k];
            }
        }

        return targets;
    }

    public static NetworkOptions Linear(params int[] widths) => new() { Widths = widths, Seed = 3 };

    /// <summary>
    /// Central differences of <paramref name="loss"/> in every weight of <paramref name="reference"/>
    /// against the backpropagated <c>G = -dL/dW</c> in <paramref name="workspace"/>. With the step
    /// <c>h·max(1, |w|)</c>, <c>h = eps^(1/3)</c>, truncation (h²) and rounding (eps/h) errors are both
    /// O(eps^(2/3)) relative to the larger of the loss and the gradient's norm; 100 is the constant.
    /// </summary>
    public static void AssertGradientMatchesFiniteDifferences(
        NetworkWorkspace<double> workspace, ReferenceNetwork reference, Func<double> loss, string context)
    {
        double eps = Tolerances.Epsilon<double>();
        double h = Math.Cbrt(eps);
        double value = loss();
        for (int l = 0; l < reference.LayerCount; l++)
        {
            double[,] analytic = ToDouble(workspace.NegativeGradient(l));
            double scale = Math.Max(Math.Abs(value), Dense.FrobeniusNorm(analytic));
            for (int r = 0; r < analytic.Rows(); r++)
            {
                for (int c = 0; c < analytic.Cols(); c++)
                {
                    double saved = reference.Weights[l][r, c];
                    double step = h * Math.Max(1, Math.Abs(saved));
                    reference.Weights[l][r, c] = saved + step;
                    double plus = loss();
                    reference.Weights[l][r, c] = saved - step;
                    double minus = loss();
                    reference.Weights[l][r, c] = saved;
                    double numeric = -(plus - minus) / (2 * step);
                    double bound = 100 * Math.Pow(eps, 2.0 / 3.0) * scale;
                    Assert.True(Math.Abs(numeric - analytic[r, c]) <= bound,
                        $"{context}layer {l} [{r},{c}]: finite difference {numeric}, backprop {analytic[r, c]}, bound {bound}");
                }
            }
        }
    }
}
