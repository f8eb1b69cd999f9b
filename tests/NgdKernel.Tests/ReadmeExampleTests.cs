using Xunit.Abstractions;

namespace NgdKernel.Tests;

/// <summary>Compiles and runs the README's Example exactly as printed there.</summary>
public sealed class ReadmeExampleTests(ITestOutputHelper output)
{
    [Fact]
    public void ReadmeExample_TrainsAndReportsLossDampingTiming()
    {
        var log = new List<string>();
        var (first, last) = RunExample(log.Add);
        foreach (string line in log.TakeLast(3))
        {
            output.WriteLine(line);
        }

        Assert.Equal(200, log.Count);
        Assert.True(last < 0.1 * first, $"loss went from {first} to {last}");
    }

    private static (double First, double Last) RunExample(Action<string> print)
    {
        // --- README Example begins ---
        // A 4-16-16-2 tanh network with biases and Gaussian output N(x_L, 0.01 I).
        var network = new Network<double>(new NetworkOptions
        {
            Widths = [4, 16, 16, 2],
            HiddenActivation = Activation.Tanh,
            OutputActivation = Activation.Identity,
            Bias = true,
            OutputCovariance = OutputCovariance.Isotropic(0.01),
            Seed = 42,
        });

        // Damped online natural gradient (paper Eq. 20-21): alpha = 1, K = 1, lambda_0 = 1.
        var optimizer = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            LearningRate = 1.0,
            SampleCount = 1,
            InitialDamping = 1.0,
        });

        // Any row-major [batch, width] data the application owns; one example per row.
        const int batch = 100;
        var inputs = new double[batch, 4];
        var targets = new double[batch, 2];
        var random = new Random(7);
        for (int r = 0; r < batch; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                inputs[r, c] = random.NextDouble() - 0.5;
            }

            targets[r, 0] = Math.Sin(inputs[r, 0] + inputs[r, 1]);
            targets[r, 1] = inputs[r, 2] * inputs[r, 3];
        }

        double first = double.NaN, last = double.NaN;
        for (int step = 0; step < 200; step++)
        {
            StepResult result = optimizer.Step(new ReadOnlySpan2D<double>(inputs), new ReadOnlySpan2D<double>(targets));
            print($"step {result.Step}: loss {result.Loss:G4}, lambda {result.Damping:G3}, " +
                  $"rho {result.Rho:F2}, {result.Elapsed.TotalMilliseconds:F3} ms");
            first = step == 0 ? result.Loss : first;
            last = result.Loss;
        }
        // --- README Example ends ---

        return (first, last);
    }
}
