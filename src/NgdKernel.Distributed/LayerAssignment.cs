namespace NgdKernel.Distributed;

/// <summary>Which silo owns which layer.</summary>
public static class LayerAssignment
{
    /// <summary>
    /// Owners by the factorization cost <c>a^3 + b^3</c> of each layer (a inputs with the bias, b
    /// outputs): longest first, each to the least loaded rank, ties to the lower rank (Osawa et al.
    /// 2019; KAISA), so the same widths and P always give the same owners.
    /// </summary>
    /// <param name="inputWidths">Per layer, inputs including the bias.</param>
    /// <param name="outputWidths">Per layer, outputs.</param>
    /// <param name="workerCount">Ranks P.</param>
    /// <returns>Per layer, the owning rank.</returns>
    public static int[] Assign(ReadOnlySpan<int> inputWidths, ReadOnlySpan<int> outputWidths, int workerCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workerCount, 1);
        if (inputWidths.Length != outputWidths.Length)
        {
            throw new ArgumentException($"{inputWidths.Length} input widths but {outputWidths.Length} output widths.", nameof(outputWidths));
        }

        int count = inputWidths.Length;
        var cost = new double[count];
        for (int l = 0; l < count; l++)
        {
            double a = inputWidths[l], b = outputWidths[l];
            cost[l] = (a * a * a) + (b * b * b);
        }

        int[] order = [.. Enumerable.Range(0, count).OrderByDescending(l => cost[l]).ThenBy(l => l)];
        var load = new double[workerCount];
        var owners = new int[count];
        foreach (int l in order)
        {
            int least = 0;
            for (int r = 1; r < workerCount; r++)
            {
                least = load[r] < load[least] ? r : least;
            }

            owners[l] = least;
            load[least] += cost[l];
        }

        return owners;
    }
}
