using System.Numerics;
using CommunityToolkit.HighPerformance;

namespace NgdKernel.Experiments;

/// <summary>
/// A supervised data set held in memory: <see cref="Count"/> examples, one per row, inputs
/// <c>[Count, InputWidth]</c> and targets <c>[Count, TargetWidth]</c>, both row-major with no gap
/// between rows (pitch 0). Inputs and targets may share storage (an autoencoder's targets are its
/// inputs).
/// </summary>
/// <typeparam name="T">Element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class DataSet<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] inputs;
    private readonly T[] targets;

    /// <summary>Wraps existing arrays (not copied).</summary>
    /// <param name="inputs">Row-major <c>[count, inputWidth]</c>.</param>
    /// <param name="targets">Row-major <c>[count, targetWidth]</c>; may be the same array as <paramref name="inputs"/>.</param>
    /// <param name="count">Number of examples.</param>
    /// <param name="inputWidth">Input dimension.</param>
    /// <param name="targetWidth">Target dimension.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a width is zero.</exception>
    /// <exception cref="ArgumentException">An array's length is not the product of its sizes.</exception>
    public DataSet(T[] inputs, T[] targets, int count, int inputWidth, int targetWidth)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetWidth);
        if (inputs.LongLength != (long)count * inputWidth)
        {
            throw new ArgumentException(
                $"'inputs' has {inputs.LongLength} elements but {count}x{inputWidth} needs {(long)count * inputWidth}.",
                nameof(inputs));
        }

        if (targets.LongLength != (long)count * targetWidth)
        {
            throw new ArgumentException(
                $"'targets' has {targets.LongLength} elements but {count}x{targetWidth} needs {(long)count * targetWidth}.",
                nameof(targets));
        }

        this.inputs = inputs;
        this.targets = targets;
        Count = count;
        InputWidth = inputWidth;
        TargetWidth = targetWidth;
    }

    /// <summary>Number of examples (rows).</summary>
    public int Count { get; }

    /// <summary>Input dimension <c>n0</c>.</summary>
    public int InputWidth { get; }

    /// <summary>Target dimension <c>nL</c>.</summary>
    public int TargetWidth { get; }

    /// <summary>All inputs, <c>[Count, InputWidth]</c>.</summary>
    public ReadOnlySpan2D<T> Inputs => new(inputs, Count, InputWidth);

    /// <summary>All targets, <c>[Count, TargetWidth]</c>.</summary>
    public ReadOnlySpan2D<T> Targets => new(targets, Count, TargetWidth);

    /// <summary>Rows <c>[start, start + count)</c> of the inputs.</summary>
    /// <param name="start">First row.</param>
    /// <param name="count">Number of rows.</param>
    /// <returns>A view <c>[count, InputWidth]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the data set.</exception>
    public ReadOnlySpan2D<T> InputRows(int start, int count) => Inputs.Slice(start, 0, count, InputWidth);

    /// <summary>Rows <c>[start, start + count)</c> of the targets.</summary>
    /// <param name="start">First row.</param>
    /// <param name="count">Number of rows.</param>
    /// <returns>A view <c>[count, TargetWidth]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the data set.</exception>
    public ReadOnlySpan2D<T> TargetRows(int start, int count) => Targets.Slice(start, 0, count, TargetWidth);

    /// <summary>The first <paramref name="count"/> examples as a new data set (copied).</summary>
    /// <param name="count">Number of examples, at most <see cref="Count"/>.</param>
    /// <returns>A data set of <c>min(count, Count)</c> examples; shared input/target storage stays shared.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public DataSet<T> Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        count = Math.Min(count, Count);
        T[] newInputs = inputs.AsSpan(0, count * InputWidth).ToArray();
        T[] newTargets = ReferenceEquals(inputs, targets) ? newInputs : targets.AsSpan(0, count * TargetWidth).ToArray();
        return new DataSet<T>(newInputs, newTargets, count, InputWidth, TargetWidth);
    }

    /// <summary>Copies the data set into another element type (rounding to nearest).</summary>
    /// <typeparam name="TOther">The new element type.</typeparam>
    /// <returns>A new data set; shared input/target storage stays shared.</returns>
    public DataSet<TOther> Convert<TOther>()
        where TOther : unmanaged, IBinaryFloatingPointIeee754<TOther>
    {
        TOther[] newInputs = ConvertArray<TOther>(inputs);
        TOther[] newTargets = ReferenceEquals(inputs, targets) ? newInputs : ConvertArray<TOther>(targets);
        return new DataSet<TOther>(newInputs, newTargets, Count, InputWidth, TargetWidth);
    }

    private static TOther[] ConvertArray<TOther>(T[] source)
        where TOther : unmanaged, IBinaryFloatingPointIeee754<TOther>
    {
        var result = new TOther[source.Length];
        for (int i = 0; i < source.Length; i++)
        {
            result[i] = TOther.CreateChecked(source[i]);
        }

        return result;
    }
}
