using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance;
using NgdKernel.Checkpoints;
using NgdKernel.Distributed.Grains;
using NgdKernel.Kernels;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

namespace NgdKernel.Distributed;

/// <summary>
/// Data-parallel training of one network across P silos: worker grains (one per silo, each with its
/// shard) compute the statistics of their rows of every batch, layer-owner grains sum them, solve and
/// update, and this object drives the steps from any client of the cluster.
/// </summary>
/// <remarks>
/// <para><b>A natural-gradient step</b> (paper Eq. 20-21). Each rank draws its <c>M/P</c> rows, runs the
/// forward pass, the true backward pass and K sampled ones, and sends per layer, last layer first, the
/// unnormalised sums <c>E^T X</c>, <c>X^T X</c> and <c>E_s^T E_s</c> (packed triangles) to the layer's
/// owner. Owners (assigned by <see cref="LayerAssignment.Assign"/>) sum in rank order, divide by M
/// (and K M), factor and solve with <see cref="PrecomputedCurvature{T}"/>, then apply
/// <c>W += (alpha/L) N</c> and broadcast the new weights, so every rank holds the same bits. The loss
/// before and after the update is a sum over ranks (one scalar all-reduce each); Eq. 21 then sets the
/// damping as <see cref="NaturalGradientOptimizer{T}"/> does. A step whose factorization fails or whose
/// after-loss is not finite is rolled back and retried at higher damping: the owners refactor the sums
/// they kept, nothing is recomputed or resent.</para>
/// <para><b>Same bits as one machine, up to summation order.</b> Every rank samples its rows of the
/// errors one machine would sample for the whole batch from the same generator state (each advances
/// the generator as for the whole batch), so the result equals
/// <see cref="NaturalGradientOptimizer{T}"/> stepping on the concatenation of the ranks' rows, up to
/// the rounding of the sums, for any P; and the same seed and P give the same bits.</para>
/// <para><b>SGD</b> takes the same path with the gradients alone.</para>
/// <para><b>Failure.</b> Every wait is bounded by <see cref="DataParallelOptions.Timeout"/>; a worker or
/// owner that fails, or whose silo is lost, fails the step with <see cref="DataParallelException"/> and
/// the trainer refuses further steps. Resume from the last checkpoint
/// (<see cref="SaveCheckpointAsync"/>, <see cref="ResumeAsync"/>).</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed class DataParallelTrainer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IGrainFactory _grains;
    private readonly IWorkerGrain[] _workers;
    private readonly ILayerOwnerGrain[] _owners;
    private readonly int _outputSize;
    private readonly int _inputSize;
    private readonly ulong[] _generator = new ulong[4];
    private bool _failed;

    private DataParallelTrainer(IGrainFactory grains, DataParallelOptions options, string runId, int[] ownerRanks, int inputSize,
        int outputSize)
    {
        _inputSize = inputSize;
        _grains = grains;
        Options = options;
        RunId = runId;
        OwnerRanks = ownerRanks;
        _outputSize = outputSize;
        _workers = new IWorkerGrain[options.WorkerCount];
        for (int r = 0; r < _workers.Length; r++)
        {
            _workers[r] = grains.GetGrain<IWorkerGrain>(GrainKeys.Worker(runId, r));
        }

        _owners = new ILayerOwnerGrain[ownerRanks.Length];
        for (int l = 0; l < _owners.Length; l++)
        {
            _owners[l] = grains.GetGrain<ILayerOwnerGrain>(GrainKeys.Owner(runId, l, ownerRanks[l]));
        }
    }

    /// <summary>The validated options.</summary>
    public DataParallelOptions Options { get; }

    /// <summary>The prefix of this run's grain keys (a new one per start or resume).</summary>
    public string RunId { get; }

    /// <summary>Per layer, the rank of its owner.</summary>
    public IReadOnlyList<int> OwnerRanks { get; }

    /// <summary>Per rank, the address of the silo its worker runs on.</summary>
    public IReadOnlyList<string> WorkerSilos { get; private set; } = [];

    /// <summary>Successful steps so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>The damping <c>lambda</c> the next natural-gradient step uses.</summary>
    public double Damping { get; private set; }

    /// <summary>
    /// The application data of the checkpoint this run resumed from (the bytes given to
    /// <see cref="SaveCheckpointAsync"/>), or empty for a run started by <see cref="StartAsync(IGrainFactory, Network{T}, DataParallelOptions)"/>.
    /// </summary>
    public ReadOnlyMemory<byte> ResumedApplicationData { get; private set; }

    /// <summary>
    /// Sets up the workers and owners of a new run for <paramref name="network"/> (its weights are the
    /// starting point; the network itself is not changed).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="DataParallelException">A worker or owner could not be set up in time.</exception>
    public static Task<DataParallelTrainer<T>> StartAsync(IGrainFactory grains, Network<T> network, DataParallelOptions options)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var generator = new Xoshiro256(options.NaturalGradient.Seed);
        var state = new ulong[4];
        generator.GetState(state);
        return StartAsync(grains, network, options, 0, options.NaturalGradient.InitialDamping, state, null, null);
    }

    /// <summary>
    /// Resumes from a checkpoint written by <see cref="SaveCheckpointAsync"/>: the network, step count,
    /// every rank's shard cursor and the optimizer's state (natural gradient: damping and sampling
    /// generator; SGD: the momentum buffers, back to the layer owners), with the same P, batch and data set.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The file is damaged or not a data-parallel checkpoint, or
    /// holds the state of another algorithm than <see cref="DataParallelOptions.Algorithm"/>.</exception>
    /// <remarks>The caller's own bytes saved with the checkpoint are in <see cref="ResumedApplicationData"/>.</remarks>
    /// <exception cref="ArgumentException">The checkpoint was written with another P, batch or data.</exception>
    public static async Task<DataParallelTrainer<T>> ResumeAsync(IGrainFactory grains, string path, DataParallelOptions options)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Network<T> network = Checkpoint.LoadNetwork<T>(path);
        var optimizer = new NaturalGradientOptimizer<T>(network, options.NaturalGradient);
        SgdOptimizer<T>? sgd = options.Algorithm == DataParallelAlgorithm.Sgd ? new SgdOptimizer<T>(network, options.Sgd) : null;
        byte[] application = sgd is null ? Checkpoint.Load(path, optimizer) : Checkpoint.Load(path, sgd);
        DataParallelCheckpoint section = DataParallelCheckpoint.Parse(application, path);
        if (section.WorkerCount != options.WorkerCount || section.BatchSize != options.BatchSize
            || section.DataSet != options.DataSet || section.DataSeed != options.DataSeed)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'{path}' was written with P = {section.WorkerCount}, M = {section.BatchSize}, data '{section.DataSet}' seed {section.DataSeed}; the options say P = {options.WorkerCount}, M = {options.BatchSize}, data '{options.DataSet}' seed {options.DataSeed}."),
                nameof(options));
        }

        var state = new ulong[4];
        optimizer.GetGeneratorState(state);
        // SGD: the momentum goes back to the layer owners; no damping or sampled errors.
        byte[][]? velocities = null;
        if (sgd is not null && options.Sgd.Momentum > 0)
        {
            velocities = new byte[network.LayerCount][];
            for (int l = 0; l < velocities.Length; l++)
            {
                var values = new T[network.Widths[l + 1] * network.InputWidth(l)];
                sgd.GetVelocity(l, values);
                velocities[l] = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            }
        }

        DataParallelTrainer<T> trainer = await StartAsync(grains, network, options, sgd?.StepCount ?? optimizer.StepCount, optimizer.Damping,
            state, section.RankDataStates, velocities).ConfigureAwait(false);
        trainer.ResumedApplicationData = section.ApplicationData;
        return trainer;
    }

    private static async Task<DataParallelTrainer<T>> StartAsync(IGrainFactory grains, Network<T> network, DataParallelOptions options,
        long stepCount, double damping, ulong[] generator, byte[][]? dataStates, byte[][]? velocities)
    {
        int layers = network.LayerCount;
        var inputs = new int[layers];
        var outputs = new int[layers];
        for (int l = 0; l < layers; l++)
        {
            inputs[l] = network.InputWidth(l);
            outputs[l] = network.Widths[l + 1];
        }

        int[] owners = LayerAssignment.Assign(inputs, outputs, options.WorkerCount);
        var trainer = new DataParallelTrainer<T>(grains, options, Guid.NewGuid().ToString("N"), owners, network.InputSize, network.OutputSize)
        {
            StepCount = stepCount,
            Damping = damping,
        };
        generator.CopyTo(trainer._generator, 0);

        using var stream = new MemoryStream();
        Checkpoint.Save(stream, network);
        byte[] networkBytes = stream.ToArray();
        bool isDouble = typeof(T) == typeof(double);
        bool sgd = options.Algorithm == DataParallelAlgorithm.Sgd;
        try
        {
            Task<string>[] ownerSetups = new Task<string>[layers];
            for (int l = 0; l < layers; l++)
            {
                ownerSetups[l] = trainer._owners[l].Initialize(new OwnerSetup
                {
                    RunId = trainer.RunId,
                    Layer = l,
                    OutputWidth = outputs[l],
                    InputWidth = inputs[l],
                    IsDouble = isDouble,
                    Weights = WeightBytes(network, l),
                    WorkerCount = options.WorkerCount,
                    BatchSize = options.BatchSize,
                    SampleCount = options.NaturalGradient.SampleCount,
                    Sgd = sgd,
                    Momentum = options.Sgd.Momentum,
                    Threads = options.ThreadsPerWorker,
                    Timeout = options.Timeout,
                    Velocity = velocities?[l] ?? [],
                });
            }

            Task<string>[] workerSetups = new Task<string>[options.WorkerCount];
            for (int r = 0; r < workerSetups.Length; r++)
            {
                workerSetups[r] = trainer._workers[r].Initialize(new WorkerSetup
                {
                    RunId = trainer.RunId,
                    Rank = r,
                    WorkerCount = options.WorkerCount,
                    Network = networkBytes,
                    IsDouble = isDouble,
                    BatchSize = options.BatchSize,
                    SampleCount = sgd ? 0 : options.NaturalGradient.SampleCount,
                    DataSet = options.DataSet,
                    DataSeed = options.DataSeed,
                    OwnerRanks = owners,
                    DataState = dataStates?[r],
                    Threads = options.ThreadsPerWorker,
                    Timeout = options.Timeout,
                });
            }

            await Waits.All(ownerSetups, options.Timeout).ConfigureAwait(false);
            trainer.WorkerSilos = await Waits.All(workerSetups, options.Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not DataParallelException)
        {
            throw new DataParallelException(stepCount + 1, "setting up workers and owners", e);
        }

        return trainer;
    }

    /// <summary>One step on the next global batch.</summary>
    /// <returns>The step's losses, damping and retries, as <see cref="IOptimizer{T}.Step"/> reports them.</returns>
    /// <exception cref="DataParallelException">A worker or owner failed or did not answer in time.</exception>
    /// <exception cref="OptimizerStepException">The loss is not finite, or the step failed after the retries
    /// (<see cref="CurvatureFactorizationException"/> for a factorization); the weights are as before.</exception>
    /// <exception cref="InvalidOperationException">An earlier step failed with <see cref="DataParallelException"/>.</exception>
    public Task<StepResult> StepAsync()
    {
        if (Options.DataSet.Length == 0)
        {
            throw new InvalidOperationException("This run has no data set ('DataSet' is empty): pass each step's batch.");
        }

        return StepAsync(null);
    }

    /// <summary>
    /// One step on a batch the caller holds: rank r receives rows <c>[r M / P, (r + 1) M / P)</c>, so
    /// the step equals the one-machine step on this batch up to the rounding of the sums.
    /// </summary>
    /// <param name="inputs">The batch's inputs, <c>[M, n0]</c>.</param>
    /// <param name="targets">The batch's targets, <c>[M, nL]</c>.</param>
    /// <exception cref="ArgumentException">The batch is not M rows of the network's widths.</exception>
    /// <exception cref="DataParallelException">A worker or owner failed or did not answer in time.</exception>
    /// <exception cref="OptimizerStepException">As <see cref="StepAsync()"/>.</exception>
    public Task<StepResult> StepAsync(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        if (inputs.Height != Options.BatchSize || targets.Height != Options.BatchSize
            || inputs.Width != _inputSize || targets.Width != _outputSize)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The batch is {inputs.Height}x{inputs.Width} inputs and {targets.Height}x{targets.Width} targets; the run takes {Options.BatchSize}x{_inputSize} and {Options.BatchSize}x{_outputSize}."),
                nameof(inputs));
        }

        var rows = new (Payload, Payload)[Options.WorkerCount];
        for (int r = 0; r < rows.Length; r++)
        {
            int first = InMemoryShardSource.ShardStart(Options.BatchSize, r, Options.WorkerCount);
            int end = InMemoryShardSource.ShardStart(Options.BatchSize, r + 1, Options.WorkerCount);
            rows[r] = (RowBytes(inputs, first, end), RowBytes(targets, first, end));
        }

        return StepAsync(rows);
    }

    /// <summary>Rows <c>[first, end)</c> of <paramref name="matrix"/> in pooled memory, for one rank.</summary>
    private static Payload RowBytes(ReadOnlySpan2D<T> matrix, int first, int end) =>
        Payload.FromRows(matrix.Slice(first, 0, end - first, matrix.Width));

    private async Task<StepResult> StepAsync((Payload Inputs, Payload Targets)[]? rows)
    {
        if (_failed)
        {
            throw new InvalidOperationException("A step of this data-parallel run failed; resume from the last checkpoint.");
        }

        long start = Stopwatch.GetTimestamp();
        long step = StepCount + 1;
        try
        {
            return Options.Algorithm == DataParallelAlgorithm.Sgd
                ? await SgdStepAsync(step, start, rows).ConfigureAwait(false)
                : await NaturalGradientStepAsync(step, start, rows).ConfigureAwait(false);
        }
        catch (DataParallelException)
        {
            _failed = true;
            throw;
        }
    }

    private async Task<StepResult> NaturalGradientStepAsync(long step, long start, (Payload Inputs, Payload Targets)[]? rows)
    {
        NaturalGradientOptions ngd = Options.NaturalGradient;
        (double before, double mse, ulong[] generator) = await StatisticsAsync(step, rows).ConfigureAwait(false);
        if (!double.IsFinite(before))
        {
            await Phase(step, "rolling back", _workers.Select(w => w.Rollback())).ConfigureAwait(false);
            throw new OptimizerStepException(StepQuantity.Loss, -1, Damping, 0, string.Create(CultureInfo.InvariantCulture,
                $"The loss of data-parallel step {step} is {before} before the update; the weights are as before the step."));
        }

        double alpha = ngd.LearningRate;
        double stepScale = alpha / _owners.Length;
        double damping = Damping;
        int retries = 0;
        while (true)
        {
            double current = damping;
            SolveReply[] solved = await Phase(step, "solving at the layer owners", _owners.Select(o => o.Solve(step, current)))
                .ConfigureAwait(false);
            int failedLayer = Array.FindIndex(solved, s => !s.Solved);
            double predicted = double.NaN, after = double.NaN;
            if (failedLayer < 0)
            {
                double dot = 0;
                foreach (SolveReply reply in solved)
                {
                    dot += reply.Dot;
                }

                predicted = stepScale * (1 - (alpha / 2)) * dot;
                if (double.IsFinite(predicted))
                {
                    await Phase(step, "updating and broadcasting the layers", _owners.Select(o => o.Apply(step, stepScale)))
                        .ConfigureAwait(false);
                    if (ngd.AdaptiveDamping)
                    {
                        StatisticsReply[] losses = await Phase(step, "evaluating the loss after the update",
                            _workers.Select(w => w.EvaluateLoss())).ConfigureAwait(false);
                        after = Sum(losses, r => r.LossSum) / Options.BatchSize;
                    }

                    if (!ngd.AdaptiveDamping || double.IsFinite(after))
                    {
                        double rho = double.NaN, next = current;
                        if (ngd.AdaptiveDamping)
                        {
                            next = NaturalGradientOptimizer<T>.AdaptedDamping(ngd, current, before, after, predicted, out rho);
                        }

                        Damping = next;
                        StepCount = step;
                        generator.CopyTo(_generator, 0);
                        return new StepResult(step, before, mse, after, current, next, rho, retries, Stopwatch.GetElapsedTime(start));
                    }

                    await RollbackAsync(step).ConfigureAwait(false);
                }
            }

            if (retries >= ngd.MaxRetries || damping >= ngd.MaxDamping)
            {
                if (failedLayer >= 0)
                {
                    await Phase(step, "rolling back", _workers.Select(w => w.Rollback())).ConfigureAwait(false);
                }

                throw failedLayer >= 0
                    ? new CurvatureFactorizationException((StepQuantity)solved[failedLayer].FailedSide, failedLayer,
                        solved[failedLayer].PivotIndex, solved[failedLayer].PivotValue, current, false, retries)
                    : new OptimizerStepException(double.IsFinite(predicted) ? StepQuantity.LossAfter : StepQuantity.Update, -1, current, retries,
                        string.Create(CultureInfo.InvariantCulture,
                            $"Data-parallel step {step} failed after {retries} retries at damping lambda = {current} (predicted decrease {predicted}, loss after {after}). The weights are as before the step."));
            }

            retries++;
            damping = Math.Min(damping * ngd.DampingIncrease, ngd.MaxDamping);
        }
    }

    private async Task<StepResult> SgdStepAsync(long step, long start, (Payload Inputs, Payload Targets)[]? rows)
    {
        (double loss, double mse, _) = await StatisticsAsync(step, rows).ConfigureAwait(false);
        if (!double.IsFinite(loss))
        {
            await Phase(step, "rolling back", _workers.Select(w => w.Rollback())).ConfigureAwait(false);
            throw new OptimizerStepException(StepQuantity.Loss, -1, double.NaN, 0, string.Create(CultureInfo.InvariantCulture,
                $"The loss of data-parallel SGD step {step} is {loss}; the weights are as before the step."));
        }

        await Phase(step, "summing gradients at the layer owners", _owners.Select(o => o.Solve(step, 1.0))).ConfigureAwait(false);
        double rate = Options.Sgd.LearningRate;
        await Phase(step, "updating and broadcasting the layers", _owners.Select(o => o.Apply(step, rate))).ConfigureAwait(false);
        StepCount = step;
        return new StepResult(step, loss, mse, double.NaN, double.NaN, double.NaN, double.NaN, 0, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>Every rank's statistics, sent to the owners; the global loss and mean squared error.</summary>
    private async Task<(double Loss, double MeanSquaredError, ulong[] Generator)> StatisticsAsync(long step,
        (Payload Inputs, Payload Targets)[]? rows)
    {
        ulong[] generator = (ulong[])_generator.Clone();
        StatisticsReply[] replies = await Phase(step, "computing and sending the statistics",
            _workers.Select((w, r) => w.ComputeStatistics(new StatisticsRequest
            {
                Step = step,
                Generator = generator,
                Inputs = rows?[r].Inputs,
                Targets = rows?[r].Targets,
            }))).ConfigureAwait(false);
        for (int r = 1; r < replies.Length; r++)
        {
            if (!replies[r].Generator.AsSpan().SequenceEqual(replies[0].Generator))
            {
                throw new DataParallelException(step, "checking the ranks' generators",
                    new InvalidOperationException($"Rank {r} ended the sampled errors in another generator state than rank 0."));
            }
        }

        double loss = Sum(replies, r => r.LossSum) / Options.BatchSize;
        double mse = Sum(replies, r => r.SquaredErrorSum) / ((double)Options.BatchSize * _outputSize);
        return (loss, mse, replies[0].Generator);
    }

    private async Task RollbackAsync(long step)
    {
        await Phase(step, "rolling back", _workers.Select(w => w.Rollback()).Concat(_owners.Select(o => o.Restore())))
            .ConfigureAwait(false);
    }

    /// <summary>The scalar all-reduce of the loss: a sum in rank order, the same bits every run.</summary>
    private static double Sum(StatisticsReply[] replies, Func<StatisticsReply, double> value)
    {
        double sum = 0;
        foreach (StatisticsReply reply in replies)
        {
            sum += value(reply);
        }

        return sum;
    }

    /// <summary>
    /// Writes a checkpoint at this step boundary: rank 0 writes the network and the optimizer's state in
    /// the NgdKernel checkpoint format (natural gradient: step count, damping and sampling generator, as
    /// <see cref="NaturalGradientOptimizer{T}"/> writes them; SGD: step count and the owners' momentum
    /// buffers, as <see cref="SgdOptimizer{T}"/> writes them), with every rank's shard cursor in the
    /// application section. The file loads on one machine into an optimizer of the same kind. Like
    /// <see cref="Checkpoint.Save{T}(string, IOptimizer{T}, ReadOnlySpan{byte})"/>, it replaces the file by an
    /// atomic rename, so a failed write leaves the previous checkpoint intact.
    /// </summary>
    /// <param name="path">The file, on rank 0's machine.</param>
    /// <param name="applicationData">The caller's own bytes (its progress, say), kept in the application
    /// section after the run's and returned by <see cref="ResumedApplicationData"/> on resume; null for none.</param>
    /// <exception cref="DataParallelException">A worker or owner failed or did not answer in time.</exception>
    /// <exception cref="InvalidOperationException">An earlier step failed with <see cref="DataParallelException"/>.</exception>
    public async Task SaveCheckpointAsync(string path, byte[]? applicationData = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (_failed)
        {
            throw new InvalidOperationException("A step of this data-parallel run failed; its workers may not hold a step boundary.");
        }

        try
        {
            byte[][] states = await Waits.All(_workers.Select(w => w.GetDataState()), Options.Timeout).ConfigureAwait(false);
            var section = new DataParallelCheckpoint(Options.WorkerCount, Options.BatchSize, Options.DataSet, Options.DataSeed, states)
            {
                ApplicationData = applicationData ?? [],
            };
            bool sgd = Options.Algorithm == DataParallelAlgorithm.Sgd;
            byte[][] velocities = sgd && Options.Sgd.Momentum > 0
                ? await Waits.All(_owners.Select(o => o.GetVelocity()), Options.Timeout).ConfigureAwait(false)
                : [];
            await _workers[0].SaveCheckpoint(new CheckpointRequest
            {
                Path = Path.GetFullPath(path),
                Step = StepCount,
                Damping = Damping,
                Generator = (ulong[])_generator.Clone(),
                ApplicationData = section.ToBytes(),
                MinDamping = Options.NaturalGradient.MinDamping,
                MaxDamping = Options.NaturalGradient.MaxDamping,
                Sgd = sgd,
                Momentum = Options.Sgd.Momentum,
                Velocity = velocities,
            }).WaitAsync(Options.Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not DataParallelException)
        {
            throw new DataParallelException(StepCount, "writing the checkpoint", e);
        }
    }

    /// <summary>Rank <paramref name="rank"/>'s replica of layer <paramref name="layer"/>'s weights, <c>[out, in]</c> row-major.</summary>
    /// <exception cref="DataParallelException">The worker failed or did not answer in time.</exception>
    public async Task<T[]> GetWeightsAsync(int rank, int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, _workers.Length);
        try
        {
            byte[] bytes = await _workers[rank].GetWeights(layer).WaitAsync(Options.Timeout).ConfigureAwait(false);
            return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
        }
        catch (Exception e) when (e is not DataParallelException)
        {
            throw new DataParallelException(StepCount, "reading weights", e);
        }
    }

    /// <summary>Copies rank 0's weights (every rank holds the same) into <paramref name="destination"/>.</summary>
    public async Task CopyWeightsToAsync(Network<T> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        for (int l = 0; l < destination.LayerCount; l++)
        {
            T[] weights = await GetWeightsAsync(0, l).ConfigureAwait(false);
            Span2D<T> target = destination.Weights(l);
            for (int i = 0; i < target.Height; i++)
            {
                weights.AsSpan(i * target.Width, target.Width).CopyTo(target.GetRowSpan(i));
            }
        }
    }

    private static byte[] WeightBytes(Network<T> network, int layer)
    {
        Span2D<T> weights = network.Weights(layer);
        var values = new T[weights.Height * weights.Width];
        for (int i = 0; i < weights.Height; i++)
        {
            weights.GetRowSpan(i).CopyTo(values.AsSpan(i * weights.Width, weights.Width));
        }

        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    private async Task<TResult[]> Phase<TResult>(long step, string phase, IEnumerable<Task<TResult>> calls)
    {
        try
        {
            return await Waits.All(calls, Options.Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not DataParallelException)
        {
            throw new DataParallelException(step, phase, e);
        }
    }

    private async Task Phase(long step, string phase, IEnumerable<Task> calls)
    {
        try
        {
            await Waits.All(calls, Options.Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not DataParallelException)
        {
            throw new DataParallelException(step, phase, e);
        }
    }
}
