using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NgdKernel.Distributed;

namespace NgdKernel.Cli.Distributed;

/// <summary>
/// <c>--workers P</c>: P silos in this process over loopback TCP, or with <c>--cluster</c> the silos of
/// other machines (<c>ngd silo</c>), and trainers that step through them.
/// The runner draws each batch as in a one-process run and every rank receives its slice, so the loss
/// curve is the one-process curve up to the rounding of the summed statistics.
/// </summary>
internal sealed class DataParallelTrainerSource : IClusterTrainerSource
{
    /// <summary>Longest wait for a silo to start or a step to answer.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly IClusterClient _client;
    private readonly Func<Task> _stop;
    private readonly int _workers;
    private readonly Dictionary<string, (long Steps, TimeSpan Elapsed)> _timings = new(StringComparer.Ordinal);

    private DataParallelTrainerSource(IClusterClient client, Func<Task> stop, int workers)
    {
        _client = client;
        _stop = stop;
        _workers = workers;
    }

    public static DataParallelTrainerSource Start(ExperimentSettings settings, TextWriter output)
    {
        if (settings.Cluster is string cluster)
        {
            IPEndPoint[] gateways = [.. cluster.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(g => SiloCommand.Endpoint(g, "--cluster"))];
            if (gateways.Length == 0)
            {
                throw new UsageException("--cluster needs the HOST:PORT of at least one silo's gateway.");
            }

            IHost client = DataParallelCluster.StartClientAsync(gateways, DataParallelCluster.DefaultClusterId, Timeout).GetAwaiter().GetResult();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"data-parallel: {settings.Workers} workers on the cluster of gateways {string.Join(", ", gateways.Select(g => g.ToString()))}"));
            return new DataParallelTrainerSource(client.Services.GetRequiredService<IClusterClient>(),
                () => DataParallelCluster.StopAsync(client, Timeout), settings.Workers);
        }

        LoopbackCluster loopback = LoopbackCluster.StartAsync(settings.Workers, new InMemoryShardSource(), Timeout).GetAwaiter().GetResult();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data-parallel: {settings.Workers} silos on 127.0.0.1, ports {string.Join(", ", loopback.SiloPorts)}"));
        return new DataParallelTrainerSource(loopback.Client, () => loopback.DisposeAsync().AsTask(), settings.Workers);
    }

    public ITrainer<T> Create<T>(ExperimentSettings settings, string optimizer, double learningRate, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new Trainer<T>(this, settings, optimizer, learningRate, batch);

    /// <summary>
    /// The CLI's resume state inside the data-parallel section, after checking that the checkpoint was
    /// written by a run with the same P and that its section and resume state agree on the batch.
    /// </summary>
    public ReadOnlySpan<byte> ResumeData(byte[] applicationData, string path)
    {
        DataParallelCheckpoint section;
        try
        {
            section = DataParallelCheckpoint.Parse(applicationData, path);
        }
        catch (NgdKernel.Checkpoints.CheckpointFormatException e)
        {
            throw new UsageException($"'{path}' holds no data-parallel state ({e.Message}): a checkpoint of a run without --workers resumes without --workers.");
        }

        if (section.WorkerCount != _workers)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"'{path}' was written with --workers {section.WorkerCount}; this run has --workers {_workers}. Resume with the same P (the bits depend on it)."));
        }

        // This run's own batch is checked with the rest of its settings against the resume state; here
        // the two records inside the file must agree, or the file was not written by one run.
        int batch = ResumeState.Read(section.ApplicationData, path).Runs[^1].Batch;
        if (section.BatchSize != batch)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"'{path}' contradicts itself: its data-parallel state has batch M = {section.BatchSize}, its run in progress M = {batch}. It was not written by one run; start afresh."));
        }

        return section.ApplicationData;
    }

    /// <summary>One line per optimizer: mean wall-clock time of a data-parallel step.</summary>
    public void WriteSummary(TextWriter output)
    {
        foreach ((string name, (long steps, TimeSpan elapsed)) in _timings)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"data-parallel {name}: {_workers} workers, {steps} steps, {elapsed.TotalMilliseconds / Math.Max(1, steps):F1} ms per step"));
        }
    }

    public void Dispose() => _stop().GetAwaiter().GetResult();

    private sealed class Trainer<T> : ITrainer<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly DataParallelTrainerSource _source;
        private readonly string _name;
        private readonly KernelContext _context;
        private readonly Network<T> _network;
        private readonly DataParallelOptions _options;
        private DataParallelTrainer<T>? _trainer;
        private readonly NgdKernel.Training.Trainer<T> _evaluator;
        private readonly double _lossScale;
        private bool _stale;

        public Trainer(DataParallelTrainerSource source, ExperimentSettings settings, string name, double learningRate, int batch)
        {
            _source = source;
            _name = name;
            _context = new KernelContext(settings.Threads);
            _network = TrainerFactory.CreateNetwork<T>(settings, _context);
            NaturalGradientOptions ngd = TrainerFactory.NaturalGradient(settings, learningRate, batch);
            SgdOptions sgd = TrainerFactory.Sgd(settings, name, learningRate);
            Optimizer = name == "ngd" ? new NaturalGradientOptimizer<T>(_network, ngd) : new SgdOptimizer<T>(_network, sgd);
            _options = new DataParallelOptions
            {
                WorkerCount = source._workers,
                BatchSize = batch,
                Algorithm = name == "ngd" ? DataParallelAlgorithm.NaturalGradient : DataParallelAlgorithm.Sgd,
                NaturalGradient = ngd,
                Sgd = sgd,
                DataSet = "",
                Timeout = DataParallelTrainerSource.Timeout,
            };
            _evaluator = new NgdKernel.Training.Trainer<T>(Optimizer, new TrainerOptions { BatchSize = batch, EvaluationBatchSize = 1000 });
            ExperimentSpec spec = settings.Spec;
            _lossScale = spec.Task == ExperimentTask.TeacherStudent ? 0.5 * spec.Widths[^1] / spec.NoiseVariance : double.NaN;
            BatchSize = batch;
        }

        public event EventHandler<StepRecoveredEventArgs>? Recovered
        {
            add { }
            remove { }
        }

        public int BatchSize { get; }

        public double? Damping => _name == "ngd" ? Cluster.Damping : null;

        /// <summary>A local optimizer over a copy of the weights (evaluation only; the cluster holds the state).</summary>
        public IOptimizer<T> Optimizer { get; }

        /// <summary>The run on the cluster: started from the initial weights when first needed, unless a checkpoint resumed it.</summary>
        private DataParallelTrainer<T> Cluster =>
            _trainer ??= DataParallelTrainer<T>.StartAsync(_source._client, _network, _options).GetAwaiter().GetResult();

        public void Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
        {
            StepResult result = Cluster.StepAsync(inputs, targets).GetAwaiter().GetResult();
            _stale = true;
            (long steps, TimeSpan elapsed) = _source._timings.GetValueOrDefault(_name);
            _source._timings[_name] = (steps + 1, elapsed + result.Elapsed);
        }

        public Losses Evaluate(DataSet<T> data)
        {
            if (_stale)
            {
                Cluster.CopyWeightsToAsync(_network).GetAwaiter().GetResult();
                _stale = false;
            }

            LossValues values = _evaluator.Evaluate(data.Inputs, data.Targets);
            double loss = double.IsNaN(_lossScale) ? values.Loss : _lossScale * values.MeanSquaredError;
            return new Losses(loss, values.MeanSquaredError);
        }

        /// <summary>Rank 0 writes the checkpoint (atomic replace), with the CLI's progress after the run's own section.</summary>
        public void SaveCheckpoint(string path, ReadOnlySpan<byte> applicationData)
        {
            try
            {
                Cluster.SaveCheckpointAsync(path, applicationData.ToArray()).GetAwaiter().GetResult();
            }
            catch (DataParallelException e) when (e.InnerException is IOException or UnauthorizedAccessException)
            {
                // The runner reports a file that cannot be written and keeps the previous checkpoint.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }

        /// <summary>Resumes the run on the cluster from the checkpoint instead of starting it.</summary>
        public void LoadCheckpoint(string path)
        {
            if (_trainer is not null)
            {
                throw new InvalidOperationException("A data-parallel run resumes from a checkpoint before its first step.");
            }

            try
            {
                _trainer = DataParallelTrainer<T>.ResumeAsync(_source._client, path, _options).GetAwaiter().GetResult();
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            _stale = true;
        }

        public void Dispose() => _context.Dispose();
    }
}
