using System.Diagnostics;

namespace NgdKernel.Optimizers;

/// <summary>
/// The undamped natural gradient of Eq. 10 with Moore-Penrose pseudo-inverses:
/// <c>dW_i = (alpha/L) &lt;e_i e_i^T&gt;^+ G_i &lt;x_{i-1} x_{i-1}^T&gt;^+</c>, model covariances in closed
/// form (Eq. 14, 15) or from samples.
/// </summary>
/// <remarks>
/// <para>For square invertible layers this is <c>F^g g</c> for the generalized inverse of Eq. 23 and
/// the end-to-end product follows <c>dW/dt = -W + &lt;y x^T&gt; Sigma^-1</c> (Eq. 18). When every hidden
/// width is at least <c>max(n_0, n_L)</c> the product moves exactly as under <c>F^+ g</c>. With a
/// bottleneck it follows Eq. 19 instead, which is a descent direction but not <c>F^+ g</c>.</para>
/// <para>Pseudo-inverses use <see cref="SymmetricEigen.PseudoInverse{T}(CommunityToolkit.HighPerformance.ReadOnlySpan2D{T}, T, CommunityToolkit.HighPerformance.Span2D{T}, Span{T}, KernelContext)"/> (O(n^3) per layer and side); this
/// optimizer is the theory's reference, the damped <see cref="NaturalGradientOptimizer{T}"/> is the
/// practical one. Steps allocate nothing after the first.</para>
/// <para><b>Not thread-safe</b> (see <see cref="IOptimizer{T}"/>): a Step, Rollback or checkpoint load that enters while another call is
/// inside this optimizer throws <see cref="InvalidOperationException"/> naming the type before touching any
/// state, detected by one interlocked flag without lock or allocation.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed partial class ExactNaturalGradientOptimizer<T> : IOptimizer<T>, IMemoryLayout<T, ExactNaturalGradientOptions>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Matrix<T>[] _inputCovariance;   // <x_l x_l^T>, [in, in]
    private readonly Matrix<T>[] _errorCovariance;   // <e e^T>, [out, out]
    private readonly Matrix<T>[] _inputPseudoInverse;
    private readonly Matrix<T>[] _errorPseudoInverse;
    private readonly Matrix<T>[] _directions;
    private readonly Matrix<T>[] _products;
    private readonly Matrix<T>[] _previousWeights;
    private readonly Matrix<T>? _sigma;
    private readonly Matrix<T> _scratch;
    private readonly T[] _eigenWorkspace;
    private readonly ulong[] _previousRngState = new ulong[4];
    private Xoshiro256 _rng;
    private Matrix<T>[] _sampledErrors = [];
    private long _previousStepCount;
    private StepBookkeeping<T> _step;

    /// <summary>Creates the optimizer.</summary>
    /// <exception cref="ArgumentException">
    /// An option is out of range, or closed-form covariances were asked of a nonlinear network
    /// (or, for the input side, of a network with biases), or the input covariance has the wrong size.
    /// </exception>
    public ExactNaturalGradientOptimizer(Network<T> network, ExactNaturalGradientOptions? options = null)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Options = options = ValidatedOptions.OrDefault(options);
        if (options.ErrorCovariance == CovarianceSource.Model && !network.IsLinear)
        {
            throw new ArgumentException(
                "'ErrorCovariance' is Model (Eq. 14), which holds for linear networks only: this network has a nonlinear layer; use CovarianceSource.Samples.",
                nameof(options));
        }

        if (options.ErrorCovariance == CovarianceSource.Model && network.OutputDensity != OutputDensity.Gaussian)
        {
            throw new ArgumentException(
                $"'ErrorCovariance' is Model (Eq. 14), the closed form of a Gaussian output, but the network's output density is {network.OutputDensity}: use CovarianceSource.ExactOutputFisher (or Samples).",
                nameof(options));
        }

        int n0 = network.InputSize;
        if (options.InputCovariance is not null)
        {
            if (!network.IsLinear || network.HasBias)
            {
                throw new ArgumentException(
                    "'InputCovariance' (Eq. 15 in closed form) needs a linear network without biases.", nameof(options));
            }

            if (options.InputCovariance.Length != n0 * n0)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"'InputCovariance' has {options.InputCovariance.Length} entries but the input width is {n0}: it must be {n0}x{n0} = {n0 * n0}."),
                    nameof(options));
            }
        }

        OptimizerMemory.Check<T, ExactNaturalGradientOptions, ExactNaturalGradientOptimizer<T>>(network, options, 0, nameof(network));
        if (options.InputCovariance is not null)
        {
            _sigma = new Matrix<T>(n0, n0);
            Span<T> s = _sigma.AsSpan();
            for (int i = 0; i < s.Length; i++)
            {
                s[i] = T.CreateChecked(options.InputCovariance[i]);
            }
        }

        _rng = new Xoshiro256(options.Seed);
        int layers = network.LayerCount;
        _inputCovariance = new Matrix<T>[layers];
        _errorCovariance = new Matrix<T>[layers];
        _inputPseudoInverse = new Matrix<T>[layers];
        _errorPseudoInverse = new Matrix<T>[layers];
        _directions = OptimizerBuffers.LikeWeights(network);
        _products = OptimizerBuffers.LikeWeights(network);
        _previousWeights = OptimizerBuffers.LikeWeights(network);
        int maxWidth = 1;
        for (int l = 0; l < layers; l++)
        {
            int nIn = network.InputWidth(l);
            int nOut = network.Widths[l + 1];
            _inputCovariance[l] = new Matrix<T>(nIn, nIn);
            _errorCovariance[l] = new Matrix<T>(nOut, nOut);
            _inputPseudoInverse[l] = new Matrix<T>(nIn, nIn);
            _errorPseudoInverse[l] = new Matrix<T>(nOut, nOut);
            maxWidth = Math.Max(maxWidth, Math.Max(nIn, nOut));
        }

        _scratch = new Matrix<T>(maxWidth, maxWidth);
        _eigenWorkspace = new T[SymmetricEigen.WorkspaceLength(maxWidth)];
    }

    /// <summary>
    /// The memory this optimizer allocates for <paramref name="network"/> at batches of
    /// <paramref name="batchSize"/> examples, buffer by buffer, with what sets each buffer's size
    /// (per layer the two covariances and their pseudo-inverses, direction, product and undo copy of the weights, eigen workspace, and the network workspace for the batch).
    /// The constructor checks the buffers that do not depend on the batch and the first step of each batch
    /// size the whole estimate, against <see cref="ExactNaturalGradientOptions.MemoryLimit"/>, before allocating anything.
    /// </summary>
    /// <param name="network">The network to train.</param>
    /// <param name="batchSize">Examples per step M (0: only the buffers that do not depend on it).</param>
    /// <param name="options">The options (null: defaults); they are validated.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is negative, or an option is out of range.</exception>
    public static MemoryEstimate EstimateMemory(Network<T> network, int batchSize, ExactNaturalGradientOptions? options = null)
    {
        OptimizerMemory.CheckEstimateArguments(network, batchSize);
        return OptimizerMemory.Estimate<T, ExactNaturalGradientOptions, ExactNaturalGradientOptimizer<T>>(network, batchSize,
            ValidatedOptions.OrDefault(options));
    }

    static string IMemoryLayout<T, ExactNaturalGradientOptions>.LimitOption => "ExactNaturalGradientOptions.MemoryLimit";

    static long? IMemoryLayout<T, ExactNaturalGradientOptions>.MemoryLimit(ExactNaturalGradientOptions options) => options.MemoryLimit;

    static int IMemoryLayout<T, ExactNaturalGradientOptions>.SampleCount(Network<T> network, ExactNaturalGradientOptions options) =>
        options.ErrorBlocks(network.OutputSize);

    static void IMemoryLayout<T, ExactNaturalGradientOptions>.DescribeMemory<TSink>(ref TSink sink, Network<T> network,
        ExactNaturalGradientOptions options, int rows)
    {
        if (options.InputCovariance is not null)
        {
            sink.Add("input covariance Sigma", 0, network.InputSize, network.InputSize, MemorySize.InputWidth);
        }

        for (int l = 0; l < network.LayerCount; l++)
        {
            sink.Add("input covariance and its pseudo-inverse", l, 2L * network.InputWidth(l), network.InputWidth(l), MemorySize.InputWidth);
            sink.Add("error covariance and its pseudo-inverse", l, 2L * network.Widths[l + 1], network.Widths[l + 1], MemorySize.OutputWidth);
        }

        OptimizerMemory.WeightsLike(ref sink, network, "direction");
        OptimizerMemory.WeightsLike(ref sink, network, "product");
        OptimizerMemory.WeightsLike(ref sink, network, "weights before the step (undo copy)");
        int maxWidth = OptimizerMemory.MaxWidth(network);
        sink.Add("scratch", -1, maxWidth, maxWidth, MemorySize.MaxWidth);
        sink.Add("eigendecomposition workspace", -1, 1, SymmetricEigen.WorkspaceLength(maxWidth), MemorySize.MaxWidth);
        if (rows > 0)
        {
            OptimizerMemory.Workspace(ref sink, network, rows, 0);
            if (options.ErrorCovariance != CovarianceSource.Model)
            {
                for (int l = 0; l < network.LayerCount; l++)
                {
                    sink.Add("sampled errors", l, (long)rows * options.ErrorBlocks(network.OutputSize), network.Widths[l + 1],
                        MemorySize.SampledBatch);
                }
            }
        }
    }

    /// <inheritdoc/>
    public Network<T> Network { get; }

    /// <summary>The validated options.</summary>
    public ExactNaturalGradientOptions Options { get; }

    /// <inheritdoc/>
    public long StepCount { get; private set; }

    /// <inheritdoc/>
    public StepResult Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        using ReentrancyGuard.Scope busy = _step.Guard.Enter(this);
        long start = Stopwatch.GetTimestamp();
        _previousStepCount = StepCount;
        _rng.GetState(_previousRngState);
        LossValues loss = ComputeDirections(inputs, targets);
        OptimizerBuffers.CopyWeights(Network, _previousWeights);
        T scale = T.CreateChecked(Options.LearningRate / Network.LayerCount);
        for (int l = 0; l < Network.LayerCount; l++)
        {
            Span<T> w = Network.WeightMatrix(l).AsSpan();
            TensorPrimitives.MultiplyAdd<T>(_directions[l].AsSpan(), scale, w, w);
        }

        StepCount++;
        _step.CanRollBack = true;
        return new StepResult(StepCount, loss.Loss, loss.MeanSquaredError, double.NaN, double.NaN, double.NaN, double.NaN, 0,
            Stopwatch.GetElapsedTime(start));
    }

    /// <inheritdoc/>
    public void Rollback()
    {
        using ReentrancyGuard.Scope busy = _step.EnterRollback(this);

        OptimizerBuffers.RestoreWeights(Network, _previousWeights);
        StepCount = _previousStepCount;
        _rng.SetState(_previousRngState);
    }

    /// <summary><c>N_l = &lt;e e^T&gt;^+ G_l &lt;x x^T&gt;^+</c> of the last computation (the update is <c>(alpha/L) N_l</c>).</summary>
    internal ReadOnlySpan2D<T> Direction(int layer) => _directions[layer].ReadOnlySpan;

    internal ReadOnlySpan2D<T> InputCovarianceOf(int layer) => _inputCovariance[layer].ReadOnlySpan;

    internal ReadOnlySpan2D<T> ErrorCovarianceOf(int layer) => _errorCovariance[layer].ReadOnlySpan;

    /// <summary>Covariances, pseudo-inverses and directions for a batch; weights untouched.</summary>
    internal LossValues ComputeDirections(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        OptimizerMemory.CheckBatch<T, ExactNaturalGradientOptions, ExactNaturalGradientOptimizer<T>>(ref _step.CheckedRows, Network, Options,
            inputs.Height, nameof(inputs));

        NetworkWorkspace<T> workspace = OptimizerBuffers.EnsureWorkspace(Network, ref _step.Workspace, inputs.Height);
        Network.CheckBatch(inputs, targets, workspace);
        KernelContext context = Network.Context;
        int rows = inputs.Height;
        int layers = Network.LayerCount;
        LossValues loss = Network.ComputeGradient(inputs, targets, workspace);
        if (!double.IsFinite(loss.Loss))
        {
            StepFailures.ThrowNonFiniteLoss(Network, inputs, targets, loss.Loss);
        }

        // Input side: closed form Lambda_{l+1} = W_l Lambda_l W_l^T from Sigma (Eq. 15), or the batch.
        for (int l = 0; l < layers; l++)
        {
            Span2D<T> lambda = _inputCovariance[l].Span;
            if (_sigma is not null)
            {
                if (l == 0)
                {
                    _sigma.CopyTo(_inputCovariance[0]);
                }
                else
                {
                    Matrix<T> w = Network.WeightMatrix(l - 1);
                    Span2D<T> temp = _scratch.Span.Slice(0, 0, w.Rows, w.Columns);
                    Gemm.Multiply(w.ReadOnlySpan, MatrixOp.None, _inputCovariance[l - 1].ReadOnlySpan, MatrixOp.None, T.One, T.Zero, temp, context);
                    Gemm.Multiply(temp, MatrixOp.None, w.ReadOnlySpan, MatrixOp.Transpose, T.One, T.Zero, lambda, context);
                }
            }
            else
            {
                Matrix<T> x = workspace.Activations[l];
                Syrk.Multiply(x.ReadOnlySpan.Slice(0, 0, rows, x.Columns), MatrixOp.Transpose, T.One / T.CreateChecked(rows),
                    T.Zero, lambda, context);
            }
        }

        // Error side: closed form LambdaT_L = S, LambdaT_l = W_{l+1}^T LambdaT_{l+1} W_{l+1} (Eq. 14), or samples.
        if (Options.ErrorCovariance == CovarianceSource.Model)
        {
            int nOut = Network.OutputSize;
            Span2D<T> last = _errorCovariance[layers - 1].Span;
            if (Network.IsIsotropicOutput)
            {
                last.Clear();
                for (int i = 0; i < nOut; i++)
                {
                    last[i, i] = Network.PrecisionScale;
                }
            }
            else
            {
                Network.Precision!.CopyTo(_errorCovariance[layers - 1]);
            }

            for (int l = layers - 1; l > 0; l--)
            {
                int nAbove = Network.Widths[l + 1];
                int nHere = Network.Widths[l];
                ReadOnlySpan2D<T> w = Network.WeightMatrix(l).ReadOnlySpan.Slice(0, 0, nAbove, nHere);
                Span2D<T> temp = _scratch.Span.Slice(0, 0, nAbove, nHere);
                Gemm.Multiply(_errorCovariance[l].ReadOnlySpan, MatrixOp.None, w, MatrixOp.None, T.One, T.Zero, temp, context);
                Gemm.Multiply(w, MatrixOp.Transpose, temp, MatrixOp.None, T.One, T.Zero, _errorCovariance[l - 1].Span, context);
            }
        }
        else
        {
            int blocks = Options.ErrorBlocks(Network.OutputSize);
            int samples = rows * blocks;
            if (_sampledErrors.Length == 0 || _sampledErrors[0].Rows < samples)
            {
                _sampledErrors = new Matrix<T>[layers];
                for (int l = 0; l < layers; l++)
                {
                    _sampledErrors[l] = new Matrix<T>(samples, Network.Widths[l + 1]);
                }
            }

            // The exact output Fisher: column j of a square root per example in block j, scaled by
            // sqrt(n_L) so that the covariance of the n_L M rows averages the exact expectation.
            T scale = T.Sqrt(T.CreateChecked(blocks));
            for (int k = 0; k < blocks; k++)
            {
                if (Options.ErrorCovariance == CovarianceSource.ExactOutputFisher)
                {
                    Network.FisherOutputErrors(workspace, _sampledErrors, k * rows, rows, k, scale);
                }
                else
                {
                    Network.SampleOutputErrors(ref _rng, workspace, _sampledErrors, k * rows, rows);
                }

                Network.Backpropagate(workspace, _sampledErrors, k * rows, rows);
            }

            for (int l = 0; l < layers; l++)
            {
                Matrix<T> e = _sampledErrors[l];
                Syrk.Multiply(e.ReadOnlySpan.Slice(0, 0, samples, e.Columns), MatrixOp.Transpose, T.One / T.CreateChecked(samples),
                    T.Zero, _errorCovariance[l].Span, context);
            }
        }

        for (int l = 0; l < layers; l++)
        {
            PseudoInverse(_inputCovariance[l], _inputPseudoInverse[l]);
            PseudoInverse(_errorCovariance[l], _errorPseudoInverse[l]);
            Gemm.Multiply(workspace.Gradients[l].ReadOnlySpan, MatrixOp.None, _inputPseudoInverse[l].ReadOnlySpan, MatrixOp.None,
                T.One, T.Zero, _products[l].Span, context);
            Gemm.Multiply(_errorPseudoInverse[l].ReadOnlySpan, MatrixOp.None, _products[l].ReadOnlySpan, MatrixOp.None,
                T.One, T.Zero, _directions[l].Span, context);
        }

        return loss;
    }

    private void PseudoInverse(Matrix<T> covariance, Matrix<T> destination)
    {
        int n = covariance.Rows;
        T cutoff = Options.PseudoInverseCutoff is double c
            ? T.CreateChecked(c)
            : T.CreateChecked(100 * n) * (T.BitIncrement(T.One) - T.One); // 100 n eps
        SymmetricEigen.PseudoInverse(covariance.ReadOnlySpan, cutoff, destination.Span,
            _eigenWorkspace.AsSpan(0, SymmetricEigen.WorkspaceLength(n)));
    }
}
