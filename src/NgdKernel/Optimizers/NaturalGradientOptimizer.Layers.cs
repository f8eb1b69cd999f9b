namespace NgdKernel.Optimizers;

// The per-layer half of Eq. 20 (covariances, damped factors, solves, or Sherman-Morrison running
// inverses), one layer after another or split over the kernel context's worker threads.
public sealed partial class NaturalGradientOptimizer<T>
{
    /// <summary>
    /// Estimated multiply-adds of all layers' gradient blocks, covariances, factors and solves below
    /// which a second thread does not pay (waking it costs some 10 us).
    /// </summary>
    private const double ParallelLayerWorkThreshold = 2e7;

    private LayerSplit? _split;

    /// <summary>The factors of <see cref="InterleavedDirections"/>, input and error side of each trained layer in turn.</summary>
    private readonly Matrix<T>[] _factors;

    /// <summary>
    /// The covariance each of <see cref="_factors"/> is factored from (both triangles written by the
    /// syrk, so the factorization reads its rows whole).
    /// </summary>
    private readonly Matrix<T>[] _factorSources;

    /// <summary>The damping of each of <see cref="_factors"/>.</summary>
    private readonly T[] _factorDampings;

    /// <summary>The layer of each pair of <see cref="_factors"/>.</summary>
    private readonly int[] _factorLayers;

    /// <summary>
    /// Whether the gradient blocks <c>G_l</c> of the last statistics are still to be computed: each
    /// goes with its layer's direction, so on a split the eight TN products run one per thread in
    /// the same job (one thread each scales better than two on one product) instead of as eight
    /// two-thread calls.
    /// </summary>
    private bool _gradientsPending;

    /// <summary>Whether the last directions were computed by layer groups on several threads (tests).</summary>
    internal bool UsedLayerSplit { get; private set; }

    /// <summary>
    /// Eq. 20 with Cholesky inverses for every layer. With a multi-threaded context and enough work,
    /// the layers are split into groups run as parts of one job on the context's worker pool, every
    /// kernel single-threaded inside: the kernels' results do not depend on the thread count and each
    /// layer reads only the workspace and writes only its own buffers, so the bits are those of the
    /// sequential loop. Returns the first failing layer (the lowest index, as the loop would) or -1.
    /// </summary>
    private int CholeskyDirections(NetworkWorkspace<T> workspace, int rows, T damping, ref CholeskyFailure failure)
    {
        LayerSplit? split = Network.Context.ThreadCount > 1 && _layers.Length > 1 ? Split(rows) : null;
        UsedLayerSplit = false;
        if (split is null || split.Work < ParallelLayerWorkThreshold)
        {
            EnsureGradients(workspace, rows);
            if (InterleavedDirections(workspace, rows, damping, ref failure, out int failed))
            {
                return failed;
            }

            foreach (int l in _controls.TrainedLayers)
            {
                if (!CholeskyDirection(l, workspace, rows, damping, Network.Context, out failure))
                {
                    return l;
                }
            }

            return -1;
        }

        UsedLayerSplit = split.Run(workspace, damping, refresh: false, _gradientsPending);
        _gradientsPending = false;
        return split.FirstFailure(ref failure);
    }

    /// <summary>
    /// Sherman-Morrison directions of every layer (<see cref="LayerCurvature{T}.ShermanMorrisonDirection"/>),
    /// split like <see cref="CholeskyDirections"/>: each layer updates only its own running state,
    /// and each group of layers has its own scratch, so the bits are those of the sequential loop.
    /// On a failure the layers after the failing one may have been updated too; the caller restores
    /// every layer's running state then, as it does after a sequential failure.
    /// </summary>
    private int ShermanMorrisonDirections(NetworkWorkspace<T> workspace, int rows, T damping, bool refresh,
        ref CholeskyFailure failure)
    {
        LayerSplit? split = Network.Context.ThreadCount > 1 && _layers.Length > 1 ? Split(rows) : null;
        UsedLayerSplit = false;
        if (split is null || split.Work < ParallelLayerWorkThreshold)
        {
            EnsureGradients(workspace, rows);
            foreach (int l in _controls.TrainedLayers)
            {
                if (!ShermanMorrisonDirection(l, workspace, rows, damping, refresh, _scratch!,
                    _rankOneWorkspace, Network.Context, out failure))
                {
                    return l;
                }
            }

            return -1;
        }

        UsedLayerSplit = split.Run(workspace, damping, refresh, _gradientsPending);
        _gradientsPending = false;
        return split.FirstFailure(ref failure);
    }

    private void EnsureGradients(NetworkWorkspace<T> workspace, int rows)
    {
        if (_gradientsPending)
        {
            if (_controls.AnyFrozen)
            {
                // A frozen layer's gradient block is never used: skip its m a b multiply-adds.
                foreach (int l in _controls.TrainedLayers)
                {
                    Network.Gradient(l, workspace, rows, Network.Context);
                }
            }
            else
            {
                Network.Gradients(workspace, rows);
            }

            _gradientsPending = false;
        }
    }

    /// <summary>
    /// The directions again from the statistics of the last <see cref="ComputeDirections(ReadOnlySpan2D{T}, ReadOnlySpan2D{T})"/>
    /// (tests: the layer loop alone, split or not, with the gradients already in place).
    /// </summary>
    internal int RecomputeDirections(int rows)
    {
        CholeskyFailure failure = default;
        return CholeskyDirections(_step.Workspace!, rows, T.CreateChecked(Math.Sqrt(_state.Damping)), ref failure);
    }

    /// <summary>Layer <paramref name="l"/>'s inputs <c>x_{l-1}</c>, one row per example of the batch (what <c>Lambda_l</c> is built from).</summary>
    private static ReadOnlySpan2D<T> BatchInputs(NetworkWorkspace<T> workspace, LayerCurvature<T> layer, int l, int rows) =>
        workspace.Activations[l].ReadOnlySpan.Slice(0, 0, rows, layer.InputWidth);

    /// <summary>
    /// Layer <paramref name="l"/>'s errors of the targets sampled from the model, the <paramref name="samples"/> rows after
    /// the batch's own (what <c>LambdaT_l</c> is built from).
    /// </summary>
    private static ReadOnlySpan2D<T> SampledErrors(NetworkWorkspace<T> workspace, LayerCurvature<T> layer, int l, int rows, int samples) =>
        workspace.Errors[l].ReadOnlySpan.Slice(rows, 0, samples, layer.OutputWidth);

    private bool CholeskyDirection(int l, NetworkWorkspace<T> workspace, int rows, T damping, KernelContext context,
        out CholeskyFailure failure)
    {
        LayerCurvature<T> layer = _layers[l];
        int samples = rows * _sizing.SampleCount;
        ReadOnlySpan2D<T> inputs = BatchInputs(workspace, layer, l, rows);
        ReadOnlySpan2D<T> errors = SampledErrors(workspace, layer, l, rows, samples);
        (T inputDamping, T errorDamping) = layer.SideDamping(inputs, errors, damping, Options.DampingForm);
        return layer.CholeskyDirection(inputs, errors, workspace.Gradients[l].ReadOnlySpan, inputDamping, errorDamping,
            Options.SampleSpace, context, out failure);
    }

    /// <summary>
    /// <see cref="CholeskyDirections"/> on one thread when every trained layer solves both sides in
    /// covariance space: all covariances first, then all damped factorizations interleaved
    /// from the covariances into the factors (<see cref="Cholesky.TryFactorInterleavedInto"/>:
    /// a small factorization waits on each row's square root, and the other factorizations fill that
    /// wait), then all solves. Each kernel gets the
    /// operands it gets in the layer-by-layer loop, so the bits are the same; on a failure, the
    /// lowest failing layer (its input side first) is reported, as the loop reports it. False, with
    /// nothing done, when a layer uses sample space.
    /// </summary>
    private bool InterleavedDirections(NetworkWorkspace<T> workspace, int rows, T damping, ref CholeskyFailure failure, out int failed)
    {
        failed = -1;
        int samples = rows * _sizing.SampleCount;
        foreach (int l in _controls.TrainedLayers)
        {
            if (!_layers[l].CovarianceSpaceBoth(Options.SampleSpace, rows, samples))
            {
                return false;
            }
        }

        KernelContext context = Network.Context;
        int count = 0;
        foreach (int l in _controls.TrainedLayers)
        {
            LayerCurvature<T> layer = _layers[l];
            ReadOnlySpan2D<T> inputs = BatchInputs(workspace, layer, l, rows);
            ReadOnlySpan2D<T> errors = SampledErrors(workspace, layer, l, rows, samples);
            (T inputDamping, T errorDamping) = layer.SideDamping(inputs, errors, damping, Options.DampingForm);
            layer.PrepareFactors(inputs, errors, context);
            _factorLayers[count / 2] = l;
            _factorSources[count] = layer.InputCovariance;
            _factors[count] = layer.InputFactor;
            _factorDampings[count++] = inputDamping;
            _factorSources[count] = layer.ErrorCovariance;
            _factors[count] = layer.ErrorFactor;
            _factorDampings[count++] = errorDamping;
        }

        int index = Cholesky.TryFactorInterleavedInto<T>(_factorSources.AsSpan(0, count), _factors.AsSpan(0, count),
            _factorDampings.AsSpan(0, count), out failure, context);
        if (index >= 0)
        {
            failed = _factorLayers[index / 2];
            _layers[failed].SetFailedSide(index % 2 == 0 ? StepQuantity.InputCovariance : StepQuantity.ErrorCovariance);
            return true;
        }

        foreach (int l in _controls.TrainedLayers)
        {
            _layers[l].SolveFactored(workspace.Gradients[l].ReadOnlySpan, context);
        }

        return true;
    }

    private bool ShermanMorrisonDirection(int l, NetworkWorkspace<T> workspace, int rows, T damping, bool refresh,
        Matrix<T> scratch, Span<T> rankOneWorkspace, KernelContext context, out CholeskyFailure failure)
    {
        LayerCurvature<T> layer = _layers[l];
        int samples = rows * _sizing.SampleCount;
        ReadOnlySpan2D<T> inputs = BatchInputs(workspace, layer, l, rows);
        ReadOnlySpan2D<T> errors = SampledErrors(workspace, layer, l, rows, samples);
        return layer.ShermanMorrisonDirection(inputs, errors, workspace.Gradients[l].ReadOnlySpan, damping, DecayPerExample,
            refresh, scratch, rankOneWorkspace, context, out failure);
    }

    private LayerSplit Split(int rows)
    {
        if (_split is null || _split.Rows != rows)
        {
            _split = new LayerSplit(this, rows);
        }

        return _split;
    }

    /// <summary>
    /// The layers of one batch size split into one group per thread by estimated cost (longest
    /// first, each to the least loaded group, ties to the lower group: deterministic), run as the
    /// parts of one preallocated job on the context's worker pool. In Sherman-Morrison mode every
    /// group but the first (which uses the optimizer's) has its own scratch and rank-1 workspace.
    /// </summary>
    private sealed class LayerSplit : IParallelJob
    {
        private readonly NaturalGradientOptimizer<T> _owner;
        private readonly KernelContext _serial;
        private readonly int[][] _groups;
        private readonly bool[] _failed;
        private readonly CholeskyFailure[] _failures;
        private readonly bool _sherman;
        private readonly Matrix<T>?[] _scratch;
        private readonly T[]?[] _rankOneWorkspaces;
        private NetworkWorkspace<T>? _workspace;
        private T _damping;
        private bool _refresh;
        private bool _gradients;

        public LayerSplit(NaturalGradientOptimizer<T> owner, int rows)
        {
            _owner = owner;
            Rows = rows;
            _serial = new KernelContext(1, owner.Network.Context.Path); // one thread: no pool to dispose
            int count = owner._layers.Length;
            _failed = new bool[count];
            _failures = new CholeskyFailure[count];
            _sherman = owner.Options.Inverse == CurvatureInverse.ShermanMorrison;
            var cost = new double[count];
            var order = new int[count];
            for (int l = 0; l < count; l++)
            {
                double a = owner._layers[l].InputWidth, b = owner._layers[l].OutputWidth, m = rows;
                double s = m * owner._sizing.SampleCount;
                // Sherman-Morrison: a rank-1 update per example and side (2 n^2) and the running syrk
                // dominate; Cholesky: covariances, factors and solves.
                // Both: the gradient block, m a b.
                cost[l] = owner._controls.IsFrozen(l) ? 0
                    : _sherman
                    ? (2.5 * ((m * a * a) + (s * b * b))) + (a * b * (a + b)) + (m * a * b)
                    : (m * a * a / 2) + (s * b * b / 2) + (((a * a * a) + (b * b * b)) / 3) + (a * b * (a + b)) + (m * a * b);
                order[l] = l;
                Work += cost[l];
            }

            Array.Sort(order, (x, y) => cost[y] != cost[x] ? cost[y].CompareTo(cost[x]) : x.CompareTo(y));
            int groupCount = Math.Min(owner.Network.Context.ThreadCount, count);
            var groups = new List<int>[groupCount];
            var load = new double[groupCount];
            for (int g = 0; g < groupCount; g++)
            {
                groups[g] = [];
            }

            foreach (int l in order)
            {
                int least = 0;
                for (int g = 1; g < groupCount; g++)
                {
                    least = load[g] < load[least] ? g : least;
                }

                groups[least].Add(l);
                load[least] += cost[l];
            }

            _groups = [.. groups.Select(g => g.ToArray())];
            _scratch = new Matrix<T>?[groupCount];
            _rankOneWorkspaces = new T[]?[groupCount];
            for (int g = 1; _sherman && g < groupCount; g++)
            {
                _scratch[g] = new Matrix<T>(rows * owner._sizing.SampleCount, owner._maxWidth);
                _rankOneWorkspaces[g] = new T[owner._rankOneWorkspace.Length];
            }
        }

        public int Rows { get; }

        /// <summary>Estimated multiply-adds of all layers.</summary>
        public double Work { get; }

        /// <summary>Every layer's direction; whether the groups ran on several threads.</summary>
        public bool Run(NetworkWorkspace<T> workspace, T damping, bool refresh, bool gradients)
        {
            _workspace = workspace;
            _damping = damping;
            _refresh = refresh;
            _gradients = gradients;
            Array.Clear(_failed);
            try
            {
                return _owner.Network.Context.Run(this, _groups.Length);
            }
            finally
            {
                _workspace = null;
            }
        }

        public void Execute(int part, int partCount)
        {
            foreach (int l in _groups[part])
            {
                if (_owner._controls.IsFrozen(l))
                {
                    continue; // no update: no gradient block, covariances or solves
                }

                if (_gradients)
                {
                    _owner.Network.Gradient(l, _workspace!, Rows, _serial);
                }

                _failed[l] = _sherman
                    ? !_owner.ShermanMorrisonDirection(l, _workspace!, Rows, _damping, _refresh,
                        _scratch[part] ?? _owner._scratch!, _rankOneWorkspaces[part] ?? _owner._rankOneWorkspace, _serial,
                        out _failures[l])
                    : !_owner.CholeskyDirection(l, _workspace!, Rows, _damping, _serial, out _failures[l]);
            }
        }

        public int FirstFailure(ref CholeskyFailure failure)
        {
            for (int l = 0; l < _failed.Length; l++)
            {
                if (_failed[l])
                {
                    failure = _failures[l];
                    return l;
                }
            }

            return -1;
        }
    }
}
