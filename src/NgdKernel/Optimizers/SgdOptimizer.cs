using System.Diagnostics;

namespace NgdKernel.Optimizers;

/// <summary>
/// Stochastic gradient descent, the paper's baseline: <c>W_i += alpha G_i</c> with
/// <c>G_i = &lt;e_i x_{i-1}^T&gt;</c> the negative gradient of Eq. 7 averaged over the batch;
/// optional heavy-ball momentum <c>V = mu V + G; W += alpha V</c>.
/// </summary>
/// <remarks>
/// The gradient is divided by the batch size once (the authors' SGD baseline divides it twice, so
/// the paper's learning rates are not comparable as numbers), so learning rates are on the scale
/// of the loss of Eq. 6. A step allocates nothing once a batch of its size has been seen.
/// <para>Training controls (<see cref="SgdOptions"/>): a learning-rate schedule gives the step's
/// <c>alpha_t</c>; decoupled weight decay adds <c>-alpha_t wd W_before</c>; frozen layers keep their
/// weights and velocity. With all of them the step is
/// <c>V = mu V + G; W = W_before + alpha_t (V - wd W_before)</c> on the trained layers.</para>
/// <para><b>Not thread-safe</b> (see <see cref="IOptimizer{T}"/>): a Step, Rollback or checkpoint load that enters while another call is
/// inside this optimizer throws <see cref="InvalidOperationException"/> naming the type before touching any
/// state, detected by one interlocked flag without lock or allocation.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed partial class SgdOptimizer<T> : IOptimizer<T>, IMemoryLayout<T, SgdOptions>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Matrix<T>[]? _velocity;
    private readonly Matrix<T>[]? _previousVelocity;
    private readonly Matrix<T>[] _previousWeights;
    private readonly T _learningRate;
    private readonly T _momentum;
    private readonly OptimizerControls _controls;
    private StepBookkeeping<T> _step;

    /// <summary>Creates an SGD optimizer for <paramref name="network"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range (named in the message).</exception>
    public SgdOptimizer(Network<T> network, SgdOptions? options = null)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Options = options = ValidatedOptions.OrDefault(options);
        _learningRate = T.CreateChecked(options.LearningRate);
        _momentum = T.CreateChecked(options.Momentum);
        _controls = new OptimizerControls(network.LayerCount, options.Schedule, options.WeightDecay, options.FrozenLayers);
        OptimizerMemory.Check<T, SgdOptions, SgdOptimizer<T>>(network, options, 0, nameof(network));
        _previousWeights = OptimizerBuffers.LikeWeights(network);
        if (options.Momentum > 0)
        {
            _velocity = OptimizerBuffers.LikeWeights(network);
            _previousVelocity = OptimizerBuffers.LikeWeights(network);
        }
    }

    /// <summary>
    /// The memory this optimizer allocates for <paramref name="network"/> at batches of
    /// <paramref name="batchSize"/> examples, buffer by buffer, with what sets each buffer's size
    /// (undo copy of the weights, momentum and its undo copy, and the network workspace for the batch).
    /// The constructor checks the buffers that do not depend on the batch and the first step of each batch
    /// size the whole estimate, against <see cref="SgdOptions.MemoryLimit"/>, before allocating anything.
    /// </summary>
    /// <param name="network">The network to train.</param>
    /// <param name="batchSize">Examples per step M (0: only the buffers that do not depend on it).</param>
    /// <param name="options">The options (null: defaults); they are validated.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is negative, or an option is out of range.</exception>
    public static MemoryEstimate EstimateMemory(Network<T> network, int batchSize, SgdOptions? options = null)
    {
        OptimizerMemory.CheckEstimateArguments(network, batchSize);
        return OptimizerMemory.Estimate<T, SgdOptions, SgdOptimizer<T>>(network, batchSize, ValidatedOptions.OrDefault(options));
    }

    static string IMemoryLayout<T, SgdOptions>.LimitOption => "SgdOptions.MemoryLimit";

    static long? IMemoryLayout<T, SgdOptions>.MemoryLimit(SgdOptions options) => options.MemoryLimit;

    static int IMemoryLayout<T, SgdOptions>.SampleCount(Network<T> network, SgdOptions options) => 0;

    static void IMemoryLayout<T, SgdOptions>.DescribeMemory<TSink>(ref TSink sink, Network<T> network, SgdOptions options, int rows)
    {
        OptimizerMemory.WeightsLike(ref sink, network, "weights before the step (undo copy)");
        if (options.Momentum > 0)
        {
            OptimizerMemory.WeightsLike(ref sink, network, "velocity");
            OptimizerMemory.WeightsLike(ref sink, network, "velocity before the step (undo copy)");
        }

        if (rows > 0)
        {
            OptimizerMemory.Workspace(ref sink, network, rows, 0);
        }
    }

    /// <inheritdoc/>
    public Network<T> Network { get; }

    /// <summary>The validated options.</summary>
    public SgdOptions Options { get; }

    /// <inheritdoc/>
    public long StepCount { get; private set; }

    /// <inheritdoc/>
    public StepResult Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        using ReentrancyGuard.Scope busy = _step.Guard.Enter(this);
        long start = Stopwatch.GetTimestamp();
        OptimizerMemory.CheckBatch<T, SgdOptions, SgdOptimizer<T>>(ref _step.CheckedRows, Network, Options, inputs.Height, nameof(inputs));

        NetworkWorkspace<T> workspace = OptimizerBuffers.EnsureWorkspace(Network, ref _step.Workspace, inputs.Height);
        LossValues loss = Network.ComputeGradient(inputs, targets, workspace);
        if (!double.IsFinite(loss.Loss))
        {
            StepFailures.ThrowNonFiniteLoss(Network, inputs, targets, loss.Loss);
        }

        double rate = _controls.RateAt(StepCount, Options.LearningRate);
        T learningRate = _controls.Schedule is null ? _learningRate : T.CreateChecked(rate);
        OptimizerBuffers.CopyWeights(Network, _previousWeights);
        foreach (int l in _controls.TrainedLayers)
        {
            Span<T> w = Network.WeightMatrix(l).AsSpan();
            Span<T> g = workspace.Gradients[l].AsSpan();
            if (_velocity is not null)
            {
                Span<T> v = _velocity[l].AsSpan();
                v.CopyTo(_previousVelocity![l].AsSpan());
                TensorPrimitives.MultiplyAdd<T>(v, _momentum, g, v);
                TensorPrimitives.MultiplyAdd<T>(v, learningRate, w, w);
            }
            else
            {
                TensorPrimitives.MultiplyAdd<T>(g, learningRate, w, w);
            }
        }

        _controls.Decay(Network, _previousWeights, rate);

        StepCount++;
        _step.CanRollBack = true;
        return new StepResult(StepCount, loss.Loss, loss.MeanSquaredError, double.NaN, double.NaN, double.NaN,
            double.NaN, 0, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>
    /// Floating-point operations of one <see cref="Step"/> on a batch of <paramref name="batchSize"/>
    /// examples: per layer (<c>a</c> inputs with the bias, <c>b</c> outputs, <c>n</c> inputs without it)
    /// forward 2Mab, gradient 2Mab, propagation to the layer below 2Mbn (not below the first layer)
    /// and the update 2ab (4ab with momentum); a full output covariance adds <c>2 M n_L^2</c>.
    /// Element-wise work (activations and their derivatives) is not counted.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public double FlopsPerStep(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        double m = batchSize;
        double total = 0;
        for (int l = 0; l < Network.LayerCount; l++)
        {
            double a = Network.InputWidth(l), b = Network.Widths[l + 1], n = Network.Widths[l];
            total += (4 * m * a * b) + (l > 0 ? 2 * m * b * n : 0) + ((_velocity is null ? 2 : 4) * a * b);
        }

        if (!Network.IsIsotropicOutput)
        {
            total += 2 * m * Network.OutputSize * Network.OutputSize;
        }

        return total;
    }

    /// <inheritdoc/>
    public void Rollback()
    {
        using ReentrancyGuard.Scope busy = _step.EnterRollback(this);

        OptimizerBuffers.RestoreWeights(Network, _previousWeights);
        if (_velocity is not null)
        {
            for (int l = 0; l < _velocity.Length; l++)
            {
                _previousVelocity![l].CopyTo(_velocity[l]);
            }
        }

        StepCount--;
    }
}

/// <summary>Buffer helpers shared by the optimizers.</summary>
internal static class OptimizerBuffers
{
    public static Matrix<T>[] LikeWeights<T>(Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = new Matrix<T>[network.LayerCount];
        for (int l = 0; l < result.Length; l++)
        {
            result[l] = new Matrix<T>(network.Widths[l + 1], network.InputWidth(l));
        }

        return result;
    }

    public static void CopyWeights<T>(Network<T> network, Matrix<T>[] destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int l = 0; l < destination.Length; l++)
        {
            network.WeightMatrix(l).CopyTo(destination[l]);
        }
    }

    public static void RestoreWeights<T>(Network<T> network, Matrix<T>[] source)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int l = 0; l < source.Length; l++)
        {
            source[l].CopyTo(network.WeightMatrix(l));
        }
    }

    /// <summary>The workspace, grown (the only allocation) when a larger batch arrives.</summary>
    public static NetworkWorkspace<T> EnsureWorkspace<T>(Network<T> network, ref NetworkWorkspace<T>? workspace, int rows,
        int sampleCount = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (workspace is null || workspace.Capacity < rows)
        {
            workspace = new NetworkWorkspace<T>(network, Math.Max(rows, 1), sampleCount);
        }

        return workspace;
    }
}
