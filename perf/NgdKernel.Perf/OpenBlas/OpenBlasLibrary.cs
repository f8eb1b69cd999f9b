using System.Runtime.InteropServices;
using System.Text;

namespace NgdKernel.Perf.OpenBlas;

/// <summary>How OpenBLAS chooses its kernels when it loads.</summary>
public enum OpenBlasCoreSelection
{
    /// <summary>The process environment as inherited (on this machine
    /// <c>OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512</c>: AVX2 kernels).</summary>
    Environment = 0,

    /// <summary><c>OPENBLAS_CORETYPE</c> and <c>OPENBLAS_L2_SIZE</c> removed before the library
    /// loads, so its dynamic-arch detection picks the core (AVX-512 Cooperlake/SkylakeX on Zen 4/5
    /// with Debian's 0.3.21).</summary>
    Automatic = 1,
}

/// <summary>What OpenBLAS reported after loading, and the settings it loaded under.</summary>
/// <param name="IsInstalled">Whether both <c>libopenblas.so.0</c> and <c>liblapacke.so.3</c> load.</param>
/// <param name="Selection">How the core was chosen.</param>
/// <param name="CoreName">The kernel set OpenBLAS runs (<c>openblas_get_corename</c>), or <c>null</c>.</param>
/// <param name="Config">The build configuration string (<c>openblas_get_config</c>), or <c>null</c>.</param>
/// <param name="Settings">Each <c>OPENBLAS_*</c>/<c>OMP_*</c> variable the library saw at load, name=value.</param>
/// <param name="Note">Why it is missing and how to install it, when <paramref name="IsInstalled"/> is false.</param>
public sealed record OpenBlasProbe(bool IsInstalled, OpenBlasCoreSelection Selection, string? CoreName,
    string? Config, IReadOnlyList<string> Settings, string? Note)
{
    /// <summary>One line for logs and result headers.</summary>
    public override string ToString()
    {
        if (!IsInstalled)
        {
            return $"OpenBLAS: not installed ({Note})";
        }

        string settings = Settings.Count == 0 ? "no OPENBLAS_* variables" : string.Join(' ', Settings);
        return $"OpenBLAS core {CoreName} ({Selection}: {settings}); {Config}";
    }
}

/// <summary>
/// Loads OpenBLAS once per process under a chosen <see cref="OpenBlasCoreSelection"/> and calls it
/// with alpha = 1, beta = 0 on pinned buffers. OpenBLAS reads <c>OPENBLAS_CORETYPE</c> in its
/// load-time constructor, so the selection must be made before anything touches the library;
/// BenchmarkDotNet runs every benchmark case in a fresh process, which is what lets one run
/// compare both selections side by side.
/// </summary>
public static unsafe class OpenBlasLibrary
{
    /// <summary>The variables that change which kernels OpenBLAS runs or how many threads.</summary>
    public static readonly string[] SettingNames =
        ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_VERBOSE"];

    /// <summary>The variables removed for <see cref="OpenBlasCoreSelection.Automatic"/>.</summary>
    public static readonly string[] CoreSettingNames = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

    /// <summary>Install hint shown whenever the library is absent.</summary>
    public const string InstallHint = "apt-get install -y libopenblas0 liblapacke";

    private static readonly Lock Gate = new();
    private static OpenBlasProbe? loaded;

    /// <summary>The probe of the loaded library, or <c>null</c> before <see cref="Load"/>.</summary>
    public static OpenBlasProbe? Current => loaded;

    /// <summary>
    /// Whether both libraries can be loaded. Loading runs OpenBLAS's constructor under the current
    /// environment, so a process that benchmarks must call <see cref="Load"/> instead.
    /// </summary>
    public static bool IsInstalled()
    {
        if (!NativeLibrary.TryLoad(OpenBlasNative.BlasLibrary, out nint blas))
        {
            return false;
        }

        bool lapacke = NativeLibrary.TryLoad(OpenBlasNative.LapackeLibrary, out nint handle);
        if (lapacke)
        {
            NativeLibrary.Free(handle);
        }

        NativeLibrary.Free(blas);
        return lapacke;
    }

    /// <summary>
    /// Loads OpenBLAS with <paramref name="selection"/> (only the first call in a process decides)
    /// and sets its thread count. Never throws: an absent library gives a probe with a note.
    /// </summary>
    public static OpenBlasProbe Load(OpenBlasCoreSelection selection, int threadCount = 1)
    {
        lock (Gate)
        {
            if (loaded is null)
            {
                loaded = LoadOnce(selection);
            }
            else if (loaded.IsInstalled && loaded.Selection != selection)
            {
                throw new InvalidOperationException(
                    $"OpenBLAS is already loaded with {loaded.Selection}; a process can only use one core selection.");
            }
        }

        if (loaded.IsInstalled)
        {
            OpenBlasNative.SetNumThreads(threadCount);
        }

        return loaded;
    }

    /// <summary>Loads with <paramref name="selection"/> and throws when OpenBLAS is not installed.</summary>
    public static OpenBlasProbe LoadOrThrow(OpenBlasCoreSelection selection, int threadCount)
    {
        OpenBlasProbe probe = Load(selection, threadCount);
        return probe.IsInstalled
            ? probe
            : throw new InvalidOperationException(probe.ToString());
    }

    private static OpenBlasProbe LoadOnce(OpenBlasCoreSelection selection)
    {
        List<string> settings = [];
        foreach (string name in SettingNames)
        {
            string? value = System.Environment.GetEnvironmentVariable(name);
            bool removed = selection == OpenBlasCoreSelection.Automatic && CoreSettingNames.Contains(name);
            if (value is not null && !removed)
            {
                settings.Add($"{name}={value}");
            }
        }

        if (selection == OpenBlasCoreSelection.Automatic)
        {
            settings.Add($"{string.Join(",", CoreSettingNames)} unset");
            foreach (string name in CoreSettingNames)
            {
                // glibc's environment, which OpenBLAS's constructor reads with getenv.
                _ = OpenBlasNative.UnsetEnvironmentVariable(name);
            }
        }

        if (!NativeLibrary.TryLoad(OpenBlasNative.BlasLibrary, out _))
        {
            return new(false, selection, null, null, settings,
                $"{OpenBlasNative.BlasLibrary} not found; install it with: {InstallHint}");
        }

        if (!NativeLibrary.TryLoad(OpenBlasNative.LapackeLibrary, out _))
        {
            return new(false, selection, null, null, settings,
                $"{OpenBlasNative.LapackeLibrary} not found; install it with: {InstallHint}");
        }

        string core = ReadString(OpenBlasNative.GetCoreName());
        string config = ReadString(OpenBlasNative.GetConfig()).Trim();
        return new(true, selection, core, config, settings, null);
    }

    private static string ReadString(byte* text) =>
        text is null ? string.Empty : Marshal.PtrToStringUTF8((nint)text) ?? string.Empty;

    /// <summary>Row-major <c>C = op(A) op(B)</c> by <c>cblas_?gemm</c>; C is [m, n].</summary>
    public static void Gemm<T>(bool transposeA, bool transposeB, int m, int n, int k,
        T* a, int lda, T* b, int ldb, T* c, int ldc)
        where T : unmanaged
    {
        int ta = transposeA ? OpenBlasNative.Trans : OpenBlasNative.NoTrans;
        int tb = transposeB ? OpenBlasNative.Trans : OpenBlasNative.NoTrans;
        if (typeof(T) == typeof(float))
        {
            OpenBlasNative.Sgemm(OpenBlasNative.RowMajor, ta, tb, m, n, k,
                1f, (float*)a, lda, (float*)b, ldb, 0f, (float*)c, ldc);
        }
        else if (typeof(T) == typeof(double))
        {
            OpenBlasNative.Dgemm(OpenBlasNative.RowMajor, ta, tb, m, n, k,
                1d, (double*)a, lda, (double*)b, ldb, 0d, (double*)c, ldc);
        }
        else
        {
            throw new NotSupportedException(typeof(T).Name);
        }
    }

    /// <summary>
    /// Row-major <c>C = A^T A</c> (lower triangle only, as BLAS does) by <c>cblas_?syrk</c>,
    /// A is [k, n] and C is [n, n].
    /// </summary>
    public static void SyrkTransposed<T>(int n, int k, T* a, int lda, T* c, int ldc)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            OpenBlasNative.Ssyrk(OpenBlasNative.RowMajor, OpenBlasNative.Lower, OpenBlasNative.Trans, n, k,
                1f, (float*)a, lda, 0f, (float*)c, ldc);
        }
        else if (typeof(T) == typeof(double))
        {
            OpenBlasNative.Dsyrk(OpenBlasNative.RowMajor, OpenBlasNative.Lower, OpenBlasNative.Trans, n, k,
                1d, (double*)a, lda, 0d, (double*)c, ldc);
        }
        else
        {
            throw new NotSupportedException(typeof(T).Name);
        }
    }

    /// <summary>
    /// Cholesky of the symmetric n x n matrix at <paramref name="a"/> in place: in row-major terms
    /// the lower triangle becomes L with A = L L^T. Calls <c>LAPACKE_?potrf</c> column-major with
    /// 'U' (the same memory), which avoids LAPACKE's row-major transpose copies.
    /// Returns LAPACK's INFO (0 = success, i > 0 = leading minor i not positive definite).
    /// </summary>
    public static int CholeskyFactor<T>(int n, T* a)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return OpenBlasNative.Spotrf(OpenBlasNative.LapackColumnMajor, (byte)'U', n, (float*)a, n);
        }

        if (typeof(T) == typeof(double))
        {
            return OpenBlasNative.Dpotrf(OpenBlasNative.LapackColumnMajor, (byte)'U', n, (double*)a, n);
        }

        throw new NotSupportedException(typeof(T).Name);
    }

    /// <summary>
    /// Two-sided solve <c>B = A^-1 B A^-1</c> for row-major B [n, n], given the factor from
    /// <see cref="CholeskyFactor{T}"/>, by two <c>LAPACKE_?potrs</c> calls: column-major on B's
    /// memory (which is B^T) gives <c>B A^-1</c> with no copy; the left solve then needs
    /// LAPACKE's row-major interface, which transposes A and B into temporaries internally.
    /// That is the cost a row-major caller of LAPACKE pays, and it is counted.
    /// </summary>
    public static int CholeskySolveBothSides<T>(int n, T* factor, T* b)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            int info = OpenBlasNative.Spotrs(OpenBlasNative.LapackColumnMajor, (byte)'U', n, n, (float*)factor, n, (float*)b, n);
            return info != 0 ? info
                : OpenBlasNative.Spotrs(OpenBlasNative.LapackRowMajor, (byte)'L', n, n, (float*)factor, n, (float*)b, n);
        }

        if (typeof(T) == typeof(double))
        {
            int info = OpenBlasNative.Dpotrs(OpenBlasNative.LapackColumnMajor, (byte)'U', n, n, (double*)factor, n, (double*)b, n);
            return info != 0 ? info
                : OpenBlasNative.Dpotrs(OpenBlasNative.LapackRowMajor, (byte)'L', n, n, (double*)factor, n, (double*)b, n);
        }

        throw new NotSupportedException(typeof(T).Name);
    }

    /// <summary>
    /// All eigenvalues (ascending) and eigenvectors of the symmetric n x n matrix at
    /// <paramref name="a"/> (row-major, lower triangle read, destroyed) by <c>LAPACKE_?syevr</c>
    /// (Householder tridiagonalization, then MRRR). Row-major <paramref name="z"/> receives the
    /// vectors as columns. Returns LAPACK's INFO.
    /// </summary>
    public static int SymmetricEigen<T>(int n, T* a, T* w, T* z)
        where T : unmanaged
    {
        int found;
        int[] support = new int[2 * Math.Max(n, 1)];
        fixed (int* isuppz = support)
        {
            if (typeof(T) == typeof(float))
            {
                return OpenBlasNative.Ssyevr(OpenBlasNative.LapackRowMajor, (byte)'V', (byte)'A', (byte)'L', n, (float*)a, n,
                    0f, 0f, 0, 0, 0f, &found, (float*)w, (float*)z, n, isuppz);
            }

            if (typeof(T) == typeof(double))
            {
                return OpenBlasNative.Dsyevr(OpenBlasNative.LapackRowMajor, (byte)'V', (byte)'A', (byte)'L', n, (double*)a, n,
                    0d, 0d, 0, 0, 0d, &found, (double*)w, (double*)z, n, isuppz);
            }
        }

        throw new NotSupportedException(typeof(T).Name);
    }

    /// <summary>Describes the probe as text, one fact per line, for logs and the CLI.</summary>
    public static string Describe(OpenBlasProbe probe)
    {
        var text = new StringBuilder();
        text.AppendLine($"installed: {probe.IsInstalled}");
        if (!probe.IsInstalled)
        {
            text.AppendLine($"note: {probe.Note}");
            return text.ToString();
        }

        text.AppendLine($"selection: {probe.Selection}");
        text.AppendLine($"core: {probe.CoreName}");
        text.AppendLine($"config: {probe.Config}");
        text.AppendLine($"settings: {(probe.Settings.Count == 0 ? "(none)" : string.Join(' ', probe.Settings))}");
        return text.ToString();
    }
}
