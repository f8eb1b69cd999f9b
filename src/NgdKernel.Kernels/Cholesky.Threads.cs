namespace NgdKernel.Kernels;

// The context's worker threads in the solves and in the blocked factorization.
//
// Work is split so that every element goes through the same operations as on one thread, which
// makes results bit-identical across thread counts (not merely within tolerance):
// - left solves split B's columns and right solves B's rows at multiples of 64; FactorGemm and
//   TriangularColumns compute every element the same way wherever it lands;
// - the factorization splits the panel solve and the trailing update of each block column by
//   rows of the trailing matrix at multiples of 4 (where FactorGemm's tiled rows end), the update by area
//   (row i of the lower triangle costs i + 1), and keeps the small diagonal factor on the caller.
public static partial class Cholesky
{
    /// <summary>
    /// Solves with fewer multiply-adds (<c>n²·m</c>) stay on the calling thread: waking a worker
    /// costs a few microseconds, about what 2^20 multiply-adds take on the other core.
    /// </summary>
    private const long ParallelSolveThreshold = 1L << 20;

    /// <summary>Trailing matrices smaller than this stay on the calling thread (two wake-ups per block column).</summary>
    private const int ParallelFactorThreshold = 128;

    /// <summary>Granularity of the split of B (columns for left solves, rows for right solves).</summary>
    private const int SolveGrain = 64;

    /// <summary>Granularity of the factorization's row split: where FactorGemm's tiled rows end.</summary>
    private const int FactorGrain = 4;

    private unsafe struct SolveJob<T>
        where T : unmanaged
    {
        public T* Factor;
        public nint FactorStride;
        public T* B;
        public nint BStride;
        public int N;
        public int Rows;
        public int Columns;
        public bool Left;
        public KernelPath Path;
    }

    private unsafe struct FactorJob<T>
        where T : unmanaged
    {
        public T* Diagonal;
        public T* Panel;
        public T* Trailing;
        public nint Stride;
        public int Rest;
        public int BlockWidth;
        public KernelPath Path;
    }

    /// <summary>Runs the left or right solve on the context's threads; false when it should run on the caller.</summary>
    private static unsafe bool TrySolveInParallel<T>(ReadOnlySpan2D<T> factor, Span2D<T> b, bool left, KernelContext? context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int split = left ? b.Width : b.Height;
        int parts = Math.Min(context?.ThreadCount ?? 1, (split + SolveGrain - 1) / SolveGrain);
        int n = factor.Height;
        if (parts < 2 || (long)n * n * split < ParallelSolveThreshold || context!.Pool is not WorkerPool pool)
        {
            return false;
        }

        fixed (T* pf = &factor.DangerousGetReference())
        fixed (T* pb = &b.DangerousGetReference())
        {
            var job = new SolveJob<T>
            {
                Factor = pf,
                FactorStride = StridedView.Stride(factor),
                B = pb,
                BStride = StridedView.Stride(b),
                N = n,
                Rows = b.Height,
                Columns = b.Width,
                Left = left,
                Path = context.Path,
            };
            return pool.TryRun(&SolvePart<T>, &job, parts);
        }
    }

    /// <summary>A left solve splits B's columns, a right solve B's rows: the parts are independent right-hand sides.</summary>
    private static unsafe void SolvePart<T>(void* state, int part, int parts)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref SolveJob<T> job = ref Unsafe.AsRef<SolveJob<T>>(state);
        int total = job.Left ? job.Columns : job.Rows;
        int start = WorkerPool.Boundary(total, part, parts, SolveGrain, triangle: false);
        int end = WorkerPool.Boundary(total, part + 1, parts, SolveGrain, triangle: false);
        if (start >= end)
        {
            return;
        }

        if (job.Left)
        {
            SolveLeftKernel(ref *job.Factor, job.FactorStride, ref job.B[start], job.BStride, job.N, end - start, job.Path);
        }
        else
        {
            ref T rows = ref job.B[start * job.BStride];
            SolveRightKernel(ref *job.Factor, job.FactorStride, ref rows, job.BStride, ref rows, job.BStride, end - start, job.N, job.Path);
        }
    }

    /// <summary><c>(L·Lᵀ)·X = B</c> on B <c>[n, m]</c>, unchecked.</summary>
    private static void SolveLeftKernel<T>(ref T factor, nint ldf, ref T b, nint ldb, int n, int m, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TriangularSolve.Solve(ref factor, ldf, lower: true, transpose: false, left: true, ref b, ldb, n, m, path);
        TriangularSolve.Solve(ref factor, ldf, lower: true, transpose: true, left: true, ref b, ldb, n, m, path);
    }

    /// <summary>
    /// <c>X·(L·Lᵀ) = B</c> on B <c>[m, n]</c>, unchecked, B read from <paramref name="source"/>: B itself, or,
    /// for <c>n &lt;= </c><see cref="TriangularColumns.MaxTransposedOrder"/> only, another matrix.
    /// </summary>
    private static void SolveRightKernel<T>(ref T factor, nint ldf, ref T source, nint lds, ref T b, nint ldb, int m, int n, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        // X L Lᵀ = B: first Y Lᵀ = B, then X L = Y. A small factor needs one transposition of B
        // for both; the blocked right solves transpose every diagonal block twice.
        if (n <= TriangularColumns.MaxTransposedOrder)
        {
            TriangularColumns.SolveRight(ref factor, ldf, ref source, lds, ref b, ldb, m, n, forward: true, backward: true, path);
            return;
        }

        TriangularSolve.Solve(ref factor, ldf, lower: true, transpose: true, left: false, ref b, ldb, m, n, path);
        TriangularSolve.Solve(ref factor, ldf, lower: true, transpose: false, left: false, ref b, ldb, m, n, path);
    }

    /// <summary>
    /// Steps 2 and 3 of a block column (panel solve, trailing update) on the context's threads;
    /// false when they should run on the caller.
    /// </summary>
    private static unsafe bool TryUpdateInParallel<T>(ref T diagonal, ref T panel, ref T trailing, nint lda, int rest, int kb, KernelPath path, KernelContext? context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int parts = Math.Min(context?.ThreadCount ?? 1, rest / ParallelFactorThreshold + 1);
        if (parts < 2 || rest < ParallelFactorThreshold || context!.Pool is not WorkerPool pool)
        {
            return false;
        }

        // The caller has pinned the matrix (FactorCore runs inside a fixed statement).
        var job = new FactorJob<T>
        {
            Diagonal = (T*)Unsafe.AsPointer(ref diagonal),
            Panel = (T*)Unsafe.AsPointer(ref panel),
            Trailing = (T*)Unsafe.AsPointer(ref trailing),
            Stride = lda,
            Rest = rest,
            BlockWidth = kb,
            Path = path,
        };

        // Two jobs: every row of the update needs panel rows that other parts solve.
        if (!pool.TryRun(&PanelPart<T>, &job, parts))
        {
            return false;
        }

        if (!pool.TryRun(&UpdatePart<T>, &job, parts))
        {
            UpdatePart<T>(&job, 0, 1);
        }

        return true;
    }

    private static unsafe void PanelPart<T>(void* state, int part, int parts)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref FactorJob<T> job = ref Unsafe.AsRef<FactorJob<T>>(state);
        int start = WorkerPool.Boundary(job.Rest, part, parts, FactorGrain, triangle: false);
        int end = WorkerPool.Boundary(job.Rest, part + 1, parts, FactorGrain, triangle: false);
        if (start < end)
        {
            TriangularSolve.Solve(ref *job.Diagonal, job.Stride, lower: true, transpose: true, left: false, ref job.Panel[start * job.Stride], job.Stride, end - start, job.BlockWidth, job.Path);
        }
    }

    private static unsafe void UpdatePart<T>(void* state, int part, int parts)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref FactorJob<T> job = ref Unsafe.AsRef<FactorJob<T>>(state);
        int start = WorkerPool.Boundary(job.Rest, part, parts, FactorGrain, triangle: true);
        int end = WorkerPool.Boundary(job.Rest, part + 1, parts, FactorGrain, triangle: true);
        SubtractLowerRows(ref *job.Panel, ref *job.Trailing, job.Stride, job.Rest, job.BlockWidth, start, end, job.Path);
    }

    /// <summary>
    /// Rows <c>[start, end)</c> of the trailing update <c>A22 -= L21·L21ᵀ</c> (lower triangle), one
    /// 64-column strip at a time, each strip's rows from its diagonal (or <paramref name="start"/>)
    /// down: the same operations per element as <see cref="FactorGemm.SubtractNT{T}"/> with <c>lowerOnly</c>
    /// on the whole matrix, when <paramref name="start"/> is a multiple of 4.
    /// </summary>
    private static void SubtractLowerRows<T>(ref T panel, ref T trailing, nint lda, int rest, int kb, int start, int end, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int Strip = 64;
        for (int j0 = 0; j0 < end; j0 += Strip)
        {
            int r0 = Math.Max(j0, start);
            int nc = Math.Min(Strip, rest - j0);
            FactorGemm.SubtractNT(
                ref Unsafe.Add(ref panel, r0 * lda), lda, ref Unsafe.Add(ref panel, j0 * lda), lda,
                ref Unsafe.Add(ref trailing, (r0 * lda) + j0), lda, end - r0, nc, kb, lowerOnly: false, path);
        }
    }
}
