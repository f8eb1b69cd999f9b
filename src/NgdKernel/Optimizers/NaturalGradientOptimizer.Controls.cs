namespace NgdKernel.Optimizers;

// Training controls in the step tail: scheduled learning rate, momentum on the preconditioned
// direction with its Eq. 21 prediction, frozen layers (decoupled weight decay is OptimizerControls').
public sealed partial class NaturalGradientOptimizer<T>
{
    private readonly OptimizerControls _controls;
    private readonly Matrix<T>[]? _velocity;
    private readonly Matrix<T>[]? _previousVelocity;
    private Matrix<T>? _momentumProducts;
    private Matrix<T>? _momentumSampled;
    private Matrix<T>? _momentumRight;
    private Matrix<T>? _momentumLeft;

    /// <summary>Momentum buffers <c>V</c> (one per layer, shaped like the weights), or null without momentum.</summary>
    internal Matrix<T>[]? Velocity => _velocity;

    /// <summary>The workspace of the last statistics: activations, true and sampled errors, gradients (tests).</summary>
    internal NetworkWorkspace<T>? Workspace => _step.Workspace;

    /// <summary>The alpha of the coming step: the learning rate times the schedule's factor at the step count.</summary>
    private double ScheduledRate()
    {
        double alpha = _controls.RateAt(_state.StepCount, Options.LearningRate);
        if (Options.AdaptiveDamping && !(alpha < 2))
        {
            throw new ArgumentOutOfRangeException("Schedule", alpha, string.Create(CultureInfo.InvariantCulture,
                $"The learning-rate schedule gives alpha = {alpha} at step {_state.StepCount}: with AdaptiveDamping it must be < 2, where the quadratic model of Eq. 21 predicts a decrease. The step was not taken."));
        }

        return alpha;
    }

    /// <summary>
    /// The decrease of the loss the Eq. 21 quadratic model predicts for the step about to be taken
    /// (<c>(alpha/L) N</c>, or <c>(alpha/L) V</c> with momentum, on the trained layers); with momentum
    /// it also sets <c>V = mu V_before + N</c>.
    /// </summary>
    /// <remarks>
    /// <para>The model is the one whose minimizer the damped step is: <c>m(s) = -G.s + s.B s / 2</c>
    /// with, per layer, <c>B_i s_i = L (LambdaT_i + d_e I) s_i (Lambda_i + d_i I)</c> (so that
    /// <c>B^-1 G = N / L</c>, and <c>s = (alpha/L) N</c> gives the paper's footnote-1 prediction
    /// <c>(alpha/L)(1 - alpha/2) sum tr(N^T G)</c>). With momentum the step is
    /// <c>s = (alpha/L) V</c>, <c>V = N + mu P</c> (<c>P</c> the previous velocity), and</para>
    /// <para><c>decrease = (alpha/L) G.V - (alpha^2 / (2L)) q(V)</c>, <c>q(V) = sum_i tr(V_i^T (LambdaT_i + d_e) V_i (Lambda_i + d_i))</c>.</para>
    /// <para>Since <c>(LambdaT + d_e) N (Lambda + d_i) = G</c> and the form is symmetric,
    /// <c>q(V) = N.G + 2 mu P.G + mu^2 q(P)</c>: only <c>q(P)</c> needs the curvature, the previous
    /// velocity under this batch's covariances and dampings (<see cref="LayerCurvature{T}.CurvatureQuadratic"/>).
    /// A velocity that points against this batch's gradient, or is long, lowers the prediction and
    /// can make it negative; rho then still compares the actual change with it (a negative
    /// prediction with a loss that rose reads as a good model).</para>
    /// </remarks>
    private double PredictedDecrease(NetworkWorkspace<T> workspace, int rows, double alpha, double stepScale)
    {
        if (_velocity is null)
        {
            double dot = 0;
            foreach (int l in _controls.TrainedLayers)
            {
                dot += double.CreateTruncating(TensorPrimitives.Dot<T>(
                    _layers[l].Direction.AsSpan(), workspace.Gradients[l].AsSpan()));
            }

            return stepScale * (1 - (alpha / 2)) * dot;
        }

        EnsureMomentumScratch(rows);
        double mu = Options.Momentum;
        T muT = T.CreateChecked(mu);
        double gradientDot = 0; // G.V
        double quadratic = 0;   // q(V)
        int samples = rows * _sizing.SampleCount; // K sampled, or n_L exact-Fisher blocks
        foreach (int l in _controls.TrainedLayers)
        {
            LayerCurvature<T> layer = _layers[l];
            ReadOnlySpan<T> g = workspace.Gradients[l].AsSpan();
            ReadOnlySpan<T> previous = _previousVelocity![l].AsSpan();
            double directionDot = double.CreateTruncating(TensorPrimitives.Dot<T>(layer.Direction.AsSpan(), g));
            double previousDot = double.CreateTruncating(TensorPrimitives.Dot<T>(previous, g));
            ReadOnlySpan2D<T> inputs = BatchInputs(workspace, layer, l, rows);
            ReadOnlySpan2D<T> errors = SampledErrors(workspace, layer, l, rows, samples);
            double previousQuadratic = layer.CurvatureQuadratic(inputs, errors, _previousVelocity[l].ReadOnlySpan,
                _momentumProducts!.Span, _momentumSampled!.Span, _momentumRight!.Span, _momentumLeft!.Span, Network.Context);
            gradientDot += directionDot + (mu * previousDot);
            quadratic += directionDot + (2 * mu * previousDot) + (mu * mu * previousQuadratic);

            Span<T> v = _velocity[l].AsSpan();
            TensorPrimitives.MultiplyAdd<T>(previous, muT, layer.Direction.AsSpan(), v);
        }

        return (stepScale * gradientDot) - (0.5 * stepScale * stepScale * Network.LayerCount * quadratic);
    }

    private void EnsureMomentumScratch(int rows)
    {
        int samples = rows * _sizing.SampleCount; // K sampled, or n_L exact-Fisher blocks
        int width = _maxWidth;
        if (_momentumProducts is null || _momentumProducts.Columns < rows)
        {
            _momentumProducts = new Matrix<T>(width, rows);
        }

        if (_momentumSampled is null || _momentumSampled.Rows < samples)
        {
            _momentumSampled = new Matrix<T>(samples, width);
        }

        _momentumRight ??= new Matrix<T>(width, width);
        _momentumLeft ??= new Matrix<T>(width, width);
    }

    /// <summary>The buffers of the controls: velocity and its undo copy, and the momentum prediction's scratch.</summary>
    private static void DescribeControlMemory<TSink>(ref TSink sink, Network<T> network, NaturalGradientOptions options, int rows)
        where TSink : struct, IMemorySink
    {
        if (options.Momentum == 0)
        {
            return;
        }

        OptimizerMemory.WeightsLike(ref sink, network, "velocity");
        OptimizerMemory.WeightsLike(ref sink, network, "velocity before the step (undo copy)");
        int width = OptimizerMemory.MaxWidth(network);
        sink.Add("momentum curvature products", -1, 2L * width, width, MemorySize.MaxWidth);
        if (rows > 0)
        {
            sink.Add("momentum curvature products (batch)", -1, width, rows, MemorySize.Batch);
            sink.Add("momentum curvature products (sampled)", -1, (long)rows * options.SampleCount, width, MemorySize.SampledBatch);
        }
    }

    private void SaveVelocity()
    {
        if (_velocity is not null)
        {
            for (int l = 0; l < _velocity.Length; l++)
            {
                _velocity[l].CopyTo(_previousVelocity![l]);
            }
        }
    }

    private void RestoreVelocity()
    {
        if (_velocity is not null)
        {
            for (int l = 0; l < _velocity.Length; l++)
            {
                _previousVelocity![l].CopyTo(_velocity[l]);
            }
        }
    }
}
