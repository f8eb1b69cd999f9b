using System.Runtime.InteropServices;

namespace NgdKernel.Perf.OpenBlas;

/// <summary>
/// P/Invoke declarations for Debian's OpenBLAS (<c>libopenblas0</c>) and LAPACKE
/// (<c>liblapacke</c>, whose LAPACK routines resolve to OpenBLAS's through the
/// <c>liblapack.so.3</c> alternative). Source-generated marshalling, no reflection; every
/// parameter is blittable, so a call costs a plain native transition.
/// </summary>
/// <remarks>
/// Integers are 32-bit (<c>blasint</c>/<c>lapack_int</c> of the non-ILP64 Debian build).
/// Callers go through <see cref="OpenBlasLibrary"/>, which decides the core selection
/// before the first call loads the library.
/// </remarks>
internal static unsafe partial class OpenBlasNative
{
    public const string BlasLibrary = "libopenblas.so.0";
    public const string LapackeLibrary = "liblapacke.so.3";

    // CBLAS enums (cblas.h).
    public const int RowMajor = 101;
    public const int ColumnMajor = 102;
    public const int NoTrans = 111;
    public const int Trans = 112;
    public const int Upper = 121;
    public const int Lower = 122;

    // LAPACKE layouts (lapacke.h).
    public const int LapackRowMajor = 101;
    public const int LapackColumnMajor = 102;

    [LibraryImport(BlasLibrary, EntryPoint = "cblas_sgemm")]
    public static partial void Sgemm(int order, int transA, int transB, int m, int n, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(BlasLibrary, EntryPoint = "cblas_dgemm")]
    public static partial void Dgemm(int order, int transA, int transB, int m, int n, int k,
        double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);

    [LibraryImport(BlasLibrary, EntryPoint = "cblas_ssyrk")]
    public static partial void Ssyrk(int order, int uplo, int trans, int n, int k,
        float alpha, float* a, int lda, float beta, float* c, int ldc);

    [LibraryImport(BlasLibrary, EntryPoint = "cblas_dsyrk")]
    public static partial void Dsyrk(int order, int uplo, int trans, int n, int k,
        double alpha, double* a, int lda, double beta, double* c, int ldc);

    [LibraryImport(BlasLibrary, EntryPoint = "openblas_set_num_threads")]
    public static partial void SetNumThreads(int threadCount);

    [LibraryImport(BlasLibrary, EntryPoint = "openblas_get_num_threads")]
    public static partial int GetNumThreads();

    /// <summary>Returns a pointer to a static NUL-terminated string (never freed).</summary>
    [LibraryImport(BlasLibrary, EntryPoint = "openblas_get_corename")]
    public static partial byte* GetCoreName();

    /// <summary>Returns a pointer to a static NUL-terminated string (never freed).</summary>
    [LibraryImport(BlasLibrary, EntryPoint = "openblas_get_config")]
    public static partial byte* GetConfig();

    [LibraryImport(LapackeLibrary, EntryPoint = "LAPACKE_spotrf")]
    public static partial int Spotrf(int layout, byte uplo, int n, float* a, int lda);

    [LibraryImport(LapackeLibrary, EntryPoint = "LAPACKE_dpotrf")]
    public static partial int Dpotrf(int layout, byte uplo, int n, double* a, int lda);

    [LibraryImport(LapackeLibrary, EntryPoint = "LAPACKE_spotrs")]
    public static partial int Spotrs(int layout, byte uplo, int n, int nrhs, float* a, int lda,
        float* b, int ldb);

    [LibraryImport(LapackeLibrary, EntryPoint = "LAPACKE_dpotrs")]
    public static partial int Dpotrs(int layout, byte uplo, int n, int nrhs, double* a, int lda,
        double* b, int ldb);

    [LibraryImport(LapackeLibrary, EntryPoint = "LAPACKE_ssyevr")]
    public static partial int Ssyevr(int layout, byte jobz, byte range, byte uplo, int n, float* a, int lda,
        float vl, float vu, int il, int iu, float abstol, int* m, float* w, float* z, int ldz, int* isuppz);

    [LibraryImport(LapackeLibrary, EntryPoint = "LAPACKE_dsyevr")]
    public static partial int Dsyevr(int layout, byte jobz, byte range, byte uplo, int n, double* a, int lda,
        double vl, double vu, int il, int iu, double abstol, int* m, double* w, double* z, int ldz, int* isuppz);

    /// <summary>glibc <c>unsetenv</c>: the only way to change what a native library's
    /// <c>getenv</c> sees (the managed <see cref="Environment"/> keeps its own copy).</summary>
    [LibraryImport("libc", EntryPoint = "unsetenv", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnsetEnvironmentVariable(string name);
}
