using System.Diagnostics;
using System.Runtime.CompilerServices;
using NgdKernel.Training;

namespace NgdKernel.Optimizers;

/// <summary>
/// Warm-up for latency-sensitive applications: runs an optimizer's code paths before the first
/// real step, so that the JIT has compiled them at full optimisation by then.
/// </summary>
/// <remarks>
/// <para>
/// Under the default tiered JIT a method starts as quick, unoptimised code and is recompiled in the
/// background once it has been called 30 times and no new method has been compiled for 100 ms. A
/// training step calls hundreds of methods, so the first few hundred steps of a small network run
/// several times slower than steady state. <see cref="Warmup{T}"/> steps a scratch copy of the
/// optimizer on made-up data until the JIT has gone quiet; the real network and optimizer are not
/// touched. Native AOT code is compiled in full before the process starts; there the warm-up only
/// takes a few steps (caches, page faults of the scratch copy's buffers).
/// </para>
/// <para>
/// The scratch copy doubles the network's and the optimizer's memory while the warm-up runs.
/// </para>
/// </remarks>
public static class OptimizerWarmup
{
    /// <summary>Steps between two looks at the JIT's count of compiled methods.</summary>
    private const int StepsPerRound = 16;

    /// <summary>Steps always taken, so that every method is called past the tiering threshold (30).</summary>
    private const int MinimumSteps = 64;

    /// <summary>
    /// How long the compiled-method count must stay put: over twice the 100 ms the runtime waits
    /// after the last compilation before it starts counting calls.
    /// </summary>
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Steps a scratch copy of <paramref name="optimizer"/> (same type, options, network shape,
    /// weights and <see cref="KernelContext"/>) on random data of <paramref name="batchSize"/> rows until
    /// the JIT has compiled no method for a while, or <paramref name="maxDuration"/> has passed.
    /// <paramref name="optimizer"/>, its network and its state are left bit-for-bit as they were.
    /// </summary>
    /// <param name="optimizer">A <see cref="SgdOptimizer{T}"/>, <see cref="NaturalGradientOptimizer{T}"/>,
    /// <see cref="ExactNaturalGradientOptimizer{T}"/>, or a <see cref="GuardedOptimizer{T}"/> around one.</param>
    /// <param name="batchSize">The batch size the application will step with (the kernels' shapes depend on it).</param>
    /// <param name="maxDuration">Upper bound on the warm-up's duration; default 5 s.</param>
    /// <returns>The number of scratch steps taken.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1, or <paramref name="maxDuration"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="optimizer"/> is of a type this method cannot copy.</exception>
    public static int Warmup<T>(this IOptimizer<T> optimizer, int batchSize, TimeSpan? maxDuration = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        TimeSpan budget = maxDuration ?? TimeSpan.FromSeconds(5);
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, TimeSpan.Zero, nameof(maxDuration));

        Network<T> network = optimizer.Network;
        var scratchNetwork = new Network<T>(network.Options, network.Context);
        network.CopyWeightsTo(scratchNetwork);
        IOptimizer<T> scratch = CopyOf(optimizer, scratchNetwork);

        var random = new Xoshiro256(0x5EED);
        var inputs = new Matrix<T>(batchSize, network.InputSize);
        var targets = new Matrix<T>(batchSize, network.OutputSize);
        random.FillGaussian(inputs.AsSpan(), T.Zero, T.One);
        random.FillGaussian(targets.AsSpan(), T.Zero, T.One);

        // Native AOT has nothing left to compile: a few steps touch the code and the caches.
        int minimum = RuntimeFeature.IsDynamicCodeSupported ? MinimumSteps : StepsPerRound;
        long start = Stopwatch.GetTimestamp(), lastChange = start;
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        int steps = 0;
        while (true)
        {
            for (int i = 0; i < StepsPerRound; i++, steps++)
            {
                StepIgnoringFailures(scratch, network, inputs, targets);
            }

            long now = Stopwatch.GetTimestamp();
            long count = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (count != compiled)
            {
                compiled = count;
                lastChange = now;
            }

            bool quiet = !RuntimeFeature.IsDynamicCodeSupported || Stopwatch.GetElapsedTime(lastChange, now) >= QuietPeriod;
            if ((steps >= minimum && quiet) || Stopwatch.GetElapsedTime(start, now) >= budget)
            {
                return steps;
            }
        }
    }

    private static void StepIgnoringFailures<T>(IOptimizer<T> scratch, Network<T> source, Matrix<T> inputs, Matrix<T> targets)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        try
        {
            scratch.Step(inputs.ReadOnlySpan, targets.ReadOnlySpan);
        }
        catch (OptimizerStepException)
        {
            // Made-up data may drive the scratch copy to a failed step; the code paths still ran.
            source.CopyWeightsTo(scratch.Network);
        }
    }

    private static IOptimizer<T> CopyOf<T>(IOptimizer<T> optimizer, Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => optimizer switch
        {
            SgdOptimizer<T> sgd => new SgdOptimizer<T>(network, sgd.Options),
            NaturalGradientOptimizer<T> ngd => new NaturalGradientOptimizer<T>(network, ngd.Options),
            ExactNaturalGradientOptimizer<T> exact => new ExactNaturalGradientOptimizer<T>(network, exact.Options),
            GuardedOptimizer<T> guarded => new GuardedOptimizer<T>(CopyOf(guarded.Inner, network), guarded.Options),
            _ => throw new ArgumentException(
                $"Warmup cannot copy an optimizer of type {optimizer.GetType().Name}; it warms up SgdOptimizer, " +
                "NaturalGradientOptimizer, ExactNaturalGradientOptimizer and GuardedOptimizer.", nameof(optimizer)),
        };
}
