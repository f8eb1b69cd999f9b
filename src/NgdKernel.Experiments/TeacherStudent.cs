using CommunityToolkit.HighPerformance;

namespace NgdKernel.Experiments;

/// <summary>
/// Settings of the paper's synthetic teacher-student regression task (Section 5, Fig. 1A-C).
/// </summary>
public sealed record TeacherStudentOptions
{
    /// <summary>Layer widths <c>n0, n1, ..., nL</c> of the (linear, bias-free) teacher; the student has the same.</summary>
    public required IReadOnlyList<int> Widths { get; init; }

    /// <summary>Training examples (at least 1); the paper uses 10^4.</summary>
    public int TrainCount { get; init; } = 10_000;

    /// <summary>Test examples; the paper uses 10^3.</summary>
    public int TestCount { get; init; } = 1_000;

    /// <summary>Output noise variance <c>s</c>, <c>SigmaT = s I</c>; the paper uses 1e-6.</summary>
    public double NoiseVariance { get; init; } = 1e-6;

    /// <summary>Input covariance eigenvalues are <c>exp(-SpectrumDecay * i / n0)</c>, i = 0..n0-1; the paper uses 5.</summary>
    public double SpectrumDecay { get; init; } = 5.0;

    /// <summary>Seed of every random draw (teacher, eigenvectors, inputs, noise).</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// The paper's synthetic task: a linear teacher network with random weights in the student's class,
/// correlated Gaussian inputs <c>x ~ N(0, Sigma)</c> (random orthogonal eigenvectors, eigenvalues
/// <c>exp(-5 i / n0)</c>), targets <c>y = W_L ... W_1 x + N(0, SigmaT)</c>.
/// </summary>
/// <remarks>
/// <para>Teacher weights <c>W_i</c> are <c>[n_i, n_{i-1}]</c> with entries <c>N(0, 1 / n_{i-1})</c> (as in the
/// authors' code), which keeps activations of order one through the depth. The eigenvectors are
/// Haar-distributed: Gram-Schmidt (applied twice) of a Gaussian matrix.</para>
/// <para>Each part is drawn from its own stream derived from the seed, so changing the sample counts
/// leaves the teacher and the covariance unchanged. Everything is generated in double and is
/// bit-identical for a given seed on every machine (no SIMD, fixed summation order).</para>
/// <para>Loss is the paper's Eq. 6, <c>0.5 &lt;(y - x_L)^T SigmaT^-1 (y - x_L)&gt;</c>, averaged over
/// examples. The teacher's expected loss, the minimum achievable, is <c>0.5 nL</c>.</para>
/// </remarks>
public sealed class TeacherStudentProblem
{
    private readonly int[] widths;
    private readonly double[][] teacherWeights;
    private readonly double[] eigenvalues;
    private readonly double[] eigenvectors;

    private TeacherStudentProblem(
        int[] widths,
        double[][] teacherWeights,
        double[] eigenvalues,
        double[] eigenvectors,
        double noiseVariance)
    {
        this.widths = widths;
        this.teacherWeights = teacherWeights;
        this.eigenvalues = eigenvalues;
        this.eigenvectors = eigenvectors;
        NoiseVariance = noiseVariance;
        Train = null!;
        Test = null!;
    }

    /// <summary>Layer widths <c>n0..nL</c>.</summary>
    public IReadOnlyList<int> Widths => widths;

    /// <summary>Number of weight layers <c>L</c>.</summary>
    public int LayerCount => widths.Length - 1;

    /// <summary>Training set, <c>[TrainCount, n0]</c> inputs and <c>[TrainCount, nL]</c> targets.</summary>
    public DataSet<double> Train { get; private set; }

    /// <summary>Test set, drawn independently from the same distribution.</summary>
    public DataSet<double> Test { get; private set; }

    /// <summary>Output noise variance <c>s</c> (<c>SigmaT = s I</c>).</summary>
    public double NoiseVariance { get; }

    /// <summary>Input covariance eigenvalues, descending, <c>exp(-decay i / n0)</c>.</summary>
    public ReadOnlySpan<double> InputEigenvalues => eigenvalues;

    /// <summary>Input covariance eigenvectors as the columns of an orthogonal <c>[n0, n0]</c> matrix.</summary>
    public ReadOnlySpan2D<double> InputEigenvectors => new(eigenvectors, widths[0], widths[0]);

    /// <summary>
    /// Minimum achievable expected loss (the noise floor) in the units of Eq. 6:
    /// <c>0.5 tr(SigmaT^-1 SigmaT) = 0.5 nL</c>, reached by the teacher itself.
    /// </summary>
    public double MinimumLoss => 0.5 * widths[^1];

    /// <summary>Minimum achievable mean squared error per output component, <c>s</c>.</summary>
    public double MinimumMeanSquaredError => NoiseVariance;

    /// <summary>The teacher's loss (Eq. 6) on the training set: the noise floor as sampled.</summary>
    public double TeacherTrainLoss { get; private set; }

    /// <summary>The teacher's loss (Eq. 6) on the test set: the noise floor as sampled.</summary>
    public double TeacherTestLoss { get; private set; }

    /// <summary>Teacher weights of layer <paramref name="layer"/> (0-based), <c>[n_{layer+1}, n_layer]</c>.</summary>
    /// <param name="layer">0 .. LayerCount-1.</param>
    /// <returns>A read-only view.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is out of range.</exception>
    public ReadOnlySpan2D<double> GetTeacherWeights(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, LayerCount);
        return new ReadOnlySpan2D<double>(teacherWeights[layer], widths[layer + 1], widths[layer]);
    }

    /// <summary>Generates the task.</summary>
    /// <param name="options">Architecture, sizes, noise and seed.</param>
    /// <returns>The teacher, the data sets and the noise floor.</returns>
    /// <exception cref="ArgumentException">Fewer than two widths, a width below 1, or a non-positive or non-finite noise variance or decay.</exception>
    /// <exception cref="ArgumentOutOfRangeException">No training example, or a negative test count (the option named).</exception>
    public static TeacherStudentProblem Generate(TeacherStudentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int[] widths = [.. options.Widths];
        if (widths.Length < 2)
        {
            throw new ArgumentException(
                $"'Widths' has {widths.Length} entries; at least an input and an output width are needed.",
                nameof(options));
        }

        for (int i = 0; i < widths.Length; i++)
        {
            if (widths[i] < 1)
            {
                throw new ArgumentException($"'Widths[{i}]' is {widths[i]}; widths must be at least 1.", nameof(options));
            }
        }

        if (options.TrainCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options.TrainCount), options.TrainCount,
                $"'TrainCount' is {options.TrainCount}; the training set needs at least one example.");
        }

        if (options.TestCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options.TestCount), options.TestCount,
                $"'TestCount' is {options.TestCount}; it must be >= 0.");
        }

        if (!(options.NoiseVariance > 0) || !double.IsFinite(options.NoiseVariance))
        {
            throw new ArgumentException(
                $"'NoiseVariance' is {options.NoiseVariance}; it must be positive and finite.", nameof(options));
        }

        if (!(options.SpectrumDecay >= 0) || !double.IsFinite(options.SpectrumDecay))
        {
            throw new ArgumentException(
                $"'SpectrumDecay' is {options.SpectrumDecay}; it must be >= 0 and finite.", nameof(options));
        }

        int n0 = widths[0];
        var teacherRandom = new DataRandom(StreamSeed(options.Seed, 1));
        var teacher = new double[widths.Length - 1][];
        for (int layer = 0; layer < teacher.Length; layer++)
        {
            int fanIn = widths[layer];
            double scale = 1.0 / Math.Sqrt(fanIn);
            var w = new double[widths[layer + 1] * fanIn];
            for (int k = 0; k < w.Length; k++)
            {
                w[k] = scale * teacherRandom.NextGaussian();
            }

            teacher[layer] = w;
        }

        var eigenvalues = new double[n0];
        for (int i = 0; i < n0; i++)
        {
            eigenvalues[i] = Math.Exp(-options.SpectrumDecay * i / n0);
        }

        double[] eigenvectors = RandomOrthogonal(n0, new DataRandom(StreamSeed(options.Seed, 2)));
        var problem = new TeacherStudentProblem(widths, teacher, eigenvalues, eigenvectors, options.NoiseVariance);
        problem.Train = problem.Sample(options.TrainCount, new DataRandom(StreamSeed(options.Seed, 3)));
        problem.Test = problem.Sample(options.TestCount, new DataRandom(StreamSeed(options.Seed, 4)));
        problem.TeacherTrainLoss = problem.TeacherLoss(problem.Train);
        problem.TeacherTestLoss = problem.TeacherLoss(problem.Test);
        return problem;
    }

    /// <summary>The teacher's noiseless mapping <c>W_L ... W_1 x</c> for each row.</summary>
    /// <param name="inputs"><c>[rows, n0]</c>, any pitch.</param>
    /// <param name="destination"><c>[rows, nL]</c>, any pitch.</param>
    /// <exception cref="ArgumentException">Shapes do not match the teacher.</exception>
    public void Predict(ReadOnlySpan2D<double> inputs, Span2D<double> destination)
    {
        if (inputs.Width != widths[0] || destination.Width != widths[^1] || destination.Height != inputs.Height)
        {
            throw new ArgumentException(
                $"'inputs' is {inputs.Height}x{inputs.Width} and 'destination' is {destination.Height}x{destination.Width}: " +
                $"expected {inputs.Height}x{widths[0]} and {inputs.Height}x{widths[^1]}.",
                nameof(inputs));
        }

        int maxWidth = widths.Max();
        var current = new double[maxWidth];
        var next = new double[maxWidth];
        for (int row = 0; row < inputs.Height; row++)
        {
            inputs.GetRowSpan(row).CopyTo(current);
            PropagateRow(current, next);
            current.AsSpan(0, widths[^1]).CopyTo(destination.GetRowSpan(row));
        }
    }

    /// <summary>Loss of Eq. 6, <c>0.5 &lt;(y - yHat)^T SigmaT^-1 (y - yHat)&gt;</c> with <c>SigmaT = s I</c>, averaged over rows.</summary>
    /// <param name="predictions"><c>[rows, nL]</c>.</param>
    /// <param name="targets"><c>[rows, nL]</c>.</param>
    /// <param name="noiseVariance"><c>s</c>.</param>
    /// <returns>The average loss; 0 for no rows.</returns>
    /// <exception cref="ArgumentException">Shapes differ.</exception>
    public static double Loss(ReadOnlySpan2D<double> predictions, ReadOnlySpan2D<double> targets, double noiseVariance)
    {
        if (predictions.Height != targets.Height || predictions.Width != targets.Width)
        {
            throw new ArgumentException(
                $"'predictions' is {predictions.Height}x{predictions.Width} but 'targets' is {targets.Height}x{targets.Width}.",
                nameof(predictions));
        }

        if (predictions.Height == 0)
        {
            return 0;
        }

        double sum = 0;
        for (int row = 0; row < predictions.Height; row++)
        {
            ReadOnlySpan<double> p = predictions.GetRowSpan(row);
            ReadOnlySpan<double> t = targets.GetRowSpan(row);
            for (int j = 0; j < p.Length; j++)
            {
                double d = t[j] - p[j];
                sum += d * d;
            }
        }

        return 0.5 * sum / (noiseVariance * predictions.Height);
    }

    private static ulong StreamSeed(ulong seed, ulong stream) => (seed * 0x9E3779B97F4A7C15UL) ^ (stream * 0xD1B54A32D192ED03UL);

    // Rows of a Gaussian matrix orthonormalised by modified Gram-Schmidt, twice ("twice is
    // enough", Giraud et al.), then transposed so that the eigenvectors are columns. A Gaussian
    // matrix's QR factor with positive diag(R) is Haar distributed, which Gram-Schmidt gives.
    private static double[] RandomOrthogonal(int n, DataRandom random)
    {
        var rows = new double[n * n];
        for (int k = 0; k < rows.Length; k++)
        {
            rows[k] = random.NextGaussian();
        }

        for (int i = 0; i < n; i++)
        {
            Span<double> vi = rows.AsSpan(i * n, n);
            for (int pass = 0; pass < 2; pass++)
            {
                for (int j = 0; j < i; j++)
                {
                    ReadOnlySpan<double> vj = rows.AsSpan(j * n, n);
                    double dot = Dot(vi, vj);
                    for (int c = 0; c < n; c++)
                    {
                        vi[c] -= dot * vj[c];
                    }
                }
            }

            double norm = Math.Sqrt(Dot(vi, vi));
            for (int c = 0; c < n; c++)
            {
                vi[c] /= norm;
            }
        }

        var columns = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < n; c++)
            {
                columns[(c * n) + i] = rows[(i * n) + c];
            }
        }

        return columns;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++)
        {
            sum += a[k] * b[k];
        }

        return sum;
    }

    private DataSet<double> Sample(int count, DataRandom random)
    {
        int n0 = widths[0];
        int nL = widths[^1];
        var inputs = new double[count * n0];
        var targets = new double[count * nL];
        var scaled = new double[n0];
        int maxWidth = widths.Max();
        var current = new double[maxWidth];
        var next = new double[maxWidth];
        double noiseScale = Math.Sqrt(NoiseVariance);
        for (int row = 0; row < count; row++)
        {
            // x = E diag(sqrt(lambda)) z, z ~ N(0, I), so <x x^T> = E diag(lambda) E^T = Sigma.
            for (int k = 0; k < n0; k++)
            {
                scaled[k] = Math.Sqrt(eigenvalues[k]) * random.NextGaussian();
            }

            Span<double> x = inputs.AsSpan(row * n0, n0);
            for (int i = 0; i < n0; i++)
            {
                ReadOnlySpan<double> eigenvectorRow = eigenvectors.AsSpan(i * n0, n0);
                x[i] = Dot(eigenvectorRow, scaled);
            }

            x.CopyTo(current);
            PropagateRow(current, next);
            Span<double> y = targets.AsSpan(row * nL, nL);
            for (int j = 0; j < nL; j++)
            {
                y[j] = current[j] + (noiseScale * random.NextGaussian());
            }
        }

        return new DataSet<double>(inputs, targets, count, n0, nL);
    }

    // current[0..n0) in, current[0..nL) out; next is scratch of the widest layer.
    private void PropagateRow(double[] current, double[] next)
    {
        for (int layer = 0; layer < teacherWeights.Length; layer++)
        {
            int fanIn = widths[layer];
            int fanOut = widths[layer + 1];
            double[] w = teacherWeights[layer];
            ReadOnlySpan<double> input = current.AsSpan(0, fanIn);
            for (int j = 0; j < fanOut; j++)
            {
                next[j] = Dot(w.AsSpan(j * fanIn, fanIn), input);
            }

            next.AsSpan(0, fanOut).CopyTo(current);
        }
    }

    private double TeacherLoss(DataSet<double> data)
    {
        var predictions = new double[data.Count * data.TargetWidth];
        var view = new Span2D<double>(predictions, data.Count, data.TargetWidth);
        Predict(data.Inputs, view);
        return Loss(view, data.Targets, NoiseVariance);
    }
}
