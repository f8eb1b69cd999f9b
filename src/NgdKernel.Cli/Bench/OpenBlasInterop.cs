using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace NgdKernel.Cli.Bench;

/// <summary>
/// The few OpenBLAS/LAPACKE calls <c>ngd bench</c> compares against (the full interop, with
/// <c>[LibraryImport]</c> on pointers, lives in <c>perf/NgdKernel.Benchmarks/OpenBlas</c>). This
/// project compiles without unsafe code, so these are <c>DllImport</c>s with blittable
/// <c>ref</c> parameters: the runtime pins the element and passes its address, with no marshalling.
/// </summary>
internal static class OpenBlasInterop
{
    private const string Blas = "libopenblas.so.0";
    private const string Lapacke = "liblapacke.so.3";
    private const int RowMajor = 101, ColumnMajor = 102, NoTrans = 111, Trans = 112, Lower = 122;

    /// <summary>The variables that pick OpenBLAS's kernels; removed for the "auto" selection.</summary>
    public static readonly string[] CoreSettings = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

    /// <summary>How to install the libraries on Debian/Ubuntu.</summary>
    public const string InstallHint = "apt-get install -y libopenblas0 liblapacke";

    /// <summary>
    /// Loads OpenBLAS once for this process. With <paramref name="automatic"/> the core-selection
    /// variables are removed from the native environment first (OpenBLAS reads them in its load-time
    /// constructor), so it detects the CPU itself. Returns a description, or null when absent.
    /// </summary>
    public static string? Load(bool automatic, int threads)
    {
        List<string> settings = [];
        foreach (string name in CoreSettings)
        {
            string? value = Environment.GetEnvironmentVariable(name);
            if (automatic)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(name + "\0");
                _ = unsetenv(ref bytes[0]);
            }
            else if (value is not null)
            {
                settings.Add($"{name}={value}");
            }
        }

        if (!NativeLibrary.TryLoad(Blas, out _) || !NativeLibrary.TryLoad(Lapacke, out _))
        {
            return null;
        }

        openblas_set_num_threads(threads);
        string core = Marshal.PtrToStringUTF8(openblas_get_corename()) ?? "?";
        string how = automatic
            ? "OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset"
            : settings.Count == 0 ? "no OPENBLAS_* settings" : string.Join(' ', settings);
        return $"OpenBLAS core {core} ({how}), {threads} thread(s)";
    }

    /// <summary>Row-major <c>C = op(A) op(B)</c>, alpha 1, beta 0.</summary>
    public static void Gemm<T>(bool transposeA, bool transposeB, int m, int n, int k,
        T[] a, int lda, T[] b, int ldb, T[] c, int ldc)
    {
        int ta = transposeA ? Trans : NoTrans, tb = transposeB ? Trans : NoTrans;
        if (typeof(T) == typeof(float))
        {
            cblas_sgemm(RowMajor, ta, tb, m, n, k, 1f, ref First<T, float>(a), lda, ref First<T, float>(b), ldb,
                0f, ref First<T, float>(c), ldc);
        }
        else
        {
            cblas_dgemm(RowMajor, ta, tb, m, n, k, 1d, ref First<T, double>(a), lda, ref First<T, double>(b), ldb,
                0d, ref First<T, double>(c), ldc);
        }
    }

    /// <summary>Row-major <c>C = A^T A</c> (lower triangle), A [k, n].</summary>
    public static void SyrkTransposed<T>(int n, int k, T[] a, T[] c)
    {
        if (typeof(T) == typeof(float))
        {
            cblas_ssyrk(RowMajor, Lower, Trans, n, k, 1f, ref First<T, float>(a), n, 0f, ref First<T, float>(c), n);
        }
        else
        {
            cblas_dsyrk(RowMajor, Lower, Trans, n, k, 1d, ref First<T, double>(a), n, 0d, ref First<T, double>(c), n);
        }
    }

    /// <summary>
    /// Factor A (column-major 'U' on the row-major buffer = row-major lower L), then
    /// <c>B = A^-1 B A^-1</c> by column-major potrs (right side, no copy) and row-major potrs
    /// (left side; LAPACKE transposes internally). Same calls as the BenchmarkDotNet suite.
    /// </summary>
    public static int CholeskySolve<T>(int n, T[] a, T[] b)
    {
        if (typeof(T) == typeof(float))
        {
            ref float fa = ref First<T, float>(a);
            ref float fb = ref First<T, float>(b);
            int info = LAPACKE_spotrf(ColumnMajor, (byte)'U', n, ref fa, n);
            info = info != 0 ? info : LAPACKE_spotrs(ColumnMajor, (byte)'U', n, n, ref fa, n, ref fb, n);
            return info != 0 ? info : LAPACKE_spotrs(RowMajor, (byte)'L', n, n, ref fa, n, ref fb, n);
        }
        else
        {
            ref double da = ref First<T, double>(a);
            ref double db = ref First<T, double>(b);
            int info = LAPACKE_dpotrf(ColumnMajor, (byte)'U', n, ref da, n);
            info = info != 0 ? info : LAPACKE_dpotrs(ColumnMajor, (byte)'U', n, n, ref da, n, ref db, n);
            return info != 0 ? info : LAPACKE_dpotrs(RowMajor, (byte)'L', n, n, ref da, n, ref db, n);
        }
    }

    private static ref TTo First<TFrom, TTo>(TFrom[] array) =>
        ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetArrayDataReference(array));

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which this project does not enable.
    [DllImport("libc")]
    private static extern int unsetenv(ref byte name);

    [DllImport(Blas)]
    private static extern void openblas_set_num_threads(int threads);

    [DllImport(Blas)]
    private static extern nint openblas_get_corename();

    [DllImport(Blas)]
    private static extern void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha,
        ref float a, int lda, ref float b, int ldb, float beta, ref float c, int ldc);

    [DllImport(Blas)]
    private static extern void cblas_dgemm(int order, int ta, int tb, int m, int n, int k, double alpha,
        ref double a, int lda, ref double b, int ldb, double beta, ref double c, int ldc);

    [DllImport(Blas)]
    private static extern void cblas_ssyrk(int order, int uplo, int trans, int n, int k, float alpha,
        ref float a, int lda, float beta, ref float c, int ldc);

    [DllImport(Blas)]
    private static extern void cblas_dsyrk(int order, int uplo, int trans, int n, int k, double alpha,
        ref double a, int lda, double beta, ref double c, int ldc);

    [DllImport(Lapacke)]
    private static extern int LAPACKE_spotrf(int layout, byte uplo, int n, ref float a, int lda);

    [DllImport(Lapacke)]
    private static extern int LAPACKE_dpotrf(int layout, byte uplo, int n, ref double a, int lda);

    [DllImport(Lapacke)]
    private static extern int LAPACKE_spotrs(int layout, byte uplo, int n, int nrhs, ref float a, int lda,
        ref float b, int ldb);

    [DllImport(Lapacke)]
    private static extern int LAPACKE_dpotrs(int layout, byte uplo, int n, int nrhs, ref double a, int lda,
        ref double b, int ldb);
#pragma warning restore SYSLIB1054
}
