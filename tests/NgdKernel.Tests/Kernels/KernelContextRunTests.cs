namespace NgdKernel.Tests.Kernels;

/// <summary><see cref="KernelContext.Run"/>: a preallocated job's parts on the persistent worker pool.</summary>
public sealed class KernelContextRunTests
{
    /// <summary>Every part runs exactly once with the requested count; part 0 on the caller, the others on workers.</summary>
    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(3, 3)]
    public void Run_RunsEveryPartOnce(int threads, int parts)
    {
        using var context = new KernelContext(threads);
        var job = new RecordingJob(parts);
        Assert.True(context.Run(job, parts));
        Assert.Equal(Enumerable.Repeat(1, parts), job.Calls);
        Assert.All(job.Counts, c => Assert.Equal(parts, c));
        Assert.Equal(Environment.CurrentManagedThreadId, job.Threads[0]);
        Assert.Equal(parts, job.Threads.Distinct().Count());
    }

    /// <summary>A one-thread context (no pool) runs the parts in order on the caller and reports it.</summary>
    [Fact]
    public void Run_OneThread_RunsPartsOnCaller()
    {
        using var context = new KernelContext(1);
        var job = new RecordingJob(1);
        Assert.False(context.Run(job, 1));
        Assert.Equal([1], job.Calls);
        Assert.Equal(Environment.CurrentManagedThreadId, job.Threads[0]);
    }

    /// <summary>A call made while the pool runs another job (here from inside it) runs all its parts on its own thread.</summary>
    [Fact]
    public void Run_PoolBusy_RunsEveryPartOnCaller()
    {
        using var context = new KernelContext(2);
        var inner = new RecordingJob(2);
        var outer = new NestingJob(context, inner);
        Assert.True(context.Run(outer, 2));
        Assert.False(outer.InnerRanInParallel);
        Assert.Equal([1, 1], inner.Calls);
        Assert.Equal([outer.CallerThread, outer.CallerThread], inner.Threads);
    }

    /// <summary>A worker's exception reaches the caller after every part has finished, and the pool keeps working.</summary>
    [Fact]
    public void Run_PartThrows_RethrowsOnCallerAndPoolSurvives()
    {
        using var context = new KernelContext(2);
        var failing = new FailingJob(failingPart: 1);
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => context.Run(failing, 2));
        Assert.Equal("part 1", error.Message);
        Assert.Equal(2, failing.Finished);

        var job = new RecordingJob(2);
        Assert.True(context.Run(job, 2));
        Assert.Equal([1, 1], job.Calls);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Run_PartCountOutOfRange_Throws(int parts)
    {
        using var context = new KernelContext(2);
        Assert.Equal("partCount", Assert.Throws<ArgumentOutOfRangeException>(() => context.Run(new RecordingJob(3), parts)).ParamName);
    }

    [Fact]
    public void Run_AfterWarmUp_AllocatesNothing()
    {
        using var context = new KernelContext(2);
        var job = new CountingJob();
        context.Run(job, 2);
        long allocated = Allocations.Measure(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                context.Run(job, 2);
            }
        });
        Assert.Equal(0, allocated);
        Assert.Equal(202, job.Total);
    }

    private sealed class RecordingJob(int parts) : IParallelJob
    {
        public int[] Calls { get; } = new int[parts];

        public int[] Counts { get; } = new int[parts];

        public int[] Threads { get; } = new int[parts];

        public void Execute(int part, int partCount)
        {
            Calls[part]++;
            Counts[part] = partCount;
            Threads[part] = Environment.CurrentManagedThreadId;
        }
    }

    private sealed class NestingJob(KernelContext context, RecordingJob inner) : IParallelJob
    {
        public bool InnerRanInParallel { get; private set; }

        public int CallerThread { get; private set; }

        public void Execute(int part, int partCount)
        {
            if (part == 0)
            {
                CallerThread = Environment.CurrentManagedThreadId;
                InnerRanInParallel = context.Run(inner, 2);
            }
        }
    }

    private sealed class FailingJob(int failingPart) : IParallelJob
    {
        private int _finished;

        public int Finished => _finished;

        public void Execute(int part, int partCount)
        {
            if (part == failingPart)
            {
                Interlocked.Increment(ref _finished);
                throw new InvalidOperationException($"part {part}");
            }

            Thread.Sleep(20); // the caller's part outlasts the failing worker's
            Interlocked.Increment(ref _finished);
        }
    }

    private sealed class CountingJob : IParallelJob
    {
        private int _total;

        public int Total => _total;

        public void Execute(int part, int partCount) => Interlocked.Increment(ref _total);
    }
}
