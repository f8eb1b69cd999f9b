using System.Runtime.CompilerServices;

namespace NgdKernel.Optimizers;

/// <summary>
/// The memory check the optimizers share: the buffers common to all of them, and the test made at
/// construction and at the first step of each batch size, before anything is allocated.
/// </summary>
internal static class OptimizerMemory
{
    /// <summary>One buffer shaped like each layer's weights.</summary>
    public static void WeightsLike<T, TSink>(ref TSink sink, Network<T> network, string buffer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TSink : struct, IMemorySink
    {
        for (int l = 0; l < network.LayerCount; l++)
        {
            sink.Add(buffer, l, network.Widths[l + 1], network.InputWidth(l), MemorySize.LayerWidths);
        }
    }

    /// <summary>The <see cref="NetworkWorkspace{T}"/> for <paramref name="rows"/> examples and K sampled passes.</summary>
    public static void Workspace<T, TSink>(ref TSink sink, Network<T> network, int rows, int sampleCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TSink : struct, IMemorySink
    {
        int layers = network.LayerCount;
        for (int l = 0; l <= layers; l++)
        {
            sink.Add("activations", l, rows, network.Widths[l] + (network.HasBias && l < layers ? 1 : 0), MemorySize.Batch);
        }

        for (int l = 0; l < layers; l++)
        {
            sink.Add(sampleCount > 0 ? "true and sampled errors" : "errors", l, (long)rows * (1 + sampleCount), network.Widths[l + 1],
                sampleCount > 0 ? MemorySize.SampledBatch : MemorySize.Batch);
            sink.Add("gradient", l, network.Widths[l + 1], network.InputWidth(l), MemorySize.LayerWidths);
        }

        sink.Add("output difference", layers, rows, network.Widths[layers], MemorySize.Batch);
    }

    /// <summary>The widest layer input or output (bias included), at least 1.</summary>
    public static int MaxWidth<T>(Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int maxWidth = 1;
        for (int l = 0; l < network.LayerCount; l++)
        {
            maxWidth = Math.Max(maxWidth, Math.Max(network.Widths[l + 1], network.InputWidth(l)));
        }

        return maxWidth;
    }

    /// <summary>The limit of an optimizer's options: the option, or <see cref="MemoryEstimate.DefaultLimit"/>.</summary>
    public static long Limit(long? option) => option ?? MemoryEstimate.DefaultLimit;

    /// <summary>Whether the buffers a total counted fit the limit (no allocation: the per-batch-size check).</summary>
    public static bool Fits<T>(in MemoryTotal total, long limit)
        where T : unmanaged => total.Fits(limit, Unsafe.SizeOf<T>());

    /// <summary>A list sink for <paramref name="network"/> at a batch size.</summary>
    public static MemoryList List<T>(Network<T> network, int batchSize, int sampleCount)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        new(network.Widths.ToArray(), network.HasBias, batchSize, sampleCount, Unsafe.SizeOf<T>());

    /// <summary>
    /// The estimate of <typeparamref name="TOptimizer"/>'s buffers at <paramref name="batchSize"/>, listed
    /// buffer by buffer; <paramref name="options"/> are already validated.
    /// </summary>
    public static MemoryEstimate Estimate<T, TOptions, TOptimizer>(Network<T> network, int batchSize, TOptions options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOptimizer : IMemoryLayout<T, TOptions>
    {
        int sampleCount = TOptimizer.SampleCount(network, options);
        MemoryList list = List(network, batchSize, sampleCount);
        TOptimizer.DescribeMemory(ref list, network, options, batchSize);
        return new MemoryEstimate(ReentrancyGuard.TypeName(typeof(TOptimizer)), batchSize, sampleCount, list.Items,
            Limit(TOptimizer.MemoryLimit(options)));
    }

    /// <summary>
    /// Throws <see cref="MemoryLimitException"/> when <typeparamref name="TOptimizer"/>'s buffers for batches of
    /// <paramref name="rows"/> (0: those that do not depend on the batch) exceed the limit; allocates nothing otherwise.
    /// </summary>
    public static void Check<T, TOptions, TOptimizer>(Network<T> network, TOptions options, int rows, string paramName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOptimizer : IMemoryLayout<T, TOptions>
    {
        var total = default(MemoryTotal);
        TOptimizer.DescribeMemory(ref total, network, options, rows);
        if (!Fits<T>(total, Limit(TOptimizer.MemoryLimit(options))))
        {
            throw Estimate<T, TOptions, TOptimizer>(network, rows, options).Exceeded(paramName, TOptimizer.LimitOption);
        }
    }

    /// <summary>
    /// <see cref="Check{T, TOptions, TOptimizer}"/> at the first step of each batch size: <paramref name="checkedRows"/>
    /// remembers the last size that passed, so a step of the same size checks nothing.
    /// </summary>
    public static void CheckBatch<T, TOptions, TOptimizer>(ref int checkedRows, Network<T> network, TOptions options, int rows,
        string paramName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOptimizer : IMemoryLayout<T, TOptions>
    {
        if (rows != checkedRows && rows > 0)
        {
            Check<T, TOptions, TOptimizer>(network, options, rows, paramName);
            checkedRows = rows;
        }
    }

    /// <summary>Validates the arguments of a public <c>EstimateMemory</c>.</summary>
    public static void CheckEstimateArguments<T>(Network<T> network, int batchSize)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
    }

    /// <summary>Checks a <c>MemoryLimit</c> option.</summary>
    public static void ValidateLimit(long? limit)
    {
        if (limit is long value && value <= 0)
        {
            throw NaturalGradientOptions.Range("MemoryLimit", value, "it must be > 0 bytes, or null for the default");
        }
    }
}

/// <summary>
/// An optimizer type's buffers as the shared memory check sees them: described once, counted by a
/// <see cref="MemoryList"/> for <c>EstimateMemory</c> and by a <see cref="MemoryTotal"/> (no allocation) for
/// the check at construction and at each new batch size.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
/// <typeparam name="TOptions">The optimizer's options.</typeparam>
internal interface IMemoryLayout<T, TOptions>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The option that sets the limit, as the exception names it (<c>SgdOptions.MemoryLimit</c>).</summary>
    static abstract string LimitOption { get; }

    /// <summary>The limit option's value (null: the default).</summary>
    static abstract long? MemoryLimit(TOptions options);

    /// <summary>Blocks of sampled errors per example in the workspace (0: none).</summary>
    static abstract int SampleCount(Network<T> network, TOptions options);

    /// <summary>Every buffer for batches of <paramref name="rows"/> (0: those that do not depend on the batch) into <paramref name="sink"/>.</summary>
    static abstract void DescribeMemory<TSink>(ref TSink sink, Network<T> network, TOptions options, int rows)
        where TSink : struct, IMemorySink;
}
