using System.Diagnostics;
using System.Globalization;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

// Step latency from the first step of a fresh process: `NgdKernel.ColdStart ngd|sgd [--warmup] [steps]`.
// The network is the embedded-learning one of the latency table (32-32-32-32-32, tanh, biases),
// double, M = 32, one thread. Prints one line: the optimizer, whether Warmup() ran (and how long
// it took), the kernel path, the first step's time, and the p50 of steps 10-100, 100-1000 and of
// the last half (steady state), in microseconds. perf/coldstart.sh runs it once per runtime
// configuration, each in a new process, because tiering state cannot be reset within one.
const int Batch = 32;
if (args.Length == 0 || args[0] is not ("ngd" or "sgd"))
{
    Console.Error.WriteLine("usage: NgdKernel.ColdStart ngd|sgd [--warmup] [steps (default 20000)]");
    return 2;
}

bool warmup = args.Contains("--warmup");
int steps = args.Skip(1).Where(a => a != "--warmup").Select(a => int.Parse(a, CultureInfo.InvariantCulture)).DefaultIfEmpty(20_000).First();
if (steps < 2000)
{
    Console.Error.WriteLine("steps must be at least 2000 (the steady state is the last half, after step 1000)");
    return 2;
}

long processStart = Stopwatch.GetTimestamp();
NetworkOptions Options(ulong seed) => new()
{
    Widths = [32, 32, 32, 32, 32],
    HiddenActivation = Activation.Tanh,
    Bias = true,
    OutputCovariance = OutputCovariance.Isotropic(1.0),
    Seed = seed,
};

// Targets from a teacher network of the same shape, as in the latency table.
var inputs = new Matrix<double>(Batch, 32);
var targets = new Matrix<double>(Batch, 32);
new Xoshiro256(3).FillGaussian(inputs.AsSpan(), 0.0, 1.0);
var teacher = new Network<double>(Options(2));
teacher.Forward(inputs.ReadOnlySpan, teacher.CreateWorkspace(Batch)).CopyTo(targets.Span);

var network = new Network<double>(Options(1));
IOptimizer<double> optimizer = args[0] == "ngd"
    ? new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { InitialDamping = 0.01 })
    : new SgdOptimizer<double>(network, new SgdOptions { LearningRate = 0.01 });

double warmupMs = 0;
if (warmup)
{
    long start = Stopwatch.GetTimestamp();
    optimizer.Warmup(Batch);
    warmupMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}

long[] ticks = new long[steps];
for (int i = 0; i < steps; i++)
{
    long start = Stopwatch.GetTimestamp();
    optimizer.Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
    ticks[i] = Stopwatch.GetTimestamp() - start;
}

double Median(int from, int to)
{
    long[] window = ticks[from..to];
    Array.Sort(window);
    return window[window.Length / 2] * 1e6 / Stopwatch.Frequency;
}

double first = ticks[0] * 1e6 / Stopwatch.Frequency;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{args[0]} warmup={(warmup ? "yes" : "no")} warmupMs={warmupMs:F0} path={KernelPaths.Best} first={first:F0} " +
    $"p50_10_100={Median(10, 100):F1} p50_100_1000={Median(100, 1000):F1} p50_steady={Median(steps / 2, steps):F1} " +
    $"totalMs={Stopwatch.GetElapsedTime(processStart).TotalMilliseconds:F0}"));
return 0;
