namespace NgdKernel.Optimizers;

/// <summary>An optimizer that updates a <see cref="Network{T}"/> one minibatch at a time.</summary>
/// <remarks>
/// The state that carries from step to step (step count, damping, random generator, running
/// inverses, momentum) is saved and restored together with the weights by
/// <see cref="Checkpoints.Checkpoint"/>, to a file (atomically) or a stream, in the one checksummed
/// format of <c>docs/checkpoint-format.md</c>; loading it into a fresh network and optimizer with the
/// same options resumes training bit-identically.
/// <para><b>Not thread-safe.</b> An optimizer and the network it trains belong to one thread at a time:
/// no two of <see cref="Step"/>, <see cref="Rollback"/>, checkpoint saves or loads, or changes of its
/// settings may overlap (one after another from different threads is fine). The library's optimizers
/// detect an overlapping <see cref="Step"/> or <see cref="Rollback"/> with one interlocked flag (no lock,
/// no allocation) and throw <see cref="InvalidOperationException"/> naming the type in the call that
/// came second, before it touches any state; the call already inside finishes normally. Training
/// several models in parallel takes one network and one optimizer per thread; the kernels inside a
/// step use the threads of the network's <c>KernelContext</c>.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public interface IOptimizer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The network this optimizer trains (updated in place by <see cref="Step"/>).</summary>
    Network<T> Network { get; }

    /// <summary>Number of steps taken so far.</summary>
    long StepCount { get; }

    /// <summary>
    /// One training step on a minibatch: <paramref name="inputs"/> <c>[batch, n_0]</c> and
    /// <paramref name="targets"/> <c>[batch, n_L]</c>, one example per row, any row pitch.
    /// Allocates nothing once a batch of this size has been seen.
    /// </summary>
    /// <returns>Loss before the step, damping, timing.</returns>
    /// <exception cref="ArgumentException">Shapes do not match the network, or an input or target is NaN or infinite (row and column named).</exception>
    /// <exception cref="OptimizerStepException">
    /// The step failed (<see cref="OptimizerStepException.Quantity"/> and <see cref="OptimizerStepException.Layer"/>
    /// say where; a <see cref="CurvatureFactorizationException"/> when a damped covariance is not positive
    /// definite); the weights and optimizer state are as before the step.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// Another thread is inside <see cref="Step"/> or <see cref="Rollback"/> of this optimizer (the message
    /// names its type); this call changed nothing.
    /// </exception>
    StepResult Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets);

    /// <summary>
    /// Restores the weights and optimizer state from before the last <see cref="Step"/> (one level of undo).
    /// </summary>
    /// <exception cref="InvalidOperationException">No step to roll back, or another thread is inside <see cref="Step"/> or <see cref="Rollback"/>.</exception>
    void Rollback();
}

/// <summary>What one optimizer step did.</summary>
/// <param name="Step">1-based index of this step.</param>
/// <param name="Loss">Batch loss (Eq. 6 without constants) before the update.</param>
/// <param name="MeanSquaredError">Batch mean squared error before the update.</param>
/// <param name="LossAfter">Batch loss after the update (damped NGD with adaptive damping), else NaN.</param>
/// <param name="Damping">The damping <c>lambda</c> used by this step (NaN for SGD and exact NGD).</param>
/// <param name="NextDamping">The damping after the Eq. 21 adaptation, used by the next step.</param>
/// <param name="Rho">Actual over predicted loss decrease (Eq. 21), NaN when not computed.</param>
/// <param name="Retries">How many times the step was rolled back and retried with higher damping.</param>
/// <param name="Elapsed">Wall-clock time of the whole step.</param>
public readonly record struct StepResult(
    long Step,
    double Loss,
    double MeanSquaredError,
    double LossAfter,
    double Damping,
    double NextDamping,
    double Rho,
    int Retries,
    TimeSpan Elapsed);
