using System.Text;

namespace NgdKernel.Optimizers;

/// <summary>One buffer of a <see cref="MemoryEstimate"/>.</summary>
/// <param name="Buffer">What the buffer holds, e.g. "input covariance".</param>
/// <param name="Layer">0-based layer the buffer belongs to, or -1 when it is shared by all layers.</param>
/// <param name="Rows">Rows of the buffer.</param>
/// <param name="Columns">Columns of the buffer.</param>
/// <param name="Bytes">Size in bytes (rows x columns x element size).</param>
/// <param name="SizedBy">The user's setting that sets its size: a layer width, the batch size or K.</param>
public readonly record struct MemoryItem(string Buffer, int Layer, long Rows, long Columns, long Bytes, string SizedBy)
{
    /// <summary>Elements of the buffer.</summary>
    public long Elements => Rows * Columns;

    /// <summary>Whether one .NET array can hold the buffer (<see cref="Array.MaxLength"/> elements).</summary>
    public bool FitsOneArray => Elements <= Array.MaxLength;
}

/// <summary>
/// The memory an optimizer allocates for a network and a batch size, buffer by buffer: what
/// <c>EstimateMemory</c> of <see cref="SgdOptimizer{T}"/>, <see cref="NaturalGradientOptimizer{T}"/> and
/// <see cref="ExactNaturalGradientOptimizer{T}"/> return, and what their memory check compares with the
/// limit before allocating; <see cref="Networks.Network{T}.EstimateMemory"/> returns the same for a
/// network's weights.
/// </summary>
/// <remarks>
/// <para>Counted: every buffer the optimizer allocates (undo copies, directions, covariances, factors,
/// sample-space Gram matrices, the network workspace of activations, errors and gradients for the batch).
/// Not counted: the network's own weights, which exist before the optimizer does, and object headers.</para>
/// <para>Buffers that depend on the batch size are allocated by the first step of a batch size that needs
/// them and kept; a later, different batch size adds only what it needs beyond them. The estimate is that
/// of one batch size on a fresh optimizer.</para>
/// </remarks>
public sealed class MemoryEstimate
{
    /// <summary>Fraction of <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/> used as the default limit.</summary>
    public const double DefaultLimitFraction = 0.75;

    private static readonly Lazy<long> Available = new(() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    internal MemoryEstimate(string optimizer, int batchSize, int sampleCount, IReadOnlyList<MemoryItem> items, long limit)
    {
        Optimizer = optimizer;
        BatchSize = batchSize;
        SampleCount = sampleCount;
        Items = items;
        Limit = limit;
        long total = 0;
        foreach (MemoryItem item in items)
        {
            total += item.Bytes;
        }

        TotalBytes = total;
    }

    /// <summary>
    /// The limit an optimizer applies when its options leave <c>MemoryLimit</c> unset:
    /// <see cref="DefaultLimitFraction"/> of the memory the GC may use
    /// (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: physical memory, or the container's or
    /// <c>GCHeapHardLimit</c>'s limit), read once per process.
    /// </summary>
    public static long DefaultLimit => (long)(Available.Value * DefaultLimitFraction);

    /// <summary>The optimizer's type name.</summary>
    public string Optimizer { get; }

    /// <summary>The batch size M of the estimate (0: buffers that do not depend on it only).</summary>
    public int BatchSize { get; }

    /// <summary>Sampled backward passes K of the estimate (0 for optimizers without sampling).</summary>
    public int SampleCount { get; }

    /// <summary>Every buffer, in allocation order.</summary>
    public IReadOnlyList<MemoryItem> Items { get; }

    /// <summary>Sum of <see cref="MemoryItem.Bytes"/>.</summary>
    public long TotalBytes { get; }

    /// <summary>The limit of the options the estimate was made for (the option, or <see cref="DefaultLimit"/>).</summary>
    public long Limit { get; }

    /// <summary>Whether the optimizer would allocate this: total within <see cref="Limit"/> and each buffer within one array.</summary>
    public bool FitsLimit => TotalBytes <= Limit && Items.All(i => i.FitsOneArray);

    /// <summary>The largest buffer, or null when there is none.</summary>
    public MemoryItem? Largest => Items.Count == 0 ? null : Items.MaxBy(i => i.Bytes);

    /// <summary>Human-readable size: bytes, KB, MB or GB (powers of 1000).</summary>
    public static string FormatBytes(long bytes) => bytes switch
    {
        < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:F1} KB"),
        < 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F1} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:F1} GB"),
    };

    /// <summary>One line per buffer, then the total and the limit.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Optimizer}, batch size {BatchSize}");
        if (SampleCount > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", K = {SampleCount}");
        }

        text.Append('\n');
        foreach (MemoryItem item in Items)
        {
            string layer = item.Layer < 0 ? "all layers" : string.Create(CultureInfo.InvariantCulture, $"layer {item.Layer}");
            text.Append(CultureInfo.InvariantCulture,
                $"  {layer}, {item.Buffer}: {item.Rows} x {item.Columns}, {FormatBytes(item.Bytes)} ({item.SizedBy})\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"  total {FormatBytes(TotalBytes)}, limit {FormatBytes(Limit)}");
        return text.ToString();
    }

    /// <summary>The exception for an estimate that does not fit, naming what sized the worst buffer.</summary>
    internal MemoryLimitException Exceeded(string paramName, string limitOption)
    {
        MemoryItem? tooLong = Items.Where(i => !i.FitsOneArray).Cast<MemoryItem?>().FirstOrDefault();
        MemoryItem worst = tooLong ?? Largest!.Value;
        string where = worst.Layer < 0 ? worst.Buffer : string.Create(CultureInfo.InvariantCulture, $"layer {worst.Layer}'s {worst.Buffer}");
        string batch = BatchSize > 0 ? string.Create(CultureInfo.InvariantCulture, $" at batch size {BatchSize}") : string.Empty;
        string message = tooLong is not null
            ? string.Create(CultureInfo.InvariantCulture,
                $"{Optimizer}{batch} would need {where} of {worst.Rows} x {worst.Columns} = {worst.Elements} elements, more than one .NET array holds ({Array.MaxLength}); its size is set by {worst.SizedBy}. Reduce that setting.")
            : string.Create(CultureInfo.InvariantCulture,
                $"{Optimizer}{batch} needs {FormatBytes(TotalBytes)}, over the limit of {FormatBytes(Limit)} ({limitOption}; by default {DefaultLimitFraction:P0} of the memory available to the process). The largest buffer is {where}, {worst.Rows} x {worst.Columns} ({FormatBytes(worst.Bytes)}), whose size is set by {worst.SizedBy}. Reduce that setting, or raise {limitOption}; EstimateMemory lists every buffer. Nothing was allocated.");
        return new MemoryLimitException(message, paramName, this);
    }
}

/// <summary>
/// An optimizer would allocate more than its memory limit, or a buffer larger than one array holds; thrown
/// before anything is allocated. The message names the setting that sizes the largest buffer.
/// </summary>
public sealed class MemoryLimitException : ArgumentException
{
    internal MemoryLimitException(string message, string paramName, MemoryEstimate estimate)
        : base(message, paramName) => Estimate = estimate;

    /// <summary>Creates the exception.</summary>
    public MemoryLimitException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MemoryLimitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public MemoryLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The estimate that did not fit (null when built without one).</summary>
    public MemoryEstimate? Estimate { get; }
}

/// <summary>What sets a buffer's size, as the user sees it.</summary>
internal enum MemorySize
{
    /// <summary>The input width of the layer (with the bias).</summary>
    InputWidth,

    /// <summary>The output width of the layer.</summary>
    OutputWidth,

    /// <summary>Both widths of the layer.</summary>
    LayerWidths,

    /// <summary>The widest layer.</summary>
    MaxWidth,

    /// <summary>The batch size M (and a width).</summary>
    Batch,

    /// <summary>K times M, the sampled errors (and a width).</summary>
    SampledBatch,
}

/// <summary>Receives the buffers an optimizer would allocate (struct implementations: no allocation).</summary>
internal interface IMemorySink
{
    void Add(string buffer, int layer, long rows, long columns, MemorySize size);
}

/// <summary>Sums elements and notes whether any buffer exceeds one array: the hot check on a new batch size.</summary>
internal struct MemoryTotal : IMemorySink
{
    public long Elements;
    public bool TooLong;

    public void Add(string buffer, int layer, long rows, long columns, MemorySize size)
    {
        long elements = rows * columns;
        Elements += elements;
        TooLong |= elements > Array.MaxLength;
    }

    public readonly bool Fits(long limit, int elementSize) => !TooLong && Elements <= limit / elementSize;
}

/// <summary>Lists the buffers with what sizes them (cold path: public estimates and error messages).</summary>
internal readonly struct MemoryList(IReadOnlyList<int> widths, bool bias, int batch, int sampleCount, int elementSize)
    : IMemorySink
{
    public List<MemoryItem> Items { get; } = [];

    public void Add(string buffer, int layer, long rows, long columns, MemorySize size)
    {
        string biasText = bias ? " + 1 for the bias" : string.Empty;
        string sizedBy = size switch
        {
            MemorySize.InputWidth => string.Create(CultureInfo.InvariantCulture, $"the input width of layer {layer}, Widths[{layer}] = {widths[layer]}{biasText}"),
            MemorySize.OutputWidth => string.Create(CultureInfo.InvariantCulture, $"the output width of layer {layer}, Widths[{layer + 1}] = {widths[layer + 1]}"),
            MemorySize.LayerWidths => string.Create(CultureInfo.InvariantCulture, $"the widths of layer {layer}, Widths[{layer}] = {widths[layer]}{biasText} and Widths[{layer + 1}] = {widths[layer + 1]}"),
            MemorySize.MaxWidth => string.Create(CultureInfo.InvariantCulture, $"the widest layer, {widths.Max()}{biasText}"),
            MemorySize.Batch => string.Create(CultureInfo.InvariantCulture, $"the batch size {batch}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"K x batch size = SampleCount {sampleCount} x {batch} = {(long)sampleCount * batch} sampled errors"),
        };
        Items.Add(new MemoryItem(buffer, layer, rows, columns, rows * columns * elementSize, sizedBy));
    }
}
