using System.Numerics;
using System.Runtime.CompilerServices;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Packing of GEMM operands into the panels the micro-kernels read (BLIS <c>packm</c>).
/// </summary>
/// <remarks>
/// <code>
/// A block (mc×kc of op(A)) -> Mr×kc panels, each k-major:    B block (kc×nc of op(B)) -> kc×Nr panels:
///   panel 0: a(0,0) a(1,0) .. a(Mr-1,0) | a(0,1) .. | ..        panel 0: b(0,0) .. b(0,Nr-1) | b(1,0) .. | ..
///   panel 1: rows Mr..2Mr-1, same layout                        panel 1: columns Nr..2Nr-1, same layout
/// </code>
/// The last panel is zero-padded to a full Mr (Nr) so the micro-kernel never branches on size; the
/// padded rows (columns) of the tile are dropped when the edge tile is copied out. Packing writes
/// sequentially; it reads one row per panel element when the operand's k runs along memory rows
/// (A as stored, B transposed) and contiguous runs otherwise.
/// </remarks>
internal static unsafe class GemmPack
{
    /// <summary>
    /// Packs rows [i0, i0 + mc) and depths [p0, p0 + kc) of op(A) into ceil(mc/mr) panels of mr×kc.
    /// op(A)(i, p) is <c>a[i*lda + p]</c>, or <c>a[p*lda + i]</c> when <paramref name="transposed"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<T>(T* a, nint lda, bool transposed, int i0, int mc, int p0, int kc, int mr, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            if (transposed)
            {
                PackContiguous(a + ((nint)p0 * lda) + i0 + ir, lda, kc, rows, mr, destination);
            }
            else
            {
                PackStrided(a + ((nint)(i0 + ir) * lda) + p0, lda, kc, rows, mr, destination);
            }

            destination += (nint)mr * kc;
        }
    }

    /// <summary>
    /// Packs depths [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into ceil(nc/nr) panels of kc×nr.
    /// op(B)(p, j) is <c>b[p*ldb + j]</c>, or <c>b[j*ldb + p]</c> when <paramref name="transposed"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<T>(T* b, nint ldb, bool transposed, int p0, int kc, int j0, int nc, int nr, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int columns = Math.Min(nr, nc - jr);
            if (transposed)
            {
                PackStrided(b + ((nint)(j0 + jr) * ldb) + p0, ldb, kc, columns, nr, destination);
            }
            else
            {
                PackContiguous(b + ((nint)p0 * ldb) + j0 + jr, ldb, kc, columns, nr, destination);
            }

            destination += (nint)nr * kc;
        }
    }

    /// <summary>
    /// destination[p*width + r] = source[p*stride + r] for r &lt; count (zero up to width), p &lt; kc:
    /// each panel row is a contiguous run of the source.
    /// </summary>
    private static void PackContiguous<T>(T* source, nint stride, int kc, int count, int width, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nint bytes = (nint)count * sizeof(T);
        for (int p = 0; p < kc; p++)
        {
            Buffer.MemoryCopy(source, destination, bytes, bytes);
            for (int r = count; r < width; r++)
            {
                destination[r] = T.Zero;
            }

            source += stride;
            destination += width;
        }
    }

    /// <summary>
    /// destination[p*width + r] = source[r*stride + p] for r &lt; count (zero up to width), p &lt; kc:
    /// a transposition of count source rows, written sequentially.
    /// </summary>
    private static void PackStrided<T>(T* source, nint stride, int kc, int count, int width, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int p = 0; p < kc; p++)
        {
            T* s = source + p;
            for (int r = 0; r < count; r++)
            {
                destination[r] = *s;
                s += stride;
            }

            for (int r = count; r < width; r++)
            {
                destination[r] = T.Zero;
            }

            destination += width;
        }
    }
}
