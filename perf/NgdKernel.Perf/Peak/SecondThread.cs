namespace NgdKernel.Perf.Peak;

/// <summary>
/// A persistent second thread that runs one fixed piece of work each time <see cref="RunBoth"/>
/// is called, alongside the calling thread: two threads with no per-call allocation (a
/// <c>Parallel.For</c> would allocate its closure and task state every call).
/// </summary>
public sealed class SecondThread : IDisposable
{
    private readonly Action work;
    private readonly SemaphoreSlim start = new(0);
    private readonly SemaphoreSlim done = new(0);
    private readonly Thread thread;
    private volatile bool stopping;

    /// <summary>Starts the thread; <paramref name="work"/> is what both threads run.</summary>
    public SecondThread(Action work)
    {
        this.work = work;
        thread = new Thread(Loop) { IsBackground = true, Name = "peak-second-thread" };
        thread.Start();
    }

    /// <summary>Runs the work on this thread and on the second one, and waits for both.</summary>
    public void RunBoth()
    {
        start.Release();
        work();
        done.Wait();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        stopping = true;
        start.Release();
        thread.Join();
        start.Dispose();
        done.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            start.Wait();
            if (stopping)
            {
                return;
            }

            work();
            done.Release();
        }
    }
}
