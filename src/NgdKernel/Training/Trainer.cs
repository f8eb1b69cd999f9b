using System.Diagnostics.CodeAnalysis;
using NgdKernel.Optimizers;

namespace NgdKernel.Training;

/// <summary>Options of <see cref="Trainer{T}"/>.</summary>
public sealed record TrainerOptions : IValidatedOptions
{
    /// <summary>Minibatch size M &gt;= 1 (paper: SGD 20, NGD 1000). Default 20.</summary>
    public int BatchSize { get; init; } = 20;

    /// <summary>Whether each epoch visits the examples in a fresh random order. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the shuffling. Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Rows per forward pass in <see cref="Trainer{T}.Evaluate(CommunityToolkit.HighPerformance.ReadOnlySpan2D{T}, CommunityToolkit.HighPerformance.ReadOnlySpan2D{T})"/>. Default 1000.</summary>
    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The message names the option and its value.</exception>
    public void Validate()
    {
        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize,
                string.Create(CultureInfo.InvariantCulture, $"'{nameof(BatchSize)}' is {BatchSize}: it must be >= 1."));
        }

        if (EvaluationBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EvaluationBatchSize), EvaluationBatchSize,
                string.Create(CultureInfo.InvariantCulture, $"'{nameof(EvaluationBatchSize)}' is {EvaluationBatchSize}: it must be >= 1."));
        }
    }
}

/// <summary>Progress after one training step.</summary>
/// <param name="Epoch">0-based epoch of this step.</param>
/// <param name="ExamplesSeen">Training examples consumed so far, this step included.</param>
/// <param name="Result">What the optimizer reported.</param>
public readonly record struct TrainingProgress(int Epoch, long ExamplesSeen, StepResult Result);

/// <summary>Receives training progress; implemented by the caller (no allocation per step).</summary>
public interface ITrainingObserver
{
    /// <summary>Called after every step.</summary>
    void OnStep(in TrainingProgress progress);
}

/// <summary>Summary of one pass over the training set.</summary>
/// <param name="Epoch">0-based epoch index.</param>
/// <param name="Steps">Steps taken in this epoch.</param>
/// <param name="MeanLoss">Mean over the epoch's steps of the batch loss before each step.</param>
/// <param name="Elapsed">Wall-clock time of the epoch, optimizer steps only.</param>
public readonly record struct EpochSummary(int Epoch, int Steps, double MeanLoss, TimeSpan Elapsed);

/// <summary>
/// A minimal training loop over an in-memory data set: minibatches (optionally shuffled), one
/// optimizer step each, progress callbacks, batched evaluation.
/// </summary>
/// <remarks>
/// Data are row-major views <c>[examples, n_0]</c> and <c>[examples, n_L]</c>. Without shuffling a batch
/// is a slice of the caller's views (no copy); with shuffling rows are gathered into a preallocated
/// batch buffer. A step allocates nothing in steady state.
/// <para><b>Not thread-safe.</b> A trainer, its optimizer and its network belong to one thread at a time;
/// to train in parallel use one trainer (with its own optimizer and network) per thread. A second
/// concurrent <see cref="RunEpoch(CommunityToolkit.HighPerformance.ReadOnlySpan2D{T}, CommunityToolkit.HighPerformance.ReadOnlySpan2D{T})"/> reaches the optimizer's <c>Step</c> while the first is inside it and
/// throws <see cref="InvalidOperationException"/> there, before the optimizer changes any state; the
/// trainer's own batch buffers and counters are not guarded.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed partial class Trainer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Matrix<T> _batchInputs;
    private readonly Matrix<T> _batchTargets;
    private int[] _order = [];
    private Xoshiro256 _rng;
    private NetworkWorkspace<T>? _evaluation;

    /// <summary>Creates a trainer around <paramref name="optimizer"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public Trainer(IOptimizer<T> optimizer, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        options = ValidatedOptions.OrDefault(options);
        Optimizer = optimizer;
        Options = options;
        _rng = new Xoshiro256(options.Seed);
        _batchInputs = new Matrix<T>(options.BatchSize, optimizer.Network.InputSize);
        _batchTargets = new Matrix<T>(options.BatchSize, optimizer.Network.OutputSize);
    }

    /// <summary>The optimizer stepping the network.</summary>
    public IOptimizer<T> Optimizer { get; }

    /// <summary>The validated options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Observer called after each step, or null.</summary>
    public ITrainingObserver? Observer { get; set; }

    /// <summary>Training examples consumed so far.</summary>
    public long ExamplesSeen { get; private set; }

    /// <summary>Completed epochs.</summary>
    public int Epoch { get; private set; }

    /// <summary>
    /// One pass over the data in minibatches of <see cref="TrainerOptions.BatchSize"/> (the last batch
    /// may be smaller), one optimizer step each.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not match the network or each other, or a value is NaN or infinite (its row in the data set and column named); nothing changes.</exception>
    public EpochSummary RunEpoch(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets) =>
        RunEpoch(inputs, targets, CancellationToken.None);

    /// <summary>
    /// One pass over the data as <see cref="RunEpoch(ReadOnlySpan2D{T}, ReadOnlySpan2D{T})"/>, stopped
    /// between two steps when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <remarks>
    /// The token is looked at before each step, never inside one: a cancelled epoch leaves the network
    /// and optimizer exactly as after its last completed step (a checkpoint saved then resumes
    /// bit-identically), <see cref="ExamplesSeen"/> counts the examples of the completed steps, and
    /// <see cref="Epoch"/> is not advanced (the rest of the epoch is abandoned; the next
    /// <see cref="RunEpoch(ReadOnlySpan2D{T}, ReadOnlySpan2D{T}, CancellationToken)"/> starts a new pass).
    /// Looking at the token allocates nothing.
    /// </remarks>
    /// <exception cref="ArgumentException">As the overload without a token.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the state is that after the last completed step.</exception>
    public EpochSummary RunEpoch(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets, CancellationToken cancellationToken)
    {
        CheckData(inputs, targets);
        cancellationToken.ThrowIfCancellationRequested(); // before the shuffle: a cancelled call changes nothing
        int count = inputs.Height;
        int batch = Options.BatchSize;
        if (Options.Shuffle)
        {
            Shuffle(count);
        }

        double lossSum = 0;
        int steps = 0;
        TimeSpan elapsed = TimeSpan.Zero;
        for (int first = 0; first < count; first += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(batch, count - first);
            StepResult result;
            if (Options.Shuffle)
            {
                Span2D<T> x = _batchInputs.Span.Slice(0, 0, rows, _batchInputs.Columns);
                Span2D<T> y = _batchTargets.Span.Slice(0, 0, rows, targets.Width); // n_L, or 1 for class labels
                for (int r = 0; r < rows; r++)
                {
                    int source = _order[first + r];
                    inputs.GetRowSpan(source).CopyTo(x.GetRowSpan(r));
                    targets.GetRowSpan(source).CopyTo(y.GetRowSpan(r));
                }

                result = Optimizer.Step(x, y);
            }
            else
            {
                result = Optimizer.Step(inputs.Slice(first, 0, rows, inputs.Width), targets.Slice(first, 0, rows, targets.Width));
            }

            ExamplesSeen += rows;
            lossSum += result.Loss;
            elapsed += result.Elapsed;
            steps++;
            Observer?.OnStep(new TrainingProgress(Epoch, ExamplesSeen, result));
        }

        var summary = new EpochSummary(Epoch, steps, lossSum / steps, elapsed);
        Epoch++;
        return summary;
    }

    /// <summary>Loss of the current network on a data set, in batches of <see cref="TrainerOptions.EvaluationBatchSize"/>.</summary>
    /// <exception cref="ArgumentException">Shapes do not match the network or each other, or a value is NaN or infinite (its row in the data set and column named).</exception>
    public LossValues Evaluate(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        CheckData(inputs, targets);
        Network<T> network = Optimizer.Network;
        int batch = PrepareEvaluation(inputs.Height);

        double loss = 0;
        double mse = 0;
        for (int first = 0; first < inputs.Height; first += batch)
        {
            int rows = Math.Min(batch, inputs.Height - first);
            LossValues part = network.Evaluate(inputs.Slice(first, 0, rows, inputs.Width), targets.Slice(first, 0, rows, targets.Width), _evaluation);
            loss += part.Loss * rows;
            mse += part.MeanSquaredError * rows;
        }

        return new LossValues(loss / inputs.Height, mse / inputs.Height);
    }

    /// <summary>
    /// Log-loss and accuracy of the current network on a data set, in batches of
    /// <see cref="TrainerOptions.EvaluationBatchSize"/>: the loss of the output density (the cross-entropy
    /// of a categorical or Bernoulli output) and the fraction of correct predictions
    /// (<see cref="ClassificationMetrics.Accuracy"/>).
    /// </summary>
    /// <param name="inputs"><c>[examples, n_0]</c>.</param>
    /// <param name="targets"><c>[examples, n_L]</c>, or <c>[examples, 1]</c> class labels for a categorical output.</param>
    /// <exception cref="ArgumentException">Shapes do not match the network or each other, or a value is NaN, infinite or not a valid target (its row and column named).</exception>
    /// <remarks>Allocates nothing once the evaluation workspace exists.</remarks>
    public ClassificationMetrics EvaluateClassification(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        CheckData(inputs, targets);
        Network<T> network = Optimizer.Network;
        int batch = PrepareEvaluation(inputs.Height);

        double loss = 0;
        long correct = 0, total = 0;
        for (int first = 0; first < inputs.Height; first += batch)
        {
            int rows = Math.Min(batch, inputs.Height - first);
            ReadOnlySpan2D<T> x = inputs.Slice(first, 0, rows, inputs.Width);
            ReadOnlySpan2D<T> y = targets.Slice(first, 0, rows, targets.Width);
            network.ForwardUnchecked(x, _evaluation);
            loss += network.OutputErrors(y, _evaluation, computeErrors: false).Loss * rows;
            (long right, long judged) = network.Likelihood.CountCorrect(network.Likelihood.Predict(network, _evaluation, rows), y);
            correct += right;
            total += judged;
        }

        return new ClassificationMetrics(loss / inputs.Height, (double)correct / total);
    }

    /// <summary>Rows per evaluation pass for <paramref name="count"/> examples; the evaluation workspace grown to hold them.</summary>
    [MemberNotNull(nameof(_evaluation))]
    private int PrepareEvaluation(int count)
    {
        int batch = Math.Min(Options.EvaluationBatchSize, count);
        if (_evaluation is null || _evaluation.Capacity < batch)
        {
            _evaluation = Optimizer.Network.CreateWorkspace(batch);
        }

        return batch;
    }

    private void CheckData(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        Network<T> network = Optimizer.Network;
        if (inputs.Height < 1 || inputs.Width != network.InputSize)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"'inputs' is {inputs.Height}x{inputs.Width}: it must have at least one row and n_0 = {network.InputSize} columns."),
                nameof(inputs));
        }

        // Checked here, not by each step, so that an error names the row of the data set rather than
        // of a (shuffled) minibatch; one vectorized pass per row, small next to an epoch.
        Network<T>.CheckFinite(inputs, nameof(inputs));
        network.CheckTargets(targets, inputs.Height, inputs.Width, nameof(targets));
    }

    private void Shuffle(int count)
    {
        if (_order.Length != count)
        {
            _order = new int[count];
        }

        for (int i = 0; i < count; i++)
        {
            _order[i] = i;
        }

        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)(_rng.NextUInt64() % (ulong)(i + 1));
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }
}

/// <summary>Classification quality of a network on a data set (<see cref="Trainer{T}.EvaluateClassification(CommunityToolkit.HighPerformance.ReadOnlySpan2D{T}, CommunityToolkit.HighPerformance.ReadOnlySpan2D{T})"/>).</summary>
/// <param name="LogLoss">
/// Mean negative log-likelihood per example: the cross-entropy <c>&lt;-log p_y&gt;</c> of a categorical
/// output, the binary cross-entropy summed over outputs of a Bernoulli one, Eq. 6 for a Gaussian.
/// </param>
/// <param name="Accuracy">
/// Fraction of examples whose most probable class is the label (categorical; for class probabilities,
/// the most probable target class), of outputs on the target's side of 1/2 (Bernoulli), or of examples
/// whose largest output is the largest target component (Gaussian regression onto one-hot codes).
/// </param>
public readonly record struct ClassificationMetrics(double LogLoss, double Accuracy);
