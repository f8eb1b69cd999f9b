using NgdKernel.Perf.Cases;

namespace NgdKernel.Cli.Bench;

/// <summary>
/// The GEMM, SYRK and Cholesky rows of <c>ngd bench</c>: the quick shape lists and the cases of
/// <c>perf/NgdKernel.Perf</c>, each against OpenBLAS when it is loaded.
/// </summary>
internal static class KernelCases
{
    /// <summary>
    /// OpenBLAS's idle worker threads spin for about 2^28 cycles (its THREAD_TIMEOUT) after a call
    /// before they sleep; timed in that window, our second thread shared its core with them (512³ on
    /// two threads read as one-thread speed). Waiting this long after OpenBLAS's cases lets them park.
    /// </summary>
    internal static void LetOpenBlasThreadsPark(BenchSettings settings)
    {
        if (settings.Threads > 1 && settings.OpenBlas is not null)
        {
            Thread.Sleep(250);
        }
    }

    public static IEnumerable<BenchRow> Gemm<T>(BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        GemmShape.Quick(settings.Threads)
            .Where(s => settings.GemmShape is not string only || only == $"{s.M}x{s.K}x{s.N}")
            .Select(s => Row<T>("gemm", s.Ops, s.M, s.N, s.K, s, settings, peak));

    public static IEnumerable<BenchRow> Syrk<T>(BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SyrkShape.Quick(settings.Threads).Select(s => Row<T>("syrk", "AtA", s.Columns, s.Columns, s.Rows, s, settings, peak));

    /// <summary>Factor + <c>G = A^-1 G A^-1</c>: n^3/3 + 4 n^3 flops; A and G restored every call.</summary>
    public static IEnumerable<BenchRow> Cholesky<T>(BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        CholeskyShape.Quick(settings.Threads).Select(s => Row<T>("chol", "potrf+2potrs", s.N, s.N, s.N, s, settings, peak));

    private static BenchRow Row<T>(string kernel, string op, int m, int n, int k, IKernelShape shape,
        BenchSettings settings, double peak)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using IKernelCase kernelCase = shape.CreateCase<T>();
        double ours = Timing.SecondsPerCall(() => kernelCase.RunNgdKernel(settings.Context));
        double? theirs = settings.OpenBlas is null ? null : Timing.SecondsPerCall(() => kernelCase.RunOpenBlas());
        LetOpenBlasThreadsPark(settings);
        return new(kernel, op, settings.PrecisionName, m, n, k, settings.Threads, shape.Flops / ours / 1e9,
            theirs is double t ? shape.Flops / t / 1e9 : null, peak, ours);
    }
}
