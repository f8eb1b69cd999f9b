namespace NgdKernel.Optimizers;

/// <summary>
/// One layer's curvature state for <see cref="NaturalGradientOptimizer{T}"/>: buffers for
/// <c>N = (LambdaT + dI)^-1 G (Lambda + dI)^-1</c> in covariance space, sample space or by
/// Sherman-Morrison running inverses. The two sides are named as in the paper: the input
/// covariance <c>Lambda</c> of the layer's activations (<c>[in, in]</c>, with the bias component) and the
/// error covariance <c>LambdaT</c> of its sampled errors (<c>[out, out]</c>).
/// </summary>
internal sealed partial class LayerCurvature<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Input widths (bias included) up to which the input side is solved without transposing.</summary>
    private const int DirectInputSolveMaxWidth = 48;

    private Matrix<T>? _inputGram;
    private Matrix<T>? _inputTemp;
    private Matrix<T>? _errorGram;
    private Matrix<T>? _errorTemp;
    private Matrix<T>? _savedInputCovariance;
    private Matrix<T>? _savedErrorCovariance;
    private Matrix<T>? _savedInputInverse;
    private Matrix<T>? _savedErrorInverse;
    private Matrix<T>? _product;
    private Matrix<T>? _transposed;
    private bool _savedInitialized;
    private bool _savedCovariances;
    private bool _savedInverses;
    private double _savedInputDamping;
    private double _savedErrorDamping;

    private Matrix<T>? _inputCovariance;
    private Matrix<T>? _errorCovariance;
    private Matrix<T>? _inputFactor;
    private Matrix<T>? _errorFactor;

    /// <remarks>
    /// The <c>[in, in]</c> and <c>[out, out]</c> covariance-space buffers are allocated by the first
    /// direction that solves that side in covariance space (in Sherman-Morrison mode, here): a side solved
    /// in sample space never needs them, and at wide layers they are the largest buffers of all.
    /// <see cref="DescribeMemory"/> lists the same buffers for the memory check.
    /// </remarks>
    public LayerCurvature(int outputWidth, int inputWidth, CurvatureInverse inverse, bool amortized = false)
    {
        OutputWidth = outputWidth;
        InputWidth = inputWidth;
        Direction = new Matrix<T>(outputWidth, inputWidth);
        if (inverse == CurvatureInverse.ShermanMorrison || amortized)
        {
            _ = InputCovariance;
            _ = ErrorCovariance;
            _ = InputFactor;
            _ = ErrorFactor;
            _savedInputCovariance = new Matrix<T>(inputWidth, inputWidth);
            _savedErrorCovariance = new Matrix<T>(outputWidth, outputWidth);
            _savedInputInverse = new Matrix<T>(inputWidth, inputWidth);
            _savedErrorInverse = new Matrix<T>(outputWidth, outputWidth);
            _product = new Matrix<T>(outputWidth, inputWidth);
        }
    }

    public int OutputWidth { get; }

    public int InputWidth { get; }

    /// <summary><c>N = (LambdaT + dI)^-1 G (Lambda + dI)^-1</c>, <c>[out, in]</c>.</summary>
    public Matrix<T> Direction { get; }

    /// <summary><c>Lambda</c> of the batch (Cholesky mode) or the running estimate (Sherman-Morrison); allocated on first use.</summary>
    public Matrix<T> InputCovariance => _inputCovariance ??= new Matrix<T>(InputWidth, InputWidth);

    /// <summary><c>LambdaT</c> of the batch (Cholesky mode) or the running estimate (Sherman-Morrison); allocated on first use.</summary>
    public Matrix<T> ErrorCovariance => _errorCovariance ??= new Matrix<T>(OutputWidth, OutputWidth);

    /// <summary>Cholesky factor, or in Sherman-Morrison mode the running inverse, of the input covariance; allocated on first use.</summary>
    public Matrix<T> InputFactor => _inputFactor ??= new Matrix<T>(InputWidth, InputWidth);

    /// <summary>Cholesky factor, or in Sherman-Morrison mode the running inverse, of the error covariance; allocated on first use.</summary>
    public Matrix<T> ErrorFactor => _errorFactor ??= new Matrix<T>(OutputWidth, OutputWidth);

    /// <summary>Whether the last Cholesky-mode direction used sample space on each side.</summary>
    public bool InputInSampleSpace { get; private set; }

    /// <summary>Whether the last Cholesky-mode direction used sample space on the error side.</summary>
    public bool ErrorInSampleSpace { get; private set; }

    /// <summary>The side whose factorization failed in the last direction that returned false.</summary>
    public StepQuantity FailedSide { get; private set; }

    /// <summary>Sherman-Morrison: the damping currently inside the running inverse of the input covariance.</summary>
    public double InputEffectiveDamping { get; private set; }

    /// <summary>Sherman-Morrison: the damping currently inside the running inverse of the error covariance.</summary>
    public double ErrorEffectiveDamping { get; private set; }

    public bool Initialized { get; private set; }

    /// <summary>
    /// Multiply-add count of applying <c>(X^T X / m + dI)^-1</c> to the <c>other</c> rows of a matrix
    /// with <c>n</c> columns: covariance space (syrk, Cholesky, two triangular solves) against sample
    /// space (Gram, Cholesky, two products, solve).
    /// </summary>
    public static bool PreferSampleSpace(int samples, int n, int other)
    {
        double m = samples;
        double covariance = (m * n * n / 2) + ((double)n * n * n / 3) + ((double)other * n * n);
        double sample = (m * m * n / 2) + (m * m * m / 3) + (2.0 * other * n * m) + (other * m * m);
        return sample < covariance;
    }

    /// <summary>Whether a side of <paramref name="n"/> columns with <paramref name="samples"/> rows is solved in sample space.</summary>
    public static bool UsesSampleSpace(SampleSpacePolicy policy, int samples, int n, int other) =>
        policy == SampleSpacePolicy.Always || (policy == SampleSpacePolicy.Auto && PreferSampleSpace(samples, n, other));

    /// <summary>
    /// The buffers of one layer (as the constructor and the directions allocate them) for batches of
    /// <paramref name="rows"/> examples; <paramref name="rows"/> = 0 lists those that do not depend on the batch.
    /// </summary>
    public static void DescribeMemory<TSink>(ref TSink sink, int layer, int outputWidth, int inputWidth,
        NaturalGradientOptions options, int rows)
        where TSink : struct, IMemorySink
    {
        sink.Add("direction", layer, outputWidth, inputWidth, MemorySize.LayerWidths);
        if (options.Inverse == CurvatureInverse.ShermanMorrison || options.AmortizedCurvature)
        {
            // Running covariance, running inverse and the undo copy of each.
            sink.Add("running input covariance and inverse, with undo copies", layer, 4L * inputWidth, inputWidth, MemorySize.InputWidth);
            sink.Add("running error covariance and inverse, with undo copies", layer, 4L * outputWidth, outputWidth, MemorySize.OutputWidth);
            sink.Add("preconditioned gradient", layer, outputWidth, inputWidth, MemorySize.LayerWidths);
            return;
        }

        if (rows == 0)
        {
            return;
        }

        int samples = rows * options.SampleCount;
        if (UsesSampleSpace(options.SampleSpace, rows, inputWidth, outputWidth))
        {
            sink.Add("input Gram matrix (sample space)", layer, rows, rows, MemorySize.Batch);
            sink.Add("input product (sample space)", layer, outputWidth, rows, MemorySize.Batch);
        }
        else
        {
            sink.Add("input covariance and its factor", layer, 2L * inputWidth, inputWidth, MemorySize.InputWidth);
            if (inputWidth > DirectInputSolveMaxWidth)
            {
                sink.Add("transposed gradient", layer, inputWidth, outputWidth, MemorySize.LayerWidths);
            }
        }

        if (UsesSampleSpace(options.SampleSpace, samples, outputWidth, inputWidth))
        {
            sink.Add("error Gram matrix (sample space)", layer, samples, samples, MemorySize.SampledBatch);
            sink.Add("error product (sample space)", layer, samples, inputWidth, MemorySize.SampledBatch);
        }
        else
        {
            sink.Add("error covariance and its factor", layer, 2L * outputWidth, outputWidth, MemorySize.OutputWidth);
        }
    }

    /// <summary>
    /// Eq. 20 by Cholesky solves, each side in covariance or sample space, with
    /// <paramref name="inputDamping"/> on the input covariance and <paramref name="errorDamping"/> on the
    /// error covariance (both <c>sqrt(lambda)</c> in the paper's form, see <see cref="SideDamping"/>).
    /// </summary>
    public bool CholeskyDirection(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> errors, ReadOnlySpan2D<T> gradient,
        T inputDamping, T errorDamping, SampleSpacePolicy policy, KernelContext context, out CholeskyFailure failure)
    {
        int m = inputs.Height;
        int n = errors.Height;
        Span2D<T> u = Direction.Span;

        InputInSampleSpace = UsesSampleSpace(policy, m, InputWidth, OutputWidth);
        if (InputInSampleSpace)
        {
            gradient.CopyTo(u);
            // (X^T X/m + dI)^-1 = (I - X^T (dm I + X X^T)^-1 X) / d, applied from the right:
            // U = (G - (G X^T) K^-1 X) / d with K = dm I + X X^T.
            EnsureSampleBuffers(ref _inputGram, ref _inputTemp, m, OutputWidth, m);
            if (!FactorSampleGram(inputs, inputDamping, _inputGram!, StepQuantity.InputCovariance, context, out Span2D<T> gram,
                out failure))
            {
                return false;
            }

            Span2D<T> temp = _inputTemp!.Span.Slice(0, 0, OutputWidth, m);
            Gemm.Multiply(gradient, MatrixOp.None, inputs, MatrixOp.Transpose, T.One, T.Zero, temp, context);
            Cholesky.SolveRight(gram, temp, context);
            Gemm.Multiply(temp, MatrixOp.None, inputs, MatrixOp.None, T.NegativeOne, T.One, u, context);
            Scale(u, T.One / inputDamping);
        }
        else
        {
            Syrk.Multiply(inputs, MatrixOp.Transpose, T.One / T.CreateChecked(m), T.Zero, InputCovariance.Span, context);
            if (!SolveInputCovariance(gradient, inputDamping, context, out failure))
            {
                return false;
            }
        }

        ErrorInSampleSpace = UsesSampleSpace(policy, n, OutputWidth, InputWidth);
        if (ErrorInSampleSpace)
        {
            // (E^T E/n + dI)^-1 U = (U - E^T K^-1 (E U)) / d with K = dn I + E E^T.
            EnsureSampleBuffers(ref _errorGram, ref _errorTemp, n, n, InputWidth);
            if (!FactorSampleGram(errors, errorDamping, _errorGram!, StepQuantity.ErrorCovariance, context, out Span2D<T> gram,
                out failure))
            {
                return false;
            }

            Span2D<T> temp = _errorTemp!.Span.Slice(0, 0, n, InputWidth);
            Gemm.Multiply(errors, MatrixOp.None, u, MatrixOp.None, T.One, T.Zero, temp, context);
            Cholesky.SolveLeft(gram, temp, context);
            Gemm.Multiply(errors, MatrixOp.Transpose, temp, MatrixOp.None, T.NegativeOne, T.One, u, context);
            Scale(u, T.One / errorDamping);
        }
        else
        {
            Syrk.Multiply(errors, MatrixOp.Transpose, T.One / T.CreateChecked(n), T.Zero, ErrorCovariance.Span, context);
            if (!SolveErrorCovariance(errorDamping, context, out failure))
            {
                return false;
            }
        }

        failure = default;
        return true;
    }

    /// <summary>
    /// Sherman-Morrison mode. The running covariances forget with <paramref name="decay"/> per
    /// example, <c>C &lt;- beta C + (1 - beta) x x^T</c>, and the running inverses follow by rank-1
    /// updates of <c>(C + d_eff I)^-1</c>; the damping inside them decays as <c>d_eff = beta^k d</c>
    /// until the next <paramref name="refresh"/> (Cholesky of <c>C + dI</c>, then inverse). Between
    /// refreshes, a side whose batch would need more rank-1 work than a factorization
    /// (<see cref="PreferRankOneUpdates"/>) gets the same <c>(C + d_eff I)^-1</c> by Cholesky instead.
    /// </summary>
    public bool ShermanMorrisonDirection(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> errors, ReadOnlySpan2D<T> gradient,
        T damping, double decay, bool refresh, Matrix<T> scratch, Span<T> rankOneWorkspace, KernelContext context,
        out CholeskyFailure failure)
    {
        bool refreshInput = refresh;
        bool refreshError = refresh;
        if (!Initialized)
        {
            Syrk.Multiply(inputs, MatrixOp.Transpose, T.One / T.CreateChecked(inputs.Height), T.Zero, InputCovariance.Span, context);
            Syrk.Multiply(errors, MatrixOp.Transpose, T.One / T.CreateChecked(errors.Height), T.Zero, ErrorCovariance.Span, context);
            refreshInput = refreshError = true;
            Initialized = true;
        }
        else
        {
            UpdateRunning(InputCovariance, inputs, decay, scratch, context);
            UpdateRunning(ErrorCovariance, errors, decay, scratch, context);
            if (!refreshInput)
            {
                InputEffectiveDamping *= Math.Pow(decay, inputs.Height);
                refreshInput = !FollowRunning(InputCovariance, InputFactor, inputs, decay, InputEffectiveDamping,
                    rankOneWorkspace, context);
            }

            if (!refreshError)
            {
                ErrorEffectiveDamping *= Math.Pow(decay, errors.Height);
                refreshError = !FollowRunning(ErrorCovariance, ErrorFactor, errors, decay, ErrorEffectiveDamping,
                    rankOneWorkspace, context);
            }
        }

        if (refreshInput)
        {
            if (!Refresh(InputCovariance, InputFactor, damping, context, out failure))
            {
                FailedSide = StepQuantity.InputCovariance;
                return false;
            }

            InputEffectiveDamping = double.CreateTruncating(damping);
        }

        if (refreshError)
        {
            if (!Refresh(ErrorCovariance, ErrorFactor, damping, context, out failure))
            {
                FailedSide = StepQuantity.ErrorCovariance;
                return false;
            }

            ErrorEffectiveDamping = double.CreateTruncating(damping);
        }

        Gemm.Multiply(gradient, MatrixOp.None, InputFactor.ReadOnlySpan, MatrixOp.None, T.One, T.Zero, _product!.Span, context);
        Gemm.Multiply(ErrorFactor.ReadOnlySpan, MatrixOp.None, _product.ReadOnlySpan, MatrixOp.None, T.One, T.Zero, Direction.Span, context);
        failure = default;
        return true;
    }

    /// <summary>The Sherman-Morrison undo point: flags, running covariances and running inverses.</summary>
    public void SaveRunningState() => SaveState(covariances: true, inverses: true);

    /// <summary>Back to the state of the last <see cref="SaveRunningState"/> or <see cref="SaveAmortizedState"/>.</summary>
    public void RestoreRunningState()
    {
        Initialized = _savedInitialized;
        InputEffectiveDamping = _savedInputDamping;
        ErrorEffectiveDamping = _savedErrorDamping;
        if (_savedCovariances)
        {
            _savedInputCovariance!.CopyTo(InputCovariance);
            _savedErrorCovariance!.CopyTo(ErrorCovariance);
        }

        if (_savedInverses)
        {
            _savedInputInverse!.CopyTo(InputFactor);
            _savedErrorInverse!.CopyTo(ErrorFactor);
        }
    }

    private void SaveState(bool covariances, bool inverses)
    {
        _savedInitialized = Initialized;
        _savedInputDamping = InputEffectiveDamping;
        _savedErrorDamping = ErrorEffectiveDamping;
        _savedCovariances = covariances && Initialized;
        _savedInverses = inverses && Initialized;
        if (_savedCovariances)
        {
            InputCovariance.CopyTo(_savedInputCovariance!);
            ErrorCovariance.CopyTo(_savedErrorCovariance!);
        }

        if (_savedInverses)
        {
            SaveInverses();
        }
    }

    private void SaveInverses()
    {
        InputFactor.CopyTo(_savedInputInverse!);
        ErrorFactor.CopyTo(_savedErrorInverse!);
        _savedInverses = true;
    }

    private static bool Refresh(Matrix<T> covariance, Matrix<T> inverse, T damping, KernelContext context, out CholeskyFailure failure)
    {
        covariance.CopyTo(inverse);
        if (!Cholesky.TryFactor(inverse.Span, damping, out failure, context))
        {
            return false;
        }

        Cholesky.Invert(inverse.Span, context);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="samples"/> Sherman-Morrison rank-1 updates of an <c>[n, n]</c> running
    /// inverse take less time than computing it afresh (copy, Cholesky factor, inverse from it): while
    /// <c>8 samples &lt; n</c>, or for at most <see cref="RankOneMinimumSamples"/> samples at any width.
    /// </summary>
    /// <remarks>
    /// Measured, not counted: by multiply-adds (<c>1.5 n^2</c> per update against <c>n^3/2</c>) the
    /// updates would pay while <c>3 samples &lt; n</c>, but their n-long level-1 loops run far below
    /// the factorization's rate. Crossover sample counts (refresh time over one update's time, one
    /// thread, Vector512, AMD EPYC Zen 5, 2026-12-04, each timed after 0.4 s of warm-up): float
    /// n = 9, 17, 33, 65, 129, 257: 3.1, 3.6, 4.4, 8.4, 12.0, 71; double: 5.1, 4.4, 4.9, 8.9, 13.5, 23.
    /// <c>n / 8</c> with a floor of 3 follows them within the noise of a shared machine. At the
    /// latency network's 33 inputs and batch of 32 the running inverse is therefore refactored every
    /// step, which is why Sherman-Morrison mode costs more per step there than the per-step Cholesky
    /// mode (it adds the running covariance's update and the inverse).
    /// </remarks>
    public static bool PreferRankOneUpdates(int samples, int n) => samples <= RankOneMinimumSamples || 8L * samples < n;

    /// <summary>Samples per step up to which rank-1 updates beat a refresh at every width measured.</summary>
    internal const int RankOneMinimumSamples = 3;

    /// <summary>
    /// The running inverse after <c>C</c> took in <paramref name="samples"/>:
    /// <c>(C + d_eff I)^-1</c> with the already decayed <paramref name="effectiveDamping"/>, by rank-1
    /// updates of the previous inverse or, when those cost more
    /// (<see cref="PreferRankOneUpdates"/>), by Cholesky of the running covariance. Both give the same
    /// matrix in exact arithmetic, since a moving-average update of <c>(C + dI)^-1</c> is the inverse
    /// of <c>beta C + (1 - beta) x x^T + beta d I</c>; the direct one with less rounding. Returns false
    /// when neither is trusted (the caller then refreshes with the full damping).
    /// </summary>
    private static bool FollowRunning(Matrix<T> covariance, Matrix<T> inverse, ReadOnlySpan2D<T> samples, double decay,
        double effectiveDamping, Span<T> rankOneWorkspace, KernelContext context) =>
        PreferRankOneUpdates(samples.Height, samples.Width)
            ? RankOneUpdates(inverse, samples, decay, rankOneWorkspace)
            : Refresh(covariance, inverse, T.CreateChecked(effectiveDamping), context, out _);

    /// <summary><c>C &lt;- beta^m C + sum_k (1 - beta) beta^(m-1-k) x_k x_k^T</c>, as one weighted syrk.</summary>
    private static void UpdateRunning(Matrix<T> covariance, ReadOnlySpan2D<T> samples, double decay, Matrix<T> scratch, KernelContext context)
    {
        int m = samples.Height;
        int width = samples.Width;
        Span2D<T> weighted = scratch.Span.Slice(0, 0, m, width);
        double power = 1; // beta^(m-1-k), k from the last row up
        for (int k = m - 1; k >= 0; k--)
        {
            T w = T.CreateChecked(Math.Sqrt((1 - decay) * power));
            ReadOnlySpan<T> source = samples.GetRowSpan(k);
            Span<T> target = weighted.GetRowSpan(k);
            System.Numerics.Tensors.TensorPrimitives.Multiply(source, w, target);
            power *= decay;
        }

        Syrk.Multiply(weighted, MatrixOp.Transpose, T.One, T.CreateChecked(power), covariance.Span, context);
    }

    private static bool RankOneUpdates(Matrix<T> inverse, ReadOnlySpan2D<T> samples, double decay, Span<T> workspace)
    {
        T beta = T.CreateChecked(decay);
        Span2D<T> span = inverse.Span;
        for (int k = 0; k < samples.Height; k++)
        {
            if (!ShermanMorrison.TryUpdateMovingAverage(span, samples.GetRowSpan(k), beta, workspace, out _))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The sample-space side of the Woodbury form: <c>K = d s I + S S^T</c> for the <c>s</c> rows of
    /// <paramref name="samples"/>, built in <paramref name="buffer"/> and factored in place, so that
    /// <c>(S^T S/s + dI)^-1 = (I - S^T K^-1 S) / d</c>. False, with <see cref="FailedSide"/> set to
    /// <paramref name="side"/>, when <c>K</c> does not factor.
    /// </summary>
    private bool FactorSampleGram(ReadOnlySpan2D<T> samples, T damping, Matrix<T> buffer, StepQuantity side, KernelContext context,
        out Span2D<T> gram, out CholeskyFailure failure)
    {
        int s = samples.Height;
        gram = buffer.Span.Slice(0, 0, s, s);
        Syrk.Multiply(samples, MatrixOp.None, T.One, T.Zero, gram, context);
        if (!Cholesky.TryFactor(gram, damping * T.CreateChecked(s), out failure, context))
        {
            FailedSide = side;
            return false;
        }

        return true;
    }

    private static void EnsureSampleBuffers(ref Matrix<T>? gram, ref Matrix<T>? temp, int samples, int tempRows, int tempColumns)
    {
        if (gram is null || gram.Rows < samples)
        {
            gram = new Matrix<T>(samples, samples);
        }

        if (temp is null || temp.Rows < tempRows || temp.Columns < tempColumns)
        {
            temp = new Matrix<T>(tempRows, tempColumns);
        }
    }

    /// <summary>
    /// <c>destination = source^T</c>, eight source rows at a time: each destination row then takes
    /// eight consecutive elements per visit, and the eight source rows stay in L1 across a panel.
    /// </summary>
    internal static void Transpose(ReadOnlySpan2D<T> source, Span2D<T> destination)
    {
        int rows = source.Height;
        int columns = source.Width;
        int r = 0;
        for (; r + 8 <= rows; r += 8)
        {
            ReadOnlySpan<T> s0 = source.GetRowSpan(r);
            ReadOnlySpan<T> s1 = source.GetRowSpan(r + 1);
            ReadOnlySpan<T> s2 = source.GetRowSpan(r + 2);
            ReadOnlySpan<T> s3 = source.GetRowSpan(r + 3);
            ReadOnlySpan<T> s4 = source.GetRowSpan(r + 4);
            ReadOnlySpan<T> s5 = source.GetRowSpan(r + 5);
            ReadOnlySpan<T> s6 = source.GetRowSpan(r + 6);
            ReadOnlySpan<T> s7 = source.GetRowSpan(r + 7);
            for (int c = 0; c < columns; c++)
            {
                Span<T> d = destination.GetRowSpan(c).Slice(r, 8);
                d[7] = s7[c];
                d[0] = s0[c];
                d[1] = s1[c];
                d[2] = s2[c];
                d[3] = s3[c];
                d[4] = s4[c];
                d[5] = s5[c];
                d[6] = s6[c];
            }
        }

        for (; r < rows; r++)
        {
            ReadOnlySpan<T> row = source.GetRowSpan(r);
            for (int c = 0; c < columns; c++)
            {
                destination[c, r] = row[c];
            }
        }
    }

    private static void Scale(Span2D<T> values, T factor)
    {
        for (int r = 0; r < values.Height; r++)
        {
            Span<T> row = values.GetRowSpan(r);
            System.Numerics.Tensors.TensorPrimitives.Multiply<T>(row, factor, row);
        }
    }
}
