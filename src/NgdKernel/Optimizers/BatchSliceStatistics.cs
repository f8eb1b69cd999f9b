using NgdKernel.Densities;

namespace NgdKernel.Optimizers;

/// <summary>
/// The statistics of paper Eq. 20 over one slice of a batch: rows <c>[FirstRow, FirstRow + Rows)</c> of
/// a batch of <see cref="BatchSize"/> examples. Per layer the unnormalised sums <c>E^T X</c> (the
/// gradient), <c>X^T X</c> and <c>E_s^T E_s</c> of the <see cref="SampleCount"/> sampled backward passes.
/// Summed over the slices of a batch and handed to <see cref="PrecomputedCurvature{T}"/> with the scales
/// <c>1/M</c> and <c>1/(K M)</c>, they give the direction <see cref="NaturalGradientOptimizer{T}"/> takes
/// on the whole batch, up to the rounding of the sums: the worker side of data-parallel training.
/// </summary>
/// <remarks>
/// <para>The sampled errors of the slice are its rows of the errors one machine samples for the whole
/// batch from the same generator state, and the generator advances as for the whole batch: every slice
/// leaves it in the same state, and the result does not depend on how the batch is split. Sampling rows
/// of a batch needs the Gaussian output density.</para>
/// <para>Buffers are allocated here; <see cref="Compute"/>, <see cref="Evaluate"/> and
/// <see cref="WriteSums"/> allocate nothing. Not thread-safe.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed class BatchSliceStatistics<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly NetworkWorkspace<T> _workspace;
    private readonly Matrix<T> _square;
    private readonly T[] _sampleScratch;
    private bool _computed;

    /// <summary>Buffers for the statistics of <paramref name="rows"/> rows of a batch.</summary>
    /// <param name="network">The network (its current weights are used by every call).</param>
    /// <param name="batchSize">Examples M of the whole batch.</param>
    /// <param name="firstRow">The slice's first row in the batch.</param>
    /// <param name="rows">Rows of the slice, at least 1.</param>
    /// <param name="sampleCount">Sampled backward passes K; 0 forms the gradients alone (SGD).</param>
    /// <exception cref="ArgumentOutOfRangeException">The slice is not inside the batch, or K is negative.</exception>
    /// <exception cref="NotSupportedException">K &gt; 0 and the network's output density is not Gaussian.</exception>
    public BatchSliceStatistics(Network<T> network, int batchSize, int firstRow, int rows, int sampleCount)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        if (firstRow < 0 || (long)firstRow + rows > batchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(firstRow), firstRow, string.Create(CultureInfo.InvariantCulture,
                $"Rows [{firstRow}, {(long)firstRow + rows}) are not inside a batch of {batchSize}: 'firstRow' must be in [0, {batchSize - rows}]."));
        }

        if (sampleCount > 0 && network.Likelihood is not GaussianLikelihood<T>)
        {
            throw new NotSupportedException(
                $"Sampling a slice's rows of the output errors needs the Gaussian output density; this network's is {network.OutputDensity}.");
        }

        Network = network;
        BatchSize = batchSize;
        FirstRow = firstRow;
        Rows = rows;
        SampleCount = sampleCount;
        _workspace = new NetworkWorkspace<T>(network, rows, sampleCount);
        int maxWidth = OptimizerMemory.MaxWidth(network);
        _square = sampleCount == 0 ? new Matrix<T>(1, 1) : new Matrix<T>(maxWidth, maxWidth);
        _sampleScratch = sampleCount == 0 ? [] : new T[GaussianRowRange.ScratchLength(network.OutputSize)];
    }

    /// <summary>The network.</summary>
    public Network<T> Network { get; }

    /// <summary>Examples M of the whole batch.</summary>
    public int BatchSize { get; }

    /// <summary>The slice's first row in the batch.</summary>
    public int FirstRow { get; }

    /// <summary>Rows of the slice.</summary>
    public int Rows { get; }

    /// <summary>Sampled backward passes K (0: gradients only).</summary>
    public int SampleCount { get; }

    /// <summary>
    /// Values <see cref="WriteSums"/> writes for layer <paramref name="layer"/>: <c>n_out n_in</c> for the
    /// gradient, plus the two packed triangles (<see cref="PrecomputedCurvature{T}.PackedLength"/> of
    /// <c>n_in</c> and of <c>n_out</c>) when K &gt; 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not a layer of the network.</exception>
    public int SumsLength(int layer)
    {
        int a = Network.InputWidth(layer), b = Network.Widths[layer + 1];
        return checked((a * b) + (SampleCount == 0 ? 0
            : PrecomputedCurvature<T>.PackedLength(a) + PrecomputedCurvature<T>.PackedLength(b)));
    }

    /// <summary>
    /// Forward pass on the slice, the output errors against <paramref name="targets"/>, the K sampled
    /// output errors (the slice's rows of the batch's samples) and the backward passes (Eq. 7-8, 20).
    /// </summary>
    /// <param name="inputs">The slice's inputs, <c>[Rows, n_0]</c>.</param>
    /// <param name="targets">The slice's targets, <c>[Rows, n_L]</c>.</param>
    /// <param name="generator">The generator of the sampled targets, as before the batch; on return, as after it.</param>
    /// <returns>The mean loss and squared error over the slice's rows.</returns>
    /// <exception cref="ArgumentException">The slice is not <see cref="Rows"/> rows of the network's widths, or holds non-finite values.</exception>
    public LossValues Compute(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets, ref Xoshiro256 generator)
    {
        CheckRows(inputs);
        Network.CheckBatch(inputs, targets, _workspace);
        Network.ForwardUnchecked(inputs, _workspace);
        LossValues loss = Network.OutputErrors(targets, _workspace, computeErrors: true);
        for (int k = 1; k <= SampleCount; k++)
        {
            Network.SampleOutputErrorRows(ref generator, _workspace, _workspace.Errors, k * Rows, BatchSize, FirstRow, Rows, _sampleScratch);
        }

        Network.Backpropagate(_workspace, _workspace.Errors, 0, Rows, 1 + SampleCount);
        _computed = true;
        return loss;
    }

    /// <summary>The loss of the current weights on the slice (the after-loss of Eq. 21); the sums are kept.</summary>
    /// <exception cref="ArgumentException">As <see cref="Compute"/>.</exception>
    public LossValues Evaluate(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
    {
        CheckRows(inputs);
        Network.CheckBatch(inputs, targets, _workspace);
        _computed = false;
        Network.ForwardUnchecked(inputs, _workspace);
        return Network.OutputErrors(targets, _workspace, computeErrors: false);
    }

    /// <summary>
    /// Layer <paramref name="layer"/>'s sums of the last <see cref="Compute"/>: <c>E^T X</c> as
    /// <c>[n_out, n_in]</c> row-major, then (K &gt; 0) the packed lower triangles of <c>X^T X</c> and of
    /// <c>E_s^T E_s</c> over the K sampled passes, none of them divided by the number of rows.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not a layer of the network.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not <see cref="SumsLength"/> long.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="Compute"/> since the last <see cref="Evaluate"/>.</exception>
    public void WriteSums(int layer, Span<T> destination)
    {
        int length = SumsLength(layer);
        if (destination.Length != length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'destination' holds {destination.Length} values but layer {layer}'s sums are {length}."), nameof(destination));
        }

        if (!_computed)
        {
            throw new InvalidOperationException("The workspace holds no backward pass: call Compute before WriteSums.");
        }

        int a = Network.InputWidth(layer), b = Network.Widths[layer + 1];
        KernelContext context = Network.Context;
        ReadOnlySpan2D<T> x = _workspace.Activations[layer].ReadOnlySpan.Slice(0, 0, Rows, a);
        ReadOnlySpan2D<T> e = _workspace.Errors[layer].ReadOnlySpan.Slice(0, 0, Rows, b);
        Gemm.Multiply(e, MatrixOp.Transpose, x, MatrixOp.None, T.One, T.Zero, destination[..(a * b)].AsSpan2D(b, a), context);
        if (SampleCount == 0)
        {
            return;
        }

        int inputPacked = PrecomputedCurvature<T>.PackedLength(a);
        Span2D<T> square = _square.Span.Slice(0, 0, a, a);
        Syrk.Multiply(x, MatrixOp.Transpose, T.One, T.Zero, square, context);
        PrecomputedCurvature<T>.PackLower(square, destination.Slice(a * b, inputPacked));
        ReadOnlySpan2D<T> sampled = _workspace.Errors[layer].ReadOnlySpan.Slice(Rows, 0, Rows * SampleCount, b);
        square = _square.Span.Slice(0, 0, b, b);
        Syrk.Multiply(sampled, MatrixOp.Transpose, T.One, T.Zero, square, context);
        PrecomputedCurvature<T>.PackLower(square, destination[((a * b) + inputPacked)..]);
    }

    private void CheckRows(ReadOnlySpan2D<T> inputs)
    {
        if (inputs.Height != Rows)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'inputs' has {inputs.Height} rows but the slice is {Rows} rows."), nameof(inputs));
        }
    }
}
