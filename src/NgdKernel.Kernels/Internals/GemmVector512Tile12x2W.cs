using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Vector512 GEMM micro-kernel: a 12×2W tile of C (12 rows × 2 vectors of
/// W = Vector512&lt;T&gt;.Count columns: 12×32 for float, 12×16 for double), held in
/// 24 register accumulators.
/// </summary>
/// <remarks>
/// BLIS micro-kernel contract: no m or n loop; A's packed panel is Mr×kc (k-major, Mr contiguous per k)
/// and B's is kc×Nr (Nr contiguous per k). Per k step: 2 vector loads of B, 12 broadcasts of A, 24 FMAs;
/// 24 accumulators + 2 B vectors + 1 broadcast = 27 of the 32 zmm registers, no spills (checked with
/// DOTNET_JitDisasm: the k loop is loads, vbroadcastss/sd and vfmadd231 only).
/// Measured alone on packed panels in L1 (Zen 5, kc = 256): 212 GFLOP/s float and 105 double, the chip's
/// FMA peak (2 × 512-bit FMA per cycle). Every shape tried reached it in L1 (14×2W 214, 6×4W 214,
/// 8×3W 216, 9×3W 214 float); 12×2W wastes least at the trainer's widths (n = 400 = 12·32 + 16, the last
/// 16 by <see cref="RunNarrow"/>) and leaves registers spare.
/// </remarks>
internal readonly struct GemmVector512Tile12x2W<T> : IGemmMicroKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Mr => 12;

    public static int Nr => 2 * Vector512<T>.Count;

    public static bool FusedUpdate => true;

    /// <inheritdoc cref="IGemmMicroKernel{T}.Update"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Update(T product, T beta, T old) => T.FusedMultiplyAdd(beta, old, product);

    /// <inheritdoc cref="IGemmMicroKernel{T}.Run"/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc)
    {
        nint w = Vector512<T>.Count;
        Vector512<T> r0v0 = default; Vector512<T> r0v1 = default;
        Vector512<T> r1v0 = default; Vector512<T> r1v1 = default;
        Vector512<T> r2v0 = default; Vector512<T> r2v1 = default;
        Vector512<T> r3v0 = default; Vector512<T> r3v1 = default;
        Vector512<T> r4v0 = default; Vector512<T> r4v1 = default;
        Vector512<T> r5v0 = default; Vector512<T> r5v1 = default;
        Vector512<T> r6v0 = default; Vector512<T> r6v1 = default;
        Vector512<T> r7v0 = default; Vector512<T> r7v1 = default;
        Vector512<T> r8v0 = default; Vector512<T> r8v1 = default;
        Vector512<T> r9v0 = default; Vector512<T> r9v1 = default;
        Vector512<T> r10v0 = default; Vector512<T> r10v1 = default;
        Vector512<T> r11v0 = default; Vector512<T> r11v1 = default;

        // k unrolled x4; each step is a rank-1 update: one row of B's panel (the Nr columns) times
        // each of the Mr broadcast elements of the matching column of A's panel.
        int p = 0;
        Vector512<T> b0; Vector512<T> b1; Vector512<T> ar;
        for (; p <= kc - 4; p += 4)
        {
            b0 = Vector512.Load(b + (0 * w));
            b1 = Vector512.Load(b + (1 * w));
            ar = Vector512.Create(a[0]);
            r0v0 = Fma.MultiplyAdd(ar, b0, r0v0);
            r0v1 = Fma.MultiplyAdd(ar, b1, r0v1);
            ar = Vector512.Create(a[1]);
            r1v0 = Fma.MultiplyAdd(ar, b0, r1v0);
            r1v1 = Fma.MultiplyAdd(ar, b1, r1v1);
            ar = Vector512.Create(a[2]);
            r2v0 = Fma.MultiplyAdd(ar, b0, r2v0);
            r2v1 = Fma.MultiplyAdd(ar, b1, r2v1);
            ar = Vector512.Create(a[3]);
            r3v0 = Fma.MultiplyAdd(ar, b0, r3v0);
            r3v1 = Fma.MultiplyAdd(ar, b1, r3v1);
            ar = Vector512.Create(a[4]);
            r4v0 = Fma.MultiplyAdd(ar, b0, r4v0);
            r4v1 = Fma.MultiplyAdd(ar, b1, r4v1);
            ar = Vector512.Create(a[5]);
            r5v0 = Fma.MultiplyAdd(ar, b0, r5v0);
            r5v1 = Fma.MultiplyAdd(ar, b1, r5v1);
            ar = Vector512.Create(a[6]);
            r6v0 = Fma.MultiplyAdd(ar, b0, r6v0);
            r6v1 = Fma.MultiplyAdd(ar, b1, r6v1);
            ar = Vector512.Create(a[7]);
            r7v0 = Fma.MultiplyAdd(ar, b0, r7v0);
            r7v1 = Fma.MultiplyAdd(ar, b1, r7v1);
            ar = Vector512.Create(a[8]);
            r8v0 = Fma.MultiplyAdd(ar, b0, r8v0);
            r8v1 = Fma.MultiplyAdd(ar, b1, r8v1);
            ar = Vector512.Create(a[9]);
            r9v0 = Fma.MultiplyAdd(ar, b0, r9v0);
            r9v1 = Fma.MultiplyAdd(ar, b1, r9v1);
            ar = Vector512.Create(a[10]);
            r10v0 = Fma.MultiplyAdd(ar, b0, r10v0);
            r10v1 = Fma.MultiplyAdd(ar, b1, r10v1);
            ar = Vector512.Create(a[11]);
            r11v0 = Fma.MultiplyAdd(ar, b0, r11v0);
            r11v1 = Fma.MultiplyAdd(ar, b1, r11v1);
            b0 = Vector512.Load(b + (2 * w) + (0 * w));
            b1 = Vector512.Load(b + (2 * w) + (1 * w));
            ar = Vector512.Create(a[12]);
            r0v0 = Fma.MultiplyAdd(ar, b0, r0v0);
            r0v1 = Fma.MultiplyAdd(ar, b1, r0v1);
            ar = Vector512.Create(a[13]);
            r1v0 = Fma.MultiplyAdd(ar, b0, r1v0);
            r1v1 = Fma.MultiplyAdd(ar, b1, r1v1);
            ar = Vector512.Create(a[14]);
            r2v0 = Fma.MultiplyAdd(ar, b0, r2v0);
            r2v1 = Fma.MultiplyAdd(ar, b1, r2v1);
            ar = Vector512.Create(a[15]);
            r3v0 = Fma.MultiplyAdd(ar, b0, r3v0);
            r3v1 = Fma.MultiplyAdd(ar, b1, r3v1);
            ar = Vector512.Create(a[16]);
            r4v0 = Fma.MultiplyAdd(ar, b0, r4v0);
            r4v1 = Fma.MultiplyAdd(ar, b1, r4v1);
            ar = Vector512.Create(a[17]);
            r5v0 = Fma.MultiplyAdd(ar, b0, r5v0);
            r5v1 = Fma.MultiplyAdd(ar, b1, r5v1);
            ar = Vector512.Create(a[18]);
            r6v0 = Fma.MultiplyAdd(ar, b0, r6v0);
            r6v1 = Fma.MultiplyAdd(ar, b1, r6v1);
            ar = Vector512.Create(a[19]);
            r7v0 = Fma.MultiplyAdd(ar, b0, r7v0);
            r7v1 = Fma.MultiplyAdd(ar, b1, r7v1);
            ar = Vector512.Create(a[20]);
            r8v0 = Fma.MultiplyAdd(ar, b0, r8v0);
            r8v1 = Fma.MultiplyAdd(ar, b1, r8v1);
            ar = Vector512.Create(a[21]);
            r9v0 = Fma.MultiplyAdd(ar, b0, r9v0);
            r9v1 = Fma.MultiplyAdd(ar, b1, r9v1);
            ar = Vector512.Create(a[22]);
            r10v0 = Fma.MultiplyAdd(ar, b0, r10v0);
            r10v1 = Fma.MultiplyAdd(ar, b1, r10v1);
            ar = Vector512.Create(a[23]);
            r11v0 = Fma.MultiplyAdd(ar, b0, r11v0);
            r11v1 = Fma.MultiplyAdd(ar, b1, r11v1);
            b0 = Vector512.Load(b + (4 * w) + (0 * w));
            b1 = Vector512.Load(b + (4 * w) + (1 * w));
            ar = Vector512.Create(a[24]);
            r0v0 = Fma.MultiplyAdd(ar, b0, r0v0);
            r0v1 = Fma.MultiplyAdd(ar, b1, r0v1);
            ar = Vector512.Create(a[25]);
            r1v0 = Fma.MultiplyAdd(ar, b0, r1v0);
            r1v1 = Fma.MultiplyAdd(ar, b1, r1v1);
            ar = Vector512.Create(a[26]);
            r2v0 = Fma.MultiplyAdd(ar, b0, r2v0);
            r2v1 = Fma.MultiplyAdd(ar, b1, r2v1);
            ar = Vector512.Create(a[27]);
            r3v0 = Fma.MultiplyAdd(ar, b0, r3v0);
            r3v1 = Fma.MultiplyAdd(ar, b1, r3v1);
            ar = Vector512.Create(a[28]);
            r4v0 = Fma.MultiplyAdd(ar, b0, r4v0);
            r4v1 = Fma.MultiplyAdd(ar, b1, r4v1);
            ar = Vector512.Create(a[29]);
            r5v0 = Fma.MultiplyAdd(ar, b0, r5v0);
            r5v1 = Fma.MultiplyAdd(ar, b1, r5v1);
            ar = Vector512.Create(a[30]);
            r6v0 = Fma.MultiplyAdd(ar, b0, r6v0);
            r6v1 = Fma.MultiplyAdd(ar, b1, r6v1);
            ar = Vector512.Create(a[31]);
            r7v0 = Fma.MultiplyAdd(ar, b0, r7v0);
            r7v1 = Fma.MultiplyAdd(ar, b1, r7v1);
            ar = Vector512.Create(a[32]);
            r8v0 = Fma.MultiplyAdd(ar, b0, r8v0);
            r8v1 = Fma.MultiplyAdd(ar, b1, r8v1);
            ar = Vector512.Create(a[33]);
            r9v0 = Fma.MultiplyAdd(ar, b0, r9v0);
            r9v1 = Fma.MultiplyAdd(ar, b1, r9v1);
            ar = Vector512.Create(a[34]);
            r10v0 = Fma.MultiplyAdd(ar, b0, r10v0);
            r10v1 = Fma.MultiplyAdd(ar, b1, r10v1);
            ar = Vector512.Create(a[35]);
            r11v0 = Fma.MultiplyAdd(ar, b0, r11v0);
            r11v1 = Fma.MultiplyAdd(ar, b1, r11v1);
            b0 = Vector512.Load(b + (6 * w) + (0 * w));
            b1 = Vector512.Load(b + (6 * w) + (1 * w));
            ar = Vector512.Create(a[36]);
            r0v0 = Fma.MultiplyAdd(ar, b0, r0v0);
            r0v1 = Fma.MultiplyAdd(ar, b1, r0v1);
            ar = Vector512.Create(a[37]);
            r1v0 = Fma.MultiplyAdd(ar, b0, r1v0);
            r1v1 = Fma.MultiplyAdd(ar, b1, r1v1);
            ar = Vector512.Create(a[38]);
            r2v0 = Fma.MultiplyAdd(ar, b0, r2v0);
            r2v1 = Fma.MultiplyAdd(ar, b1, r2v1);
            ar = Vector512.Create(a[39]);
            r3v0 = Fma.MultiplyAdd(ar, b0, r3v0);
            r3v1 = Fma.MultiplyAdd(ar, b1, r3v1);
            ar = Vector512.Create(a[40]);
            r4v0 = Fma.MultiplyAdd(ar, b0, r4v0);
            r4v1 = Fma.MultiplyAdd(ar, b1, r4v1);
            ar = Vector512.Create(a[41]);
            r5v0 = Fma.MultiplyAdd(ar, b0, r5v0);
            r5v1 = Fma.MultiplyAdd(ar, b1, r5v1);
            ar = Vector512.Create(a[42]);
            r6v0 = Fma.MultiplyAdd(ar, b0, r6v0);
            r6v1 = Fma.MultiplyAdd(ar, b1, r6v1);
            ar = Vector512.Create(a[43]);
            r7v0 = Fma.MultiplyAdd(ar, b0, r7v0);
            r7v1 = Fma.MultiplyAdd(ar, b1, r7v1);
            ar = Vector512.Create(a[44]);
            r8v0 = Fma.MultiplyAdd(ar, b0, r8v0);
            r8v1 = Fma.MultiplyAdd(ar, b1, r8v1);
            ar = Vector512.Create(a[45]);
            r9v0 = Fma.MultiplyAdd(ar, b0, r9v0);
            r9v1 = Fma.MultiplyAdd(ar, b1, r9v1);
            ar = Vector512.Create(a[46]);
            r10v0 = Fma.MultiplyAdd(ar, b0, r10v0);
            r10v1 = Fma.MultiplyAdd(ar, b1, r10v1);
            ar = Vector512.Create(a[47]);
            r11v0 = Fma.MultiplyAdd(ar, b0, r11v0);
            r11v1 = Fma.MultiplyAdd(ar, b1, r11v1);
            a += 48;
            b += 8 * w;
        }

        for (; p < kc; p++)
        {
            b0 = Vector512.Load(b + (0 * w));
            b1 = Vector512.Load(b + (1 * w));
            ar = Vector512.Create(a[0]);
            r0v0 = Fma.MultiplyAdd(ar, b0, r0v0);
            r0v1 = Fma.MultiplyAdd(ar, b1, r0v1);
            ar = Vector512.Create(a[1]);
            r1v0 = Fma.MultiplyAdd(ar, b0, r1v0);
            r1v1 = Fma.MultiplyAdd(ar, b1, r1v1);
            ar = Vector512.Create(a[2]);
            r2v0 = Fma.MultiplyAdd(ar, b0, r2v0);
            r2v1 = Fma.MultiplyAdd(ar, b1, r2v1);
            ar = Vector512.Create(a[3]);
            r3v0 = Fma.MultiplyAdd(ar, b0, r3v0);
            r3v1 = Fma.MultiplyAdd(ar, b1, r3v1);
            ar = Vector512.Create(a[4]);
            r4v0 = Fma.MultiplyAdd(ar, b0, r4v0);
            r4v1 = Fma.MultiplyAdd(ar, b1, r4v1);
            ar = Vector512.Create(a[5]);
            r5v0 = Fma.MultiplyAdd(ar, b0, r5v0);
            r5v1 = Fma.MultiplyAdd(ar, b1, r5v1);
            ar = Vector512.Create(a[6]);
            r6v0 = Fma.MultiplyAdd(ar, b0, r6v0);
            r6v1 = Fma.MultiplyAdd(ar, b1, r6v1);
            ar = Vector512.Create(a[7]);
            r7v0 = Fma.MultiplyAdd(ar, b0, r7v0);
            r7v1 = Fma.MultiplyAdd(ar, b1, r7v1);
            ar = Vector512.Create(a[8]);
            r8v0 = Fma.MultiplyAdd(ar, b0, r8v0);
            r8v1 = Fma.MultiplyAdd(ar, b1, r8v1);
            ar = Vector512.Create(a[9]);
            r9v0 = Fma.MultiplyAdd(ar, b0, r9v0);
            r9v1 = Fma.MultiplyAdd(ar, b1, r9v1);
            ar = Vector512.Create(a[10]);
            r10v0 = Fma.MultiplyAdd(ar, b0, r10v0);
            r10v1 = Fma.MultiplyAdd(ar, b1, r10v1);
            ar = Vector512.Create(a[11]);
            r11v0 = Fma.MultiplyAdd(ar, b0, r11v0);
            r11v1 = Fma.MultiplyAdd(ar, b1, r11v1);
            a += 12;
            b += 2 * w;
        }

        Vector512<T> va = Vector512.Create(alpha);
        if (T.IsZero(beta))
        {
            (va * r0v0).Store(c + (0 * ldc) + (0 * w));
            (va * r0v1).Store(c + (0 * ldc) + (1 * w));
            (va * r1v0).Store(c + (1 * ldc) + (0 * w));
            (va * r1v1).Store(c + (1 * ldc) + (1 * w));
            (va * r2v0).Store(c + (2 * ldc) + (0 * w));
            (va * r2v1).Store(c + (2 * ldc) + (1 * w));
            (va * r3v0).Store(c + (3 * ldc) + (0 * w));
            (va * r3v1).Store(c + (3 * ldc) + (1 * w));
            (va * r4v0).Store(c + (4 * ldc) + (0 * w));
            (va * r4v1).Store(c + (4 * ldc) + (1 * w));
            (va * r5v0).Store(c + (5 * ldc) + (0 * w));
            (va * r5v1).Store(c + (5 * ldc) + (1 * w));
            (va * r6v0).Store(c + (6 * ldc) + (0 * w));
            (va * r6v1).Store(c + (6 * ldc) + (1 * w));
            (va * r7v0).Store(c + (7 * ldc) + (0 * w));
            (va * r7v1).Store(c + (7 * ldc) + (1 * w));
            (va * r8v0).Store(c + (8 * ldc) + (0 * w));
            (va * r8v1).Store(c + (8 * ldc) + (1 * w));
            (va * r9v0).Store(c + (9 * ldc) + (0 * w));
            (va * r9v1).Store(c + (9 * ldc) + (1 * w));
            (va * r10v0).Store(c + (10 * ldc) + (0 * w));
            (va * r10v1).Store(c + (10 * ldc) + (1 * w));
            (va * r11v0).Store(c + (11 * ldc) + (0 * w));
            (va * r11v1).Store(c + (11 * ldc) + (1 * w));
        }
        else
        {
            Vector512<T> vb = Vector512.Create(beta);
            T* r0v0p = c + (0 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r0v0p), va * r0v0).Store(r0v0p);
            T* r0v1p = c + (0 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r0v1p), va * r0v1).Store(r0v1p);
            T* r1v0p = c + (1 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r1v0p), va * r1v0).Store(r1v0p);
            T* r1v1p = c + (1 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r1v1p), va * r1v1).Store(r1v1p);
            T* r2v0p = c + (2 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r2v0p), va * r2v0).Store(r2v0p);
            T* r2v1p = c + (2 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r2v1p), va * r2v1).Store(r2v1p);
            T* r3v0p = c + (3 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r3v0p), va * r3v0).Store(r3v0p);
            T* r3v1p = c + (3 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r3v1p), va * r3v1).Store(r3v1p);
            T* r4v0p = c + (4 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r4v0p), va * r4v0).Store(r4v0p);
            T* r4v1p = c + (4 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r4v1p), va * r4v1).Store(r4v1p);
            T* r5v0p = c + (5 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r5v0p), va * r5v0).Store(r5v0p);
            T* r5v1p = c + (5 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r5v1p), va * r5v1).Store(r5v1p);
            T* r6v0p = c + (6 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r6v0p), va * r6v0).Store(r6v0p);
            T* r6v1p = c + (6 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r6v1p), va * r6v1).Store(r6v1p);
            T* r7v0p = c + (7 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r7v0p), va * r7v0).Store(r7v0p);
            T* r7v1p = c + (7 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r7v1p), va * r7v1).Store(r7v1p);
            T* r8v0p = c + (8 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r8v0p), va * r8v0).Store(r8v0p);
            T* r8v1p = c + (8 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r8v1p), va * r8v1).Store(r8v1p);
            T* r9v0p = c + (9 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r9v0p), va * r9v0).Store(r9v0p);
            T* r9v1p = c + (9 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r9v1p), va * r9v1).Store(r9v1p);
            T* r10v0p = c + (10 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r10v0p), va * r10v0).Store(r10v0p);
            T* r10v1p = c + (10 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r10v1p), va * r10v1).Store(r10v1p);
            T* r11v0p = c + (11 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r11v0p), va * r11v0).Store(r11v0p);
            T* r11v1p = c + (11 * ldc) + (1 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r11v1p), va * r11v1).Store(r11v1p);
        }
    }

    /// <inheritdoc cref="IGemmMicroKernel{T}.RunNarrow"/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunNarrow(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc)
    {
        nint w = Vector512<T>.Count;
        Vector512<T> r0v0 = default;
        Vector512<T> r1v0 = default;
        Vector512<T> r2v0 = default;
        Vector512<T> r3v0 = default;
        Vector512<T> r4v0 = default;
        Vector512<T> r5v0 = default;
        Vector512<T> r6v0 = default;
        Vector512<T> r7v0 = default;
        Vector512<T> r8v0 = default;
        Vector512<T> r9v0 = default;
        Vector512<T> r10v0 = default;
        Vector512<T> r11v0 = default;

        // As Run on the first Nr/2 columns of B's panel (row stride still Nr): the last column
        // tile when at most Nr/2 columns remain, e.g. n = 400 = 12·32 + 16 in float.
        int p = 0;
        Vector512<T> b0; Vector512<T> ar;
        for (; p <= kc - 4; p += 4)
        {
            b0 = Vector512.Load(b + (0 * w));
            ar = Vector512.Create(a[0]);
            r0v0 = Fma.MultiplyAdd(ar, b0, r0v0);
            ar = Vector512.Create(a[1]);
            r1v0 = Fma.MultiplyAdd(ar, b0, r1v0);
            ar = Vector512.Create(a[2]);
            r2v0 = Fma.MultiplyAdd(ar, b0, r2v0);
            ar = Vector512.Create(a[3]);
            r3v0 = Fma.MultiplyAdd(ar, b0, r3v0);
            ar = Vector512.Create(a[4]);
            r4v0 = Fma.MultiplyAdd(ar, b0, r4v0);
            ar = Vector512.Create(a[5]);
            r5v0 = Fma.MultiplyAdd(ar, b0, r5v0);
            ar = Vector512.Create(a[6]);
            r6v0 = Fma.MultiplyAdd(ar, b0, r6v0);
            ar = Vector512.Create(a[7]);
            r7v0 = Fma.MultiplyAdd(ar, b0, r7v0);
            ar = Vector512.Create(a[8]);
            r8v0 = Fma.MultiplyAdd(ar, b0, r8v0);
            ar = Vector512.Create(a[9]);
            r9v0 = Fma.MultiplyAdd(ar, b0, r9v0);
            ar = Vector512.Create(a[10]);
            r10v0 = Fma.MultiplyAdd(ar, b0, r10v0);
            ar = Vector512.Create(a[11]);
            r11v0 = Fma.MultiplyAdd(ar, b0, r11v0);
            b0 = Vector512.Load(b + (2 * w) + (0 * w));
            ar = Vector512.Create(a[12]);
            r0v0 = Fma.MultiplyAdd(ar, b0, r0v0);
            ar = Vector512.Create(a[13]);
            r1v0 = Fma.MultiplyAdd(ar, b0, r1v0);
            ar = Vector512.Create(a[14]);
            r2v0 = Fma.MultiplyAdd(ar, b0, r2v0);
            ar = Vector512.Create(a[15]);
            r3v0 = Fma.MultiplyAdd(ar, b0, r3v0);
            ar = Vector512.Create(a[16]);
            r4v0 = Fma.MultiplyAdd(ar, b0, r4v0);
            ar = Vector512.Create(a[17]);
            r5v0 = Fma.MultiplyAdd(ar, b0, r5v0);
            ar = Vector512.Create(a[18]);
            r6v0 = Fma.MultiplyAdd(ar, b0, r6v0);
            ar = Vector512.Create(a[19]);
            r7v0 = Fma.MultiplyAdd(ar, b0, r7v0);
            ar = Vector512.Create(a[20]);
            r8v0 = Fma.MultiplyAdd(ar, b0, r8v0);
            ar = Vector512.Create(a[21]);
            r9v0 = Fma.MultiplyAdd(ar, b0, r9v0);
            ar = Vector512.Create(a[22]);
            r10v0 = Fma.MultiplyAdd(ar, b0, r10v0);
            ar = Vector512.Create(a[23]);
            r11v0 = Fma.MultiplyAdd(ar, b0, r11v0);
            b0 = Vector512.Load(b + (4 * w) + (0 * w));
            ar = Vector512.Create(a[24]);
            r0v0 = Fma.MultiplyAdd(ar, b0, r0v0);
            ar = Vector512.Create(a[25]);
            r1v0 = Fma.MultiplyAdd(ar, b0, r1v0);
            ar = Vector512.Create(a[26]);
            r2v0 = Fma.MultiplyAdd(ar, b0, r2v0);
            ar = Vector512.Create(a[27]);
            r3v0 = Fma.MultiplyAdd(ar, b0, r3v0);
            ar = Vector512.Create(a[28]);
            r4v0 = Fma.MultiplyAdd(ar, b0, r4v0);
            ar = Vector512.Create(a[29]);
            r5v0 = Fma.MultiplyAdd(ar, b0, r5v0);
            ar = Vector512.Create(a[30]);
            r6v0 = Fma.MultiplyAdd(ar, b0, r6v0);
            ar = Vector512.Create(a[31]);
            r7v0 = Fma.MultiplyAdd(ar, b0, r7v0);
            ar = Vector512.Create(a[32]);
            r8v0 = Fma.MultiplyAdd(ar, b0, r8v0);
            ar = Vector512.Create(a[33]);
            r9v0 = Fma.MultiplyAdd(ar, b0, r9v0);
            ar = Vector512.Create(a[34]);
            r10v0 = Fma.MultiplyAdd(ar, b0, r10v0);
            ar = Vector512.Create(a[35]);
            r11v0 = Fma.MultiplyAdd(ar, b0, r11v0);
            b0 = Vector512.Load(b + (6 * w) + (0 * w));
            ar = Vector512.Create(a[36]);
            r0v0 = Fma.MultiplyAdd(ar, b0, r0v0);
            ar = Vector512.Create(a[37]);
            r1v0 = Fma.MultiplyAdd(ar, b0, r1v0);
            ar = Vector512.Create(a[38]);
            r2v0 = Fma.MultiplyAdd(ar, b0, r2v0);
            ar = Vector512.Create(a[39]);
            r3v0 = Fma.MultiplyAdd(ar, b0, r3v0);
            ar = Vector512.Create(a[40]);
            r4v0 = Fma.MultiplyAdd(ar, b0, r4v0);
            ar = Vector512.Create(a[41]);
            r5v0 = Fma.MultiplyAdd(ar, b0, r5v0);
            ar = Vector512.Create(a[42]);
            r6v0 = Fma.MultiplyAdd(ar, b0, r6v0);
            ar = Vector512.Create(a[43]);
            r7v0 = Fma.MultiplyAdd(ar, b0, r7v0);
            ar = Vector512.Create(a[44]);
            r8v0 = Fma.MultiplyAdd(ar, b0, r8v0);
            ar = Vector512.Create(a[45]);
            r9v0 = Fma.MultiplyAdd(ar, b0, r9v0);
            ar = Vector512.Create(a[46]);
            r10v0 = Fma.MultiplyAdd(ar, b0, r10v0);
            ar = Vector512.Create(a[47]);
            r11v0 = Fma.MultiplyAdd(ar, b0, r11v0);
            a += 48;
            b += 8 * w;
        }

        for (; p < kc; p++)
        {
            b0 = Vector512.Load(b + (0 * w));
            ar = Vector512.Create(a[0]);
            r0v0 = Fma.MultiplyAdd(ar, b0, r0v0);
            ar = Vector512.Create(a[1]);
            r1v0 = Fma.MultiplyAdd(ar, b0, r1v0);
            ar = Vector512.Create(a[2]);
            r2v0 = Fma.MultiplyAdd(ar, b0, r2v0);
            ar = Vector512.Create(a[3]);
            r3v0 = Fma.MultiplyAdd(ar, b0, r3v0);
            ar = Vector512.Create(a[4]);
            r4v0 = Fma.MultiplyAdd(ar, b0, r4v0);
            ar = Vector512.Create(a[5]);
            r5v0 = Fma.MultiplyAdd(ar, b0, r5v0);
            ar = Vector512.Create(a[6]);
            r6v0 = Fma.MultiplyAdd(ar, b0, r6v0);
            ar = Vector512.Create(a[7]);
            r7v0 = Fma.MultiplyAdd(ar, b0, r7v0);
            ar = Vector512.Create(a[8]);
            r8v0 = Fma.MultiplyAdd(ar, b0, r8v0);
            ar = Vector512.Create(a[9]);
            r9v0 = Fma.MultiplyAdd(ar, b0, r9v0);
            ar = Vector512.Create(a[10]);
            r10v0 = Fma.MultiplyAdd(ar, b0, r10v0);
            ar = Vector512.Create(a[11]);
            r11v0 = Fma.MultiplyAdd(ar, b0, r11v0);
            a += 12;
            b += 2 * w;
        }

        Vector512<T> va = Vector512.Create(alpha);
        if (T.IsZero(beta))
        {
            (va * r0v0).Store(c + (0 * ldc) + (0 * w));
            (va * r1v0).Store(c + (1 * ldc) + (0 * w));
            (va * r2v0).Store(c + (2 * ldc) + (0 * w));
            (va * r3v0).Store(c + (3 * ldc) + (0 * w));
            (va * r4v0).Store(c + (4 * ldc) + (0 * w));
            (va * r5v0).Store(c + (5 * ldc) + (0 * w));
            (va * r6v0).Store(c + (6 * ldc) + (0 * w));
            (va * r7v0).Store(c + (7 * ldc) + (0 * w));
            (va * r8v0).Store(c + (8 * ldc) + (0 * w));
            (va * r9v0).Store(c + (9 * ldc) + (0 * w));
            (va * r10v0).Store(c + (10 * ldc) + (0 * w));
            (va * r11v0).Store(c + (11 * ldc) + (0 * w));
        }
        else
        {
            Vector512<T> vb = Vector512.Create(beta);
            T* r0v0p = c + (0 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r0v0p), va * r0v0).Store(r0v0p);
            T* r1v0p = c + (1 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r1v0p), va * r1v0).Store(r1v0p);
            T* r2v0p = c + (2 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r2v0p), va * r2v0).Store(r2v0p);
            T* r3v0p = c + (3 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r3v0p), va * r3v0).Store(r3v0p);
            T* r4v0p = c + (4 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r4v0p), va * r4v0).Store(r4v0p);
            T* r5v0p = c + (5 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r5v0p), va * r5v0).Store(r5v0p);
            T* r6v0p = c + (6 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r6v0p), va * r6v0).Store(r6v0p);
            T* r7v0p = c + (7 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r7v0p), va * r7v0).Store(r7v0p);
            T* r8v0p = c + (8 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r8v0p), va * r8v0).Store(r8v0p);
            T* r9v0p = c + (9 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r9v0p), va * r9v0).Store(r9v0p);
            T* r10v0p = c + (10 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r10v0p), va * r10v0).Store(r10v0p);
            T* r11v0p = c + (11 * ldc) + (0 * w);
            Fma.MultiplyAdd(vb, Vector512.Load(r11v0p), va * r11v0).Store(r11v0p);
        }
    }
}
