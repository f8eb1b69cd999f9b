using System.Runtime.CompilerServices;
using NgdKernel.Densities;
using NgdKernel.Optimizers;

namespace NgdKernel.Networks;

/// <summary>
/// A feed-forward network of L dense layers <c>x_i = phi_i(W_i x_{i-1} + b_i)</c> (paper Eq. 1)
/// with an output density <c>p(y | x_L)</c>: the paper's Gaussian <c>N(x_L, SigmaT)</c> and the loss of
/// Eq. 6 by default, or a categorical (softmax) or Bernoulli (logistic) output (<see cref="Networks.OutputDensity"/>).
/// </summary>
/// <remarks>
/// <para>A minibatch is a row-major view <c>[batch, width]</c>, one example per row. The forward
/// pass is <c>Z_i = X_{i-1} W_i^T</c> (GEMM NT), the backward pass <c>E_{i-1} = (E_i W_i) o phi'</c>
/// (GEMM NN) and the gradient block <c>G_i = E_i^T X_{i-1} / M</c> (GEMM TN).</para>
/// <para>Layers are 0-based in the API: layer <c>l</c> is the paper's <c>i = l + 1</c>, with weights
/// <c>[n_{l+1}, n_l]</c>, or <c>[n_{l+1}, n_l + 1]</c> with the bias as the last column.</para>
/// <para>All passes write into a <see cref="NetworkWorkspace{T}"/> and allocate nothing.
/// Results are deterministic for a fixed <see cref="KernelContext"/> thread count.</para>
/// <para><b>Not thread-safe.</b> Use a network, its workspaces and its optimizer from one thread at a
/// time; the kernels inside each pass already use the threads of its <see cref="KernelContext"/>, whose
/// worker pool runs one job at a time. Two optimizers stepping one network from two threads corrupt
/// it (each optimizer detects only overlapping calls on itself). To train in parallel, give each
/// thread its own network (<see cref="CopyWeightsTo"/> clones the weights) and optimizer.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>; any other type is rejected by the constructor.</typeparam>
public sealed partial class Network<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Matrix<T>[] _weights;
    private readonly Activation[] _activations;
    private readonly int[] _widths;
    private readonly OutputLikelihood<T> _likelihood;

    /// <summary>Builds and initialises a network (<c>W ~ N(0, InitScale^2 / n_in)</c>, biases 0).</summary>
    /// <param name="options">Architecture, output covariance and seed; validated here.</param>
    /// <param name="context">Kernel options (threads, path) for every pass; null for <see cref="KernelContext.Default"/>.</param>
    /// <exception cref="NotSupportedException">T is neither <see cref="float"/> nor <see cref="double"/> (for example <see cref="Half"/>).</exception>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    /// <exception cref="MemoryLimitException">
    /// The weights exceed <see cref="NetworkOptions.MemoryLimit"/>, or one layer's weights exceed one .NET
    /// array; thrown before anything is allocated, naming the widths that size the buffer.
    /// </exception>
    public Network(NetworkOptions options, KernelContext? context = null)
    {
        SupportedElementType.ThrowIfUnsupported<T>("Network");
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var total = default(MemoryTotal);
        AddBuffers(ref total, options);
        if (!OptimizerMemory.Fits<T>(total, OptimizerMemory.Limit(options.MemoryLimit)))
        {
            throw EstimateMemory(options).Exceeded(nameof(options), "NetworkOptions.MemoryLimit");
        }

        Options = options;
        Context = context ?? KernelContext.Default;
        LayerCount = options.LayerCount;
        _widths = [.. options.Widths];
        _activations = new Activation[LayerCount];
        for (int l = 0; l < LayerCount; l++)
        {
            _activations[l] = options.ActivationOf(l);
        }

        HasBias = options.Bias;
        _weights = new Matrix<T>[LayerCount];
        for (int l = 0; l < LayerCount; l++)
        {
            _weights[l] = new Matrix<T>(_widths[l + 1], InputWidth(l));
        }

        _likelihood = OutputLikelihood<T>.Create(options, _widths[LayerCount]);
        Initialize(options.Seed, options.InitScale);
    }

    /// <summary>The options this network was built with.</summary>
    public NetworkOptions Options { get; }

    /// <summary>Kernel options used by every pass.</summary>
    public KernelContext Context { get; }

    /// <summary>Number of layers <c>L</c>.</summary>
    public int LayerCount { get; }

    /// <summary>
    /// The buffers the constructor would allocate for <paramref name="options"/> (each layer's weights, and
    /// the output precision and its factor for a full covariance), checked against
    /// <see cref="NetworkOptions.MemoryLimit"/> before allocating anything. Workspaces and optimizers
    /// allocate on top of this (see their own <c>EstimateMemory</c>).
    /// </summary>
    /// <param name="options">The architecture; validated here.</param>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public static MemoryEstimate EstimateMemory(NetworkOptions options)
    {
        SupportedElementType.ThrowIfUnsupported<T>("Network");
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var list = new MemoryList(options.Widths, options.Bias, 0, 0, Unsafe.SizeOf<T>());
        AddBuffers(ref list, options);
        return new MemoryEstimate(ReentrancyGuard.TypeName(typeof(Network<T>)), 0, 0, list.Items, OptimizerMemory.Limit(options.MemoryLimit));
    }

    private static void AddBuffers<TSink>(ref TSink sink, NetworkOptions options)
        where TSink : struct, IMemorySink
    {
        int layers = options.LayerCount;
        for (int l = 0; l < layers; l++)
        {
            sink.Add("weights", l, options.Widths[l + 1], options.Widths[l] + (options.Bias ? 1 : 0), MemorySize.LayerWidths);
        }

        if (!options.OutputCovariance.IsIsotropic)
        {
            int nOut = options.Widths[layers];
            sink.Add("output precision", layers - 1, nOut, nOut, MemorySize.OutputWidth);
            sink.Add("output precision factor", layers - 1, nOut, nOut, MemorySize.OutputWidth);
        }
    }

    /// <summary>Widths <c>n_0 .. n_L</c>.</summary>
    public ReadOnlySpan<int> Widths => _widths;

    /// <summary>Whether biases are folded into the weights as a last column.</summary>
    public bool HasBias { get; }

    /// <summary>Input width <c>n_0</c>.</summary>
    public int InputSize => _widths[0];

    /// <summary>Output width <c>n_L</c>.</summary>
    public int OutputSize => _widths[LayerCount];

    /// <summary>Total number of parameters <c>P</c> (weights and biases).</summary>
    public int ParameterCount
    {
        get
        {
            int p = 0;
            for (int l = 0; l < LayerCount; l++)
            {
                p += _weights[l].Rows * _weights[l].Columns;
            }

            return p;
        }
    }

    /// <summary>Activation of layer <paramref name="layer"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not in [0, <see cref="LayerCount"/>).</exception>
    public Activation ActivationOf(int layer)
    {
        CheckLayer(layer, LayerCount);
        return _activations[layer];
    }

    /// <summary>Columns of layer <paramref name="layer"/>'s weights: <c>n_l</c>, plus 1 with a bias.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not in [0, <see cref="LayerCount"/>).</exception>
    public int InputWidth(int layer)
    {
        CheckLayer(layer, LayerCount);
        return _widths[layer] + (HasBias ? 1 : 0);
    }

    /// <summary>Weights of layer <paramref name="layer"/> as <c>[n_{l+1}, n_l (+1)]</c>, writable.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not in [0, <see cref="LayerCount"/>).</exception>
    public Span2D<T> Weights(int layer)
    {
        CheckLayer(layer, LayerCount);
        return _weights[layer].Span;
    }

    internal Matrix<T> WeightMatrix(int layer) => _weights[layer];

    /// <summary>The output density <c>p(y | x_L)</c>: the loss, the output error and the sampled targets of Eq. 20.</summary>
    public OutputDensity OutputDensity => _likelihood.Density;

    /// <summary>Whether the output is a Gaussian with a full covariance (its products cost <c>n_L^2</c> per example).</summary>
    internal bool IsIsotropicOutput => (_likelihood as GaussianLikelihood<T>)?.Precision is null;

    internal T PrecisionScale => ((GaussianLikelihood<T>)_likelihood).PrecisionScale;

    internal Matrix<T>? Precision => ((GaussianLikelihood<T>)_likelihood).Precision;

    internal OutputLikelihood<T> Likelihood => _likelihood;

    /// <summary>Whether every layer is linear (identity activation).</summary>
    public bool IsLinear
    {
        get
        {
            foreach (Activation a in _activations)
            {
                if (a != Activation.Identity)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>A workspace for batches of up to <paramref name="capacity"/> examples.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> &lt; 1.</exception>
    public NetworkWorkspace<T> CreateWorkspace(int capacity)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A workspace holds at least one example.");
        }

        return new NetworkWorkspace<T>(this, capacity);
    }

    /// <summary>Re-initialises the weights: <c>N(0, scale^2 / n_in)</c>, biases 0, from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is negative, NaN or infinite; the weights are unchanged.</exception>
    public void Initialize(ulong seed, double scale = 1.0)
    {
        if (!double.IsFinite(scale) || scale < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale,
                string.Create(CultureInfo.InvariantCulture, $"'scale' is {scale}: it must be finite and >= 0."));
        }

        var rng = new Xoshiro256(seed);
        for (int l = 0; l < LayerCount; l++)
        {
            Matrix<T> w = _weights[l];
            T sd = T.CreateChecked(scale / Math.Sqrt(_widths[l]));
            Span2D<T> span = w.Span;
            for (int r = 0; r < w.Rows; r++)
            {
                Span<T> row = span.GetRowSpan(r);
                rng.FillGaussian(row[.._widths[l]], T.Zero, sd);
                if (HasBias)
                {
                    row[^1] = T.Zero;
                }
            }
        }
    }

    /// <summary>Copies all weights into <paramref name="destination"/> (same architecture).</summary>
    public void CopyWeightsTo(Network<T> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckSameArchitecture(destination, nameof(destination));
        for (int l = 0; l < LayerCount; l++)
        {
            _weights[l].CopyTo(destination._weights[l]);
        }
    }

    /// <summary>
    /// Forward pass (Eq. 1) of <paramref name="inputs"/> <c>[batch, n_0]</c> into the workspace.
    /// </summary>
    /// <returns>The output <c>x_L</c> as <c>[batch, n_L]</c>, a view into the workspace.</returns>
    /// <exception cref="ArgumentException">Shape mismatch or batch larger than the workspace.</exception>
    public ReadOnlySpan2D<T> Forward(ReadOnlySpan2D<T> inputs, NetworkWorkspace<T> workspace)
    {
        CheckInputs(inputs, workspace);
        ForwardUnchecked(inputs, workspace);
        return workspace.Output(inputs.Height);
    }

    /// <summary>
    /// Forward pass and the output density's prediction: the class probabilities <c>softmax(x_L)</c>
    /// (<see cref="OutputDensity.Categorical"/>), the output probabilities <c>sigmoid(x_L)</c>
    /// (<see cref="OutputDensity.Bernoulli"/>), or the mean <c>x_L</c> (<see cref="OutputDensity.Gaussian"/>).
    /// </summary>
    /// <returns><c>[batch, n_L]</c>, a view into the workspace valid until its next pass.</returns>
    /// <exception cref="ArgumentException">Shape mismatch, non-finite input, or batch larger than the workspace.</exception>
    /// <remarks>Allocates nothing; probabilities are computed by a max-shifted softmax (no overflow).</remarks>
    public ReadOnlySpan2D<T> Predict(ReadOnlySpan2D<T> inputs, NetworkWorkspace<T> workspace)
    {
        CheckInputs(inputs, workspace);
        ForwardUnchecked(inputs, workspace);
        return _likelihood.Predict(this, workspace, inputs.Height);
    }

    /// <summary>Loss of a batch (forward pass plus Eq. 6), without touching the weights.</summary>
    /// <exception cref="ArgumentException">Shape mismatch or batch larger than the workspace.</exception>
    public LossValues Evaluate(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets, NetworkWorkspace<T> workspace)
    {
        CheckBatch(inputs, targets, workspace);
        ForwardUnchecked(inputs, workspace);
        return OutputErrors(targets, workspace, computeErrors: false);
    }

    /// <summary>
    /// Forward pass, output errors against <paramref name="targets"/> and backward pass (Eq. 7-8):
    /// fills <see cref="NetworkWorkspace{T}.NegativeGradient"/> with <c>G_i = -dL/dW_i = &lt;e_i x_{i-1}^T&gt;</c>
    /// averaged over the batch.
    /// </summary>
    /// <returns>The batch loss before any update.</returns>
    /// <exception cref="ArgumentException">Shape mismatch or batch larger than the workspace.</exception>
    public LossValues ComputeGradient(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets, NetworkWorkspace<T> workspace)
    {
        CheckBatch(inputs, targets, workspace);
        ForwardUnchecked(inputs, workspace);
        LossValues loss = OutputErrors(targets, workspace, computeErrors: true);
        Backpropagate(workspace, workspace.Errors, 0, inputs.Height);
        Gradients(workspace, inputs.Height);
        return loss;
    }

    internal void ForwardUnchecked(ReadOnlySpan2D<T> inputs, NetworkWorkspace<T> workspace)
    {
        int rows = inputs.Height;
        int n0 = _widths[0];
        Span2D<T> x0 = workspace.Activations[0].Span;
        for (int r = 0; r < rows; r++)
        {
            inputs.GetRowSpan(r).CopyTo(x0.GetRowSpan(r)[..n0]);
        }

        for (int l = 0; l < LayerCount; l++)
        {
            Matrix<T> input = workspace.Activations[l];
            Matrix<T> output = workspace.Activations[l + 1];
            int width = _widths[l + 1];
            Span2D<T> z = output.Span.Slice(0, 0, rows, width);
            Gemm.Multiply(input.ReadOnlySpan.Slice(0, 0, rows, input.Columns), MatrixOp.None,
                _weights[l].ReadOnlySpan, MatrixOp.Transpose, T.One, T.Zero, z, Context);
            ApplyActivation(l, output, rows, width);
        }
    }

    /// <summary>
    /// Loss of the output density (Eq. 6 for the Gaussian); when <paramref name="computeErrors"/>, the
    /// output error <c>E_L = phi'_L o (-dloss/dx_L)</c> (Eq. 8) into <c>Errors[L-1]</c>.
    /// </summary>
    internal LossValues OutputErrors(ReadOnlySpan2D<T> targets, NetworkWorkspace<T> workspace, bool computeErrors)
    {
        LossValues loss = _likelihood.Loss(this, targets, workspace, computeErrors);
        if (computeErrors)
        {
            int rows = targets.Height;
            MultiplyByDerivative(LayerCount - 1, workspace.Errors[LayerCount - 1], 0, rows, OutputSize, workspace.Activations[LayerCount], rows);
        }

        return loss;
    }

    /// <summary>
    /// Fills <paramref name="errors"/>[L-1] rows <c>[offset, offset + rows)</c> with the output errors
    /// <c>phi'_L o e</c> of targets sampled from the model, <c>y ~ p(y | x_L)</c> (Eq. 20).
    /// </summary>
    internal void SampleOutputErrors(ref Xoshiro256 rng, NetworkWorkspace<T> workspace, Matrix<T>[] errors, int offset, int rows)
    {
        _likelihood.Sample(this, ref rng, workspace, errors[LayerCount - 1], offset, rows);
        MultiplyByDerivative(LayerCount - 1, errors[LayerCount - 1], offset, rows, OutputSize, workspace.Activations[LayerCount], rows);
    }

    /// <summary>
    /// Fills <paramref name="errors"/>[L-1] rows <c>[offset, offset + rows)</c> with <c>phi'_L o</c>
    /// <paramref name="scale"/> times column <paramref name="column"/> of a square root of each example's
    /// output Fisher: the n_L such blocks, back-propagated, give the error covariance of Eq. 20 as the
    /// exact expectation over the sampled targets.
    /// </summary>
    internal void FisherOutputErrors(NetworkWorkspace<T> workspace, Matrix<T>[] errors, int offset, int rows, int column, T scale)
    {
        _likelihood.FisherColumn(this, workspace, errors[LayerCount - 1], offset, rows, column, scale);
        MultiplyByDerivative(LayerCount - 1, errors[LayerCount - 1], offset, rows, OutputSize, workspace.Activations[LayerCount], rows);
    }

    /// <summary>
    /// Backward pass (Eq. 8) on rows <c>[offset, offset + blocks rows)</c> of <paramref name="errors"/>,
    /// whose last entry holds <c>e_L</c>: <paramref name="blocks"/> stacked passes over the same batch
    /// (the true errors and K sampled ones), each of <paramref name="rows"/> rows whose activations are
    /// rows <c>[0, rows)</c> of the workspace. One product per layer serves every block: the weights
    /// are packed once, and small batches make fewer, larger calls.
    /// </summary>
    internal void Backpropagate(NetworkWorkspace<T> workspace, Matrix<T>[] errors, int offset, int rows, int blocks = 1)
    {
        int total = rows * blocks;
        for (int l = LayerCount - 1; l > 0; l--)
        {
            int nIn = _widths[l];
            Span2D<T> below = errors[l - 1].Span.Slice(offset, 0, total, nIn);
            Gemm.Multiply(errors[l].ReadOnlySpan.Slice(offset, 0, total, _widths[l + 1]), MatrixOp.None,
                _weights[l].ReadOnlySpan.Slice(0, 0, _widths[l + 1], nIn), MatrixOp.None, T.One, T.Zero, below, Context);
            MultiplyByDerivative(l - 1, errors[l - 1], offset, total, nIn, workspace.Activations[l], rows);
        }
    }

    /// <summary><c>G_l = E_l^T X_{l-1} / rows</c> (GEMM TN) into the workspace gradients.</summary>
    internal void Gradients(NetworkWorkspace<T> workspace, int rows)
    {
        for (int l = 0; l < LayerCount; l++)
        {
            Gradient(l, workspace, rows, Context);
        }
    }

    /// <summary>Layer <paramref name="layer"/>'s block of <see cref="Gradients"/>, on the threads of <paramref name="context"/>.</summary>
    internal void Gradient(int layer, NetworkWorkspace<T> workspace, int rows, KernelContext context)
    {
        Matrix<T> x = workspace.Activations[layer];
        Gemm.Multiply(workspace.Errors[layer].ReadOnlySpan.Slice(0, 0, rows, _widths[layer + 1]), MatrixOp.Transpose,
            x.ReadOnlySpan.Slice(0, 0, rows, x.Columns), MatrixOp.None, T.One / T.CreateChecked(rows), T.Zero,
            workspace.Gradients[layer].Span, context);
    }

    internal void CheckBatch(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets, NetworkWorkspace<T> workspace)
    {
        CheckInputs(inputs, workspace);
        CheckTargets(targets, inputs.Height, inputs.Width, nameof(targets));
    }

    /// <summary>
    /// Checks targets against <paramref name="rows"/> examples: the widths the output density takes
    /// (<c>n_L</c>, or 1 for class labels), finite values, and values the density accepts.
    /// </summary>
    internal void CheckTargets(ReadOnlySpan2D<T> targets, int rows, int inputWidth, string paramName)
    {
        if (!_likelihood.AcceptsWidth(targets.Width, OutputSize) || targets.Height != rows)
        {
            string expected = targets.Width == OutputSize || !_likelihood.AcceptsWidth(1, OutputSize)
                ? string.Create(CultureInfo.InvariantCulture, $"{rows}x{OutputSize} (one row per example, n_L = {OutputSize} columns)")
                : string.Create(CultureInfo.InvariantCulture, $"{rows} rows (one per example) of {_likelihood.TargetWidths(OutputSize)}");
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"'{paramName}' is {targets.Height}x{targets.Width} but 'inputs' is {rows}x{inputWidth}: {paramName} must be {expected}."),
                paramName);
        }

        CheckFinite(targets, paramName);
        _likelihood.CheckTargetValues(targets, OutputSize, paramName);
    }

    internal void CheckInputs(ReadOnlySpan2D<T> inputs, NetworkWorkspace<T> workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (inputs.Width != InputSize || inputs.Height < 1)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"'inputs' is {inputs.Height}x{inputs.Width}: it must have at least one row and n_0 = {InputSize} columns."),
                nameof(inputs));
        }

        if (inputs.Height > workspace.Capacity)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"'inputs' has {inputs.Height} rows but the workspace holds {workspace.Capacity}: create a larger workspace."),
                nameof(inputs));
        }

        CheckFinite(inputs, nameof(inputs));

        if (workspace.Activations.Length != LayerCount + 1 || workspace.Activations[0].Columns != InputWidth(0))
        {
            throw new ArgumentException("The workspace belongs to a network of another architecture.", nameof(workspace));
        }
    }

    /// <summary>Throws unless <paramref name="layer"/> is in [0, <paramref name="layerCount"/>).</summary>
    internal static void CheckLayer(int layer, int layerCount, string paramName = "layer")
    {
        if ((uint)layer >= (uint)layerCount)
        {
            throw new ArgumentOutOfRangeException(paramName, layer, string.Create(CultureInfo.InvariantCulture,
                $"'{paramName}' is {layer} but the network has {layerCount} layers: it must be in [0, {layerCount - 1}]."));
        }
    }

    internal void CheckSameArchitecture(Network<T> other, string paramName)
    {
        bool same = other.LayerCount == LayerCount && other.HasBias == HasBias;
        for (int l = 0; same && l <= LayerCount; l++)
        {
            same = other._widths[l] == _widths[l];
        }

        if (!same)
        {
            throw new ArgumentException(
                $"'{paramName}' has widths [{string.Join(", ", other._widths)}] bias={other.HasBias} but this network has [{string.Join(", ", _widths)}] bias={HasBias}.",
                paramName);
        }
    }
}
