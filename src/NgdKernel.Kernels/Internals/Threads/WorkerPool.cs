using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// A fixed set of persistent worker threads that run one job at a time, split into
/// <c>partCount</c> parts; the calling thread runs part 0 and waits for the others.
/// </summary>
/// <remarks>
/// A kernel's job is an unmanaged function pointer plus a pointer to a state struct on the caller's
/// stack (the caller blocks until every part has finished, so the struct outlives the job); the
/// network and optimizer layers pass a preallocated <see cref="IParallelJob"/> object, as which the
/// pool also runs a kernel's pair (one per pool).
/// Nothing is allocated per job: no delegates, no closures, no tasks. Workers block on a semaphore between
/// jobs (with <see cref="SemaphoreSlim"/>'s short spin first, which keeps back-to-back kernel calls
/// cheap); the caller spins until its workers are done. Parts are assigned to fixed threads, so a
/// job runs the same way every time.
/// </remarks>
internal sealed unsafe class WorkerPool : IDisposable
{
    private readonly Thread[] threads;
    private readonly Gate[] start;
    private readonly PointerJob pointerJob = new();
    private IParallelJob? jobObject;
    private Exception? jobError;
    private int partCount;
    private int pending;
    private int busy;
    private volatile bool stopping;

    /// <summary>
    /// Start of range <paramref name="part"/> of <paramref name="parts"/> over [0, length), a multiple of
    /// <paramref name="align"/>. Triangle ranges hold equal areas of a lower triangle (boundary at
    /// length·sqrt(part/parts)), so threads updating a triangle (SYRK, the trailing matrix of a
    /// Cholesky factorization) get equal work.
    /// </summary>
    public static int Boundary(int length, int part, int parts, int align, bool triangle)
    {
        if (part >= parts)
        {
            return length;
        }

        double fraction = (double)part / parts;
        if (triangle)
        {
            fraction = Math.Sqrt(fraction);
        }

        int boundary = (int)Math.Round(length * fraction / align) * align;
        return Math.Min(boundary, length);
    }

    public WorkerPool(int workerCount)
    {
        threads = new Thread[workerCount];
        start = new Gate[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            start[i] = new Gate();
            threads[i] = new Thread(WorkerLoop, maxStackSize: 1 << 20)
            {
                IsBackground = true,
                Name = $"NgdKernel worker {i + 1}",
            };
            threads[i].Start(i);
        }
    }

    /// <summary>Number of threads that can run parts, the caller included.</summary>
    public int Capacity => threads.Length + 1;

    /// <summary>
    /// Runs <c>work(state, part, partCount)</c> for every part in [0, partCount), part 0 on the
    /// calling thread. Returns false (running nothing) if another caller is using the pool; the
    /// caller then runs the job single-threaded, which gives the same result for our kernels. An
    /// exception from a part is rethrown here once every part has finished, as for an <see cref="IParallelJob"/>.
    /// </summary>
    public bool TryRun(delegate*<void*, int, int, void> work, void* jobState, int parts)
    {
        if (!TryEnter(parts))
        {
            return false;
        }

        pointerJob.Work = work;
        pointerJob.State = jobState;
        return RunEntered(pointerJob, parts);
    }

    /// <summary>
    /// Runs <c>work.Execute(part, parts)</c> for every part in [0, parts), part 0 on the calling
    /// thread; false (running nothing) if another caller is using the pool. An exception from any
    /// part is rethrown here, after every part has finished (the first worker's, else the caller's).
    /// </summary>
    public bool TryRun(IParallelJob work, int parts) => TryEnter(parts) && RunEntered(work, parts);

    /// <summary>Takes the pool for one job of <paramref name="parts"/> parts, unless it is too small or in use.</summary>
    private bool TryEnter(int parts) => parts <= Capacity && Interlocked.CompareExchange(ref busy, 1, 0) == 0;

    /// <summary>
    /// Runs a job on the pool <see cref="TryEnter"/> took. The caller spins (yielding, never sleeping)
    /// until the workers finish: the parts are equal, so the wait is short. A ManualResetEventSlim
    /// allocated its lock object (and more) the first time a wait had to block, which a loaded
    /// machine could make happen in any call.
    /// </summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Rethrown once every part has finished.")]
    private bool RunEntered(IParallelJob work, int parts)
    {
        Exception? error = null;
        try
        {
            jobObject = work;
            jobError = null;
            partCount = parts;
            Volatile.Write(ref pending, parts - 1);
            for (int i = 0; i < parts - 1; i++)
            {
                start[i].Release();
            }

            try
            {
                work.Execute(0, parts);
            }
            catch (Exception exception)
            {
                // The workers still read the job's fields: wait for them before unwinding.
                error = exception;
            }

            var spinner = default(SpinWait);
            while (Volatile.Read(ref pending) != 0)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            error = jobError ?? error;
        }
        finally
        {
            jobObject = null;
            jobError = null;
            pointerJob.State = null;
            Volatile.Write(ref busy, 0);
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return true;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A worker must never die silently and deadlock the caller.")]
    private void WorkerLoop(object? boxedIndex)
    {
        int index = (int)boxedIndex!;
        Gate signal = start[index];
        while (true)
        {
            signal.Wait();
            if (stopping)
            {
                return;
            }

            try
            {
                jobObject!.Execute(index + 1, partCount);
            }
            catch (Exception exception)
            {
                // Handed to the caller, which rethrows it once every part has finished.
                Interlocked.CompareExchange(ref jobError, exception, null);
            }

            Interlocked.Decrement(ref pending);
        }
    }

    public void Dispose()
    {
        stopping = true;
        foreach (Gate s in start)
        {
            s.Release();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }
    }

    /// <summary>A kernel's function pointer and state as a job: one per pool, so a kernel's run allocates nothing.</summary>
    private sealed class PointerJob : IParallelJob
    {
        public delegate*<void*, int, int, void> Work;
        public void* State;

        public void Execute(int part, int partCount) => Work(State, part, partCount);
    }

    /// <summary>
    /// A counting gate on a monitor whose lock and wait structures are created in the
    /// constructor: SemaphoreSlim (like ManualResetEventSlim) creates them the first time a
    /// Release meets a blocked waiter, which made a steady-state call allocate about 8 KB at a
    /// moment that depended on the machine's load.
    /// </summary>
    private sealed class Gate
    {
        private readonly object monitor = new();
        private int count;

        public Gate()
        {
            // Inflate the monitor and create its condition now, on the constructing thread.
            lock (monitor)
            {
                Monitor.Wait(monitor, 0);
                Monitor.PulseAll(monitor);
            }
        }

        public void Release()
        {
            lock (monitor)
            {
                count++;
                Monitor.Pulse(monitor);
            }
        }

        public void Wait()
        {
            // A short spin first: the next job usually follows within microseconds.
            var spinner = default(SpinWait);
            while (Volatile.Read(ref count) == 0 && !spinner.NextSpinWillYield)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            lock (monitor)
            {
                while (count == 0)
                {
                    Monitor.Wait(monitor);
                }

                count--;
            }
        }
    }
}
