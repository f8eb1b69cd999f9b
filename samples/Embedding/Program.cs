using CommunityToolkit.HighPerformance;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

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

for (int step = 0; step < 200; step++)
{
    StepResult result = optimizer.Step(new ReadOnlySpan2D<double>(inputs), new ReadOnlySpan2D<double>(targets));
    if (step % 50 == 0 || step == 199)
    {
        Console.WriteLine($"step {result.Step}: loss {result.Loss:G4}, lambda {result.Damping:G3}, " +
                          $"rho {result.Rho:F2}, {result.Elapsed.TotalMilliseconds:F3} ms");
    }
}
