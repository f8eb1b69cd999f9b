namespace NgdKernel.Distributed.Grains;

/// <summary>Every wait on another grain is bounded: a silo that died or hangs fails the call.</summary>
internal static class Waits
{
    public static async Task All(IEnumerable<Task> tasks, TimeSpan timeout) => await Task.WhenAll(tasks).WaitAsync(timeout);

    public static async Task<TResult[]> All<TResult>(IEnumerable<Task<TResult>> tasks, TimeSpan timeout) =>
        await Task.WhenAll(tasks).WaitAsync(timeout);
}
