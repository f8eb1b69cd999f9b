using NgdKernel.Optimizers;

namespace NgdKernel.Training;

/// <summary>Options of <see cref="GuardedOptimizer{T}"/>.</summary>
public sealed record StepGuardOptions : IValidatedOptions
{
    /// <summary>
    /// Times a step whose updated weights are not finite is rolled back and retried with the natural
    /// gradient's damping raised, on top of the optimizer's own retries. Default 3; 0 disables retrying.
    /// </summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Factor (&gt; 1) on the damping for each of the guard's retries. Default 10.</summary>
    public double DampingIncrease { get; init; } = 10.0;

    /// <summary>
    /// Whether every weight is checked for NaN and infinity after each step (one vectorized pass over
    /// the parameters, small next to a step). Default true.
    /// </summary>
    public bool CheckWeights { get; init; } = true;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The message names the option and its value.</exception>
    public void Validate()
    {
        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries,
                string.Create(CultureInfo.InvariantCulture, $"'{nameof(MaxRetries)}' is {MaxRetries}: it must be >= 0."));
        }

        if (!double.IsFinite(DampingIncrease) || !(DampingIncrease > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DampingIncrease), DampingIncrease,
                string.Create(CultureInfo.InvariantCulture, $"'{nameof(DampingIncrease)}' is {DampingIncrease}: it must be finite and > 1."));
        }
    }
}

/// <summary>A step that was rolled back and retried, reported by <see cref="GuardedOptimizer{T}.Recovered"/>.</summary>
public sealed class StepRecoveredEventArgs : EventArgs
{
    internal StepRecoveredEventArgs(long step, int retries, StepQuantity quantity, int layer, double damping, string message)
    {
        Step = step;
        Retries = retries;
        Quantity = quantity;
        Layer = layer;
        Damping = damping;
        Message = message;
    }

    /// <summary>1-based index of the step that was retried.</summary>
    public long Step { get; }

    /// <summary>Retries so far for this step (the optimizer's own and the guard's).</summary>
    public int Retries { get; }

    /// <summary>What was bad in the failed attempt.</summary>
    public StepQuantity Quantity { get; }

    /// <summary>0-based layer of the bad quantity, or -1 when it does not belong to one layer.</summary>
    public int Layer { get; }

    /// <summary>The damping <c>lambda</c> of the next attempt (NaN for optimizers without damping).</summary>
    public double Damping { get; }

    /// <summary>One line for a log or the CLI.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}

/// <summary>
/// A step failed for good: the message names the layer and the quantity; the network and optimizer
/// are as they were before the step (the last good state).
/// </summary>
public sealed class StepFailedException : ArithmeticException
{
    /// <summary>Creates the exception.</summary>
    public StepFailedException(long step, StepQuantity quantity, int layer, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Step = step;
        Quantity = quantity;
        Layer = layer;
    }

    /// <summary>Creates the exception.</summary>
    public StepFailedException()
        : this(0, StepQuantity.Loss, -1, "A training step failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public StepFailedException(string message)
        : this(0, StepQuantity.Loss, -1, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public StepFailedException(string message, Exception innerException)
        : this(0, StepQuantity.Loss, -1, message, innerException)
    {
    }

    /// <summary>1-based index of the step that failed.</summary>
    public long Step { get; }

    /// <summary>What was bad.</summary>
    public StepQuantity Quantity { get; }

    /// <summary>0-based layer of the bad quantity, or -1 when it does not belong to one layer.</summary>
    public int Layer { get; }
}

/// <summary>
/// Wraps an optimizer so that training survives bad steps: a step whose loss, gradient or update is
/// NaN or infinite, or whose damped covariance is not positive definite, is rolled back (weights and
/// optimizer state as before), the damping raised and the step retried a bounded number of times;
/// each recovery is reported by <see cref="Recovered"/>. When it keeps failing, <see cref="Step"/>
/// throws a <see cref="StepFailedException"/> naming the layer and the quantity, with the last good
/// state intact.
/// </summary>
/// <remarks>
/// <para>Builds on the optimizers' own protection: <see cref="NaturalGradientOptimizer{T}"/> already
/// retries failed factorizations and non-finite updates internally (its
/// <see cref="NaturalGradientOptions.MaxRetries"/>), and the network rejects non-finite inputs and
/// targets with an <see cref="ArgumentException"/> naming row and column before anything changes.
/// The guard adds a check of the updated weights (which catches overflow that a finite predicted
/// decrease misses and protects SGD and the exact natural gradient, which have no retries), further
/// retries with a larger damping factor, the event, and a typed error.</para>
/// <para>SGD and the exact natural gradient have no damping: a non-finite step is rolled back and
/// reported at once, since retrying the same step would fail the same way.</para>
/// <para>Allocates nothing per step unless a step fails. The damping stays within the optimizer's
/// <see cref="NaturalGradientOptions.MinDamping"/> and <see cref="NaturalGradientOptions.MaxDamping"/>.</para>
/// <para><b>Not thread-safe</b>, like the optimizer it wraps: call <see cref="Step"/> and <see cref="Rollback"/>
/// from one thread at a time. A second call that enters while one is running throws
/// <see cref="InvalidOperationException"/> before touching any state.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed class GuardedOptimizer<T> : IOptimizer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private ReentrancyGuard _guard;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public GuardedOptimizer(IOptimizer<T> inner, StepGuardOptions? options = null)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        Options = ValidatedOptions.OrDefault(options);
    }

    /// <summary>Raised after a failed attempt has been rolled back, before the retry (or, for the optimizer's own retries, after the step succeeded).</summary>
    public event EventHandler<StepRecoveredEventArgs>? Recovered;

    /// <summary>The wrapped optimizer.</summary>
    public IOptimizer<T> Inner { get; }

    /// <summary>The validated options.</summary>
    public StepGuardOptions Options { get; }

    /// <inheritdoc/>
    public Network<T> Network => Inner.Network;

    /// <inheritdoc/>
    public long StepCount => Inner.StepCount;

    /// <summary>Steps that needed at least one retry so far.</summary>
    public long RecoveredSteps { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Shapes do not match, or an input or target is NaN or infinite (row and column named).</exception>
    /// <exception cref="StepFailedException">The step kept failing; the state is as before the step.</exception>
    public StepResult Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        using ReentrancyGuard.Scope busy = _guard.Enter(this);
        long step = Inner.StepCount + 1;
        if (Options.CheckWeights && Network.FindNonFiniteWeight() is { } poisoned)
        {
            throw new StepFailedException(step, StepQuantity.Weights, poisoned.Layer, string.Create(CultureInfo.InvariantCulture,
                $"Step {step} not taken: the weights of layer {poisoned.Layer} already hold {poisoned.Value} at [{poisoned.Row}, {poisoned.Column}] (restore a checkpoint)."));
        }

        int guardRetries = 0;
        while (true)
        {
            StepResult result;
            try
            {
                result = Inner.Step(inputs, targets);
            }
            catch (OptimizerStepException e)
            {
                // The optimizer gave up (after its own retries, if any) and restored its state.
                throw new StepFailedException(step, e.Quantity, e.Layer, string.Create(CultureInfo.InvariantCulture,
                    $"Step {step} failed{LayerText(e.Layer)}: {Describe(e.Quantity)}. {e.Message}"), e);
            }
            catch (ArithmeticException e) when (e is not StepFailedException)
            {
                // An optimizer of another library that says nothing about where: the update, no layer.
                throw new StepFailedException(step, StepQuantity.Update, -1, string.Create(CultureInfo.InvariantCulture,
                    $"Step {step} failed: {Describe(StepQuantity.Update)}. {e.Message}"), e);
            }

            if (!double.IsFinite(result.Loss))
            {
                // Finite inputs and targets (the network checked them) but a non-finite loss: the
                // forward pass overflowed. Damping cannot help; undo and stop.
                Inner.Rollback();
                throw new StepFailedException(step, StepQuantity.Loss, -1, string.Create(CultureInfo.InvariantCulture,
                    $"Step {step} failed: the batch loss before the update is {result.Loss} with finite inputs, targets and weights (the forward pass overflows). The weights are as before the step."));
            }

            int retries = result.Retries + guardRetries;
            if (!Options.CheckWeights || Network.FindNonFiniteWeight() is not { } bad)
            {
                if (retries > 0)
                {
                    RecoveredSteps++;
                    if (result.Retries > 0)
                    {
                        Report(step, retries, StepQuantity.Update, -1, result.Damping, string.Create(CultureInfo.InvariantCulture,
                            $"step {step}: recovered after {retries} retries; damping lambda raised to {result.Damping}."));
                    }
                }

                return result with { Retries = retries };
            }

            Inner.Rollback();
            string where = string.Create(CultureInfo.InvariantCulture,
                $"the update makes the weights of layer {bad.Layer} {bad.Value} at [{bad.Row}, {bad.Column}]");
            if (Inner is not NaturalGradientOptimizer<T> ngd || guardRetries >= Options.MaxRetries || ngd.Damping >= ngd.Options.MaxDamping)
            {
                throw new StepFailedException(step, StepQuantity.Update, bad.Layer, string.Create(CultureInfo.InvariantCulture,
                    $"Step {step} failed in layer {bad.Layer} after {retries} retries: {where}. The weights are as before the step."));
            }

            guardRetries++;
            ngd.Damping = Math.Min(ngd.Damping * Options.DampingIncrease, ngd.Options.MaxDamping);
            Report(step, result.Retries + guardRetries, StepQuantity.Update, bad.Layer, ngd.Damping, string.Create(CultureInfo.InvariantCulture,
                $"step {step}: rolled back ({where}); retrying with damping lambda = {ngd.Damping}."));
        }
    }

    /// <inheritdoc/>
    public void Rollback()
    {
        using ReentrancyGuard.Scope busy = _guard.Enter(this);
        Inner.Rollback();
    }

    private void Report(long step, int retries, StepQuantity quantity, int layer, double damping, string message) =>
        Recovered?.Invoke(this, new StepRecoveredEventArgs(step, retries, quantity, layer, damping, message));

    private static string LayerText(int layer) =>
        layer < 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" in layer {layer}");

    private static string Describe(StepQuantity quantity) => quantity switch
    {
        StepQuantity.Gradient => "the gradient is not finite",
        StepQuantity.InputCovariance => "the damped input covariance is not positive definite",
        StepQuantity.ErrorCovariance => "the damped error covariance is not positive definite",
        StepQuantity.Update => "the update is not finite",
        StepQuantity.LossAfter => "the loss after the update is not finite",
        StepQuantity.Weights => "the weights are not finite",
        _ => "the loss is not finite",
    };
}
