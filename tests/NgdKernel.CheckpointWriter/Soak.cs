using System.Diagnostics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.Networks;
using NgdKernel.Optimizers;
using NgdKernel.Training;

namespace NgdKernel.CheckpointWriter;

/// <summary>Outcome of <see cref="Soak.Run"/>.</summary>
/// <param name="Steps">Steps taken.</param>
/// <param name="WarmupSteps">Steps before the counters were read.</param>
/// <param name="Gen2Collections">Generation-2 collections after warm-up (must stay 0).</param>
/// <param name="AllocatedBytes">Bytes allocated on the training thread after warm-up (must stay 0).</param>
/// <param name="MinDamping">Smallest damping seen.</param>
/// <param name="MaxDamping">Largest damping seen.</param>
/// <param name="FirstLoss">Batch loss of the first step.</param>
/// <param name="LastLoss">Mean batch loss over the last 1000 steps.</param>
/// <param name="RecoveredSteps">Steps that needed a retry.</param>
/// <param name="Elapsed">Wall-clock time.</param>
public sealed record SoakReport(long Steps, long WarmupSteps, int Gen2Collections, long AllocatedBytes, double MinDamping,
    double MaxDamping, double FirstLoss, double LastLoss, long RecoveredSteps, TimeSpan Elapsed);

/// <summary>
/// A long run of the damped natural gradient on a small network, watching memory (generation-2
/// collections and allocated bytes after warm-up) and the damping's range.
/// </summary>
public static class Soak
{
    /// <summary>Lower bound of the damping in the soak run.</summary>
    public const double MinDamping = 1e-6;

    /// <summary>Upper bound of the damping in the soak run.</summary>
    public const double MaxDamping = 1e6;

    /// <summary>Trains <paramref name="steps"/> steps (batches cycle through a fixed data set).</summary>
    public static SoakReport Run(long steps, long warmupSteps = 1000, TextWriter? log = null)
    {
        const int examples = 4096;
        const int batch = 32;
        var network = new Network<double>(new NetworkOptions
        {
            Widths = [8, 16, 4],
            HiddenActivation = Activation.Tanh,
            Bias = true,
            Seed = 21,
        }, KernelContext.Default);
        var ngd = new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions
        {
            LearningRate = 1.0,
            InitialDamping = 1.0,
            MinDamping = MinDamping,
            MaxDamping = MaxDamping,
            Seed = 22,
        });
        var guarded = new GuardedOptimizer<double>(ngd);

        var inputs = new double[examples * 8];
        var targets = new double[examples * 4];
        var teacher = new Network<double>(new NetworkOptions { Widths = [8, 6, 4], HiddenActivation = Activation.Tanh, Seed = 23 });
        var rng = new Xoshiro256(24);
        rng.FillGaussian<double>(inputs, 0, 1);
        var x = new ReadOnlySpan2D<double>(inputs, examples, 8);
        teacher.Forward(x, teacher.CreateWorkspace(examples)).CopyTo(targets);
        var noise = new double[targets.Length];
        rng.FillGaussian<double>(noise, 0, 0.1);
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] += noise[i];
        }

        var y = new ReadOnlySpan2D<double>(targets, examples, 4);
        double minDamping = double.PositiveInfinity;
        double maxDamping = 0;
        double firstLoss = double.NaN;
        double tailLoss = 0;
        long tailCount = 0;
        int gen2 = 0;
        long allocated = 0;
        long loggingBytes = 0;
        var clock = Stopwatch.StartNew();
        for (long s = 0; s < steps; s++)
        {
            if (s == warmupSteps)
            {
                gen2 = GC.CollectionCount(2);
                allocated = GC.GetAllocatedBytesForCurrentThread();
            }

            int first = (int)((s * batch) % examples);
            StepResult result = guarded.Step(x.Slice(first, 0, batch, 8), y.Slice(first, 0, batch, 4));
            if (s == 0)
            {
                firstLoss = result.Loss;
            }

            if (s >= steps - 1000)
            {
                tailLoss += result.Loss;
                tailCount++;
            }

            minDamping = Math.Min(minDamping, Math.Min(result.Damping, ngd.Damping));
            maxDamping = Math.Max(maxDamping, Math.Max(result.Damping, ngd.Damping));
            if (log is not null && s > 0 && s % 100_000 == 0)
            {
                // Progress lines allocate strings; they are not part of training, so they are not counted.
                long before = GC.GetAllocatedBytesForCurrentThread();
                log.WriteLine($"step {s}: loss {result.Loss:G4}, damping {ngd.Damping:G4}, gen2 collections after warm-up {GC.CollectionCount(2) - gen2}, {clock.Elapsed.TotalSeconds:F1} s");
                loggingBytes += GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }

        int gen2After = steps > warmupSteps ? GC.CollectionCount(2) - gen2 : 0;
        long allocatedAfter = steps > warmupSteps ? GC.GetAllocatedBytesForCurrentThread() - allocated - loggingBytes : 0;
        return new SoakReport(steps, warmupSteps, gen2After, allocatedAfter, minDamping, maxDamping, firstLoss,
            tailLoss / Math.Max(tailCount, 1), guarded.RecoveredSteps, clock.Elapsed);
    }
}
