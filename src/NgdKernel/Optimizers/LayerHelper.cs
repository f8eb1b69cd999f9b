using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;

namespace NgdKernel.Optimizers;

/// <summary>
/// One persistent background thread, shared by the process, that runs a second share of an
/// optimizer's per-layer work while the caller runs the first.
/// </summary>
/// <remarks>
/// <para>Nothing is allocated per job: the job is a preallocated object, the thread waits on a
/// semaphore between jobs and signals completion through a flag the caller spins on (the caller's own
/// share is about as long). Thread-pool work items were tried first: queueing one allocates now and
/// then on the caller (24 bytes), which the zero-allocation contract forbids.</para>
/// <para>The thread keeps no reference to a job after it has run, so it keeps no optimizer alive. One
/// job at a time: a second caller gets false from <see cref="TryStart"/> and runs its work alone,
/// which gives the same result.</para>
/// </remarks>
internal static class LayerHelper
{
    private static readonly SemaphoreSlim Signal = new(0);
    private static readonly Lock StartLock = new();
    private static Thread? s_thread;
    private static IJob? s_job;
    private static Exception? s_error;
    private static volatile bool s_finished;
    private static int s_busy;

    /// <summary>A share of work for the helper thread.</summary>
    internal interface IJob
    {
        /// <summary>Runs the helper's share; exceptions are rethrown by <see cref="Wait"/>.</summary>
        void Execute();
    }

    /// <summary>Starts <paramref name="job"/> on the helper thread, or returns false if it is busy.</summary>
    public static bool TryStart(IJob job)
    {
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            return false;
        }

        if (s_thread is null)
        {
            lock (StartLock)
            {
                s_thread ??= StartThread();
            }
        }

        s_job = job;
        s_error = null;
        s_finished = false;
        Signal.Release();
        return true;
    }

    /// <summary>Waits for the job started by <see cref="TryStart"/>; rethrows its exception.</summary>
    public static void Wait()
    {
        SpinWait spin = default;
        while (!s_finished)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        Exception? error = s_error;
        s_job = null;
        s_error = null;
        Volatile.Write(ref s_busy, 0);
        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Loop, maxStackSize: 1 << 20) { IsBackground = true, Name = "NgdKernel layer helper" };
        thread.Start();
        return thread;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "Rethrown on the calling thread by Wait; the helper must survive it.")]
    private static void Loop()
    {
        while (true)
        {
            Signal.Wait();
            try
            {
                s_job!.Execute();
            }
            catch (Exception e)
            {
                s_error = e;
            }
            finally
            {
                s_finished = true;
            }
        }
    }
}
