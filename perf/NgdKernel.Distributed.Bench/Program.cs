using System.Diagnostics;
using System.Globalization;
using System.Text;
using NgdKernel.Distributed;
using NgdKernel.Kernels;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

// Measures, on this machine over loopback TCP: all-reduce time of a 1 MiB and an 8 MiB float buffer
// (ring and star, P = 2, 3), the step time of the MNIST autoencoder (float, M = 1000, K = 1) for
// P = 1, 2, 3 against the one-process optimizer in the same rounds, the per-layer owner solve time and
// the bytes a step moves; then models the speedup at 1, 10 and 100 Gb/s for P = 2, 8, 32. Writes the
// results between the markers of the given markdown file.
//   dotnet run -c Release --project perf/NgdKernel.Distributed.Bench -- docs/distributed.md [rounds]
string target = args.Length > 0 ? args[0] : "docs/distributed.md";
int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
const int Batch = 1000;
const int StepsPerRound = 3;
int[] widths = [784, 400, 200, 100, 50, 100, 200, 400, 784];
var networkOptions = new NetworkOptions { Widths = widths, HiddenActivation = Activation.Tanh, Bias = true, Seed = 1 };
var ngd = new NaturalGradientOptions { SampleCount = 1, SampleSpace = SampleSpacePolicy.Never };
var timeout = TimeSpan.FromMinutes(5);

// Synthetic MNIST-shaped data (uniform pixels; an autoencoder: targets = inputs): timing only.
var source = new InMemoryShardSource();
var data = new float[6000 * 784];
var rng = new Xoshiro256(3);
for (int i = 0; i < data.Length; i++)
{
    data[i] = (float)rng.NextDouble();
}

source.Add("train", data, data, 784, 784);
var report = new StringBuilder();
string stamp = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
report.AppendLine(CultureInfo.InvariantCulture, $"Run {stamp}, {Environment.ProcessorCount} cores, load average at start {LoadAverage()}, .NET {Environment.Version}, kernel path {KernelContext.Default.Path}; {rounds} interleaved rounds; command `scripts/distributed-bench.sh`.");
report.AppendLine();

// ---- All-reduce -------------------------------------------------------------------------------
await using (LoopbackCluster three = await LoopbackCluster.StartAsync(3, source, timeout))
{
    report.AppendLine("| all-reduce | P | bytes | median time | algorithm bandwidth |");
    report.AppendLine("|---|---|---|---|---|");
    foreach (int p in new[] { 2, 3 })
    {
        CollectiveGroup group = await CollectiveGroup.CreateAsync(three.Client, p, timeout);
        foreach (int bytes in new[] { 1 << 20, 8 << 20 })
        {
            foreach (CollectiveAlgorithm algorithm in new[] { CollectiveAlgorithm.Ring, CollectiveAlgorithm.Star })
            {
                await group.TimeAllReduceAsync(bytes, algorithm, 2); // warm-up
                var times = new List<double>();
                for (int r = 0; r < rounds; r++)
                {
                    times.AddRange((await group.TimeAllReduceAsync(bytes, algorithm, 3)).Select(t => t.TotalSeconds));
                }

                double median = Median(times);
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {algorithm.ToString().ToLowerInvariant()} | {p} | {bytes >> 20} MiB | {median * 1e3:F1} ms | {bytes / median / 1e6:F0} MB/s |");
            }
        }
    }
}

report.AppendLine();

// ---- Step time, P = 1, 2, 3 against one process, interleaved ------------------------------------
var clusters = new Dictionary<int, LoopbackCluster>();
var trainers = new Dictionary<int, DataParallelTrainer<float>>();
foreach (int p in new[] { 1, 2, 3 })
{
    clusters[p] = await LoopbackCluster.StartAsync(p, source, timeout);
    trainers[p] = await DataParallelTrainer<float>.StartAsync(clusters[p].Client, new Network<float>(networkOptions), new DataParallelOptions
    {
        WorkerCount = p,
        BatchSize = Batch,
        NaturalGradient = ngd,
        DataSet = "train",
        Timeout = timeout,
    });
    await trainers[p].StepAsync(); // warm-up
}

var local = new NaturalGradientOptimizer<float>(new Network<float>(networkOptions), ngd);
var batch = new float[Batch, 784];
for (int i = 0; i < Batch; i++)
{
    for (int j = 0; j < 784; j++)
    {
        batch[i, j] = data[(i * 784) + j];
    }
}

local.Step(batch, batch); // warm-up
var stepTimes = new Dictionary<int, List<double>> { [0] = [], [1] = [], [2] = [], [3] = [] };
for (int r = 0; r < rounds; r++)
{
    for (int s = 0; s < StepsPerRound; s++)
    {
        stepTimes[0].Add(local.Step(batch, batch).Elapsed.TotalSeconds);
    }

    foreach (int p in new[] { 1, 2, 3 })
    {
        for (int s = 0; s < StepsPerRound; s++)
        {
            stepTimes[p].Add((await trainers[p].StepAsync()).Elapsed.TotalSeconds);
        }
    }
}

foreach (LoopbackCluster cluster in clusters.Values)
{
    await cluster.DisposeAsync();
}

double oneProcess = Median(stepTimes[0]);
report.AppendLine("| MNIST autoencoder, float, M = 1000 | median step time | relative to one process |");
report.AppendLine("|---|---|---|");
report.AppendLine(CultureInfo.InvariantCulture, $"| one process (NaturalGradientOptimizer) | {oneProcess * 1e3:F0} ms | 1.00 |");
foreach (int p in new[] { 1, 2, 3 })
{
    double t = Median(stepTimes[p]);
    report.AppendLine(CultureInfo.InvariantCulture, $"| P = {p} silos, loopback TCP | {t * 1e3:F0} ms | {t / oneProcess:F2} |");
}

report.AppendLine();

// ---- Model inputs: owner solve time per layer, bytes per step ----------------------------------
int layers = widths.Length - 1;
var solve = new double[layers];
var payload = new double[layers];
var weights = new double[layers];
var inputWidths = new int[layers];
var outputWidths = new int[layers];
for (int l = 0; l < layers; l++)
{
    int a = widths[l] + 1, b = widths[l + 1];
    inputWidths[l] = a;
    outputWidths[l] = b;
    payload[l] = 4.0 * ((a * b) + PrecomputedCurvature<float>.PackedLength(a) + PrecomputedCurvature<float>.PackedLength(b));
    weights[l] = 4.0 * a * b;
    var solver = new PrecomputedCurvature<float>(b, a);
    float[] inputCovariance = Identity(a), errorCovariance = Identity(b);
    var gradient = new float[b * a];
    var times = new List<double>();
    for (int r = 0; r < rounds + 1; r++)
    {
        long start = Stopwatch.GetTimestamp();
        solver.TrySolve(inputCovariance, 1f, errorCovariance, 1f, new CommunityToolkit.HighPerformance.ReadOnlySpan2D<float>(gradient, b, a), 1.0,
            null, out _, out _);
        times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    solve[l] = Median(times.Skip(1).ToList());
}

double solveTotal = solve.Sum();
double statistics = Math.Max(0, oneProcess - solveTotal); // forward, backward passes, covariances
report.AppendLine(CultureInfo.InvariantCulture,
    $"Model inputs (measured in this run): one-process step {oneProcess * 1e3:F0} ms, of which owner solves {solveTotal * 1e3:F0} ms (largest layer {solve.Max() * 1e3:F0} ms) and statistics {statistics * 1e3:F0} ms; a worker sends {payload.Sum() / 1e6:F2} MB of sums and receives {weights.Sum() / 1e6:F2} MB of weights per step.");
report.AppendLine();
report.AppendLine("Modelled speedup over one process, global M = 1000 (strong scaling) / M = 1000 P (weak scaling, examples per second):");
report.AppendLine();
report.AppendLine("| link | P = 2 | P = 8 | P = 32 |");
report.AppendLine("|---|---|---|---|");
foreach (double gigabits in new[] { 1.0, 10.0, 100.0 })
{
    var cells = new List<string>();
    foreach (int p in new[] { 2, 8, 32 })
    {
        int[] owners = LayerAssignment.Assign(inputWidths, outputWidths, p);
        double maxSolve = 0, maxTraffic = 0;
        for (int r = 0; r < p; r++)
        {
            double own = 0, ingress = 0, egress = 0;
            for (int l = 0; l < layers; l++)
            {
                if (owners[l] == r)
                {
                    own += solve[l];
                    ingress += (p - 1) * payload[l]; // every other worker's sums
                    egress += (p - 1) * weights[l]; // the new weights to every other worker
                }
                else
                {
                    ingress += weights[l];
                    egress += payload[l];
                }
            }

            maxSolve = Math.Max(maxSolve, own);
            maxTraffic = Math.Max(maxTraffic, Math.Max(ingress, egress)); // full duplex
        }

        double communication = (maxTraffic / (gigabits * 1e9 / 8)) + (4 * 100e-6); // four rounds of latency
        double strong = oneProcess / ((statistics / p) + maxSolve + communication);
        double weak = p * oneProcess / (statistics + maxSolve + communication);
        cells.Add(string.Create(CultureInfo.InvariantCulture, $"{strong:F2} / {weak:F1}"));
    }

    report.AppendLine(CultureInfo.InvariantCulture, $"| {gigabits:F0} Gb/s | {string.Join(" | ", cells)} |");
}

Splice(target, report.ToString());
Console.WriteLine(report);
return;

static double Median(List<double> values)
{
    values.Sort();
    return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
}

static float[] Identity(int n)
{
    var packed = new float[PrecomputedCurvature<float>.PackedLength(n)];
    for (int i = 0, k = 0; i < n; k += i + 1, i++)
    {
        packed[k + i] = 1f;
    }

    return packed;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

static void Splice(string path, string block)
{
    const string Begin = "<!-- distributed-bench:begin -->", End = "<!-- distributed-bench:end -->";
    string text = File.ReadAllText(path);
    int begin = text.IndexOf(Begin, StringComparison.Ordinal), end = text.IndexOf(End, StringComparison.Ordinal);
    if (begin < 0 || end < begin)
    {
        throw new InvalidOperationException($"{path} has no {Begin} ... {End} block.");
    }

    File.WriteAllText(path, text[..(begin + Begin.Length)] + "\n" + block + text[end..]);
}
