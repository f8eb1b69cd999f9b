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
    /// op(B)'s columns [j0, j0 + nc) pack the same way as rows of op(B)ᵀ into kc×nr panels:
    /// <c>Pack(b, ldb, !transposeB, j0, nc, p0, kc, nr, ...)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack<T>(T* a, nint lda, bool transposed, int i0, int mc, int p0, int kc, int mr, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (transposed)
        {
            PackRows(a + ((nint)p0 * lda) + i0, lda, kc, mc, mr, destination);
            return;
        }

        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            PackStrided(a + ((nint)(i0 + ir) * lda) + p0, lda, kc, rows, mr, destination);
            destination += (nint)mr * kc;
        }
    }

    /// <summary>
    /// Packs a block whose panel rows are contiguous runs of the source (A transposed, B as stored):
    /// <paramref name="count"/> source columns into ceil(count/width) panels of kc×width. Walks the
    /// source row by row (p outer, panels inner), so each source row is read once, sequentially; walking
    /// panel by panel re-read each cache line once per panel it straddles (784×400×1000 TN float went
    /// from 0.94x to 1.03x of OpenBLAS with this order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRows<T>(T* source, nint stride, int kc, int count, int width, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int fullPanels = count / width;
        int rest = count - (fullPanels * width);
        nint panelLength = (nint)width * kc;
        nint rowBytes = (nint)width * sizeof(T);
        if (rowBytes % 16 == 0)
        {
            for (int p = 0; p < kc; p++)
            {
                T* s = source + ((nint)p * stride);
                T* d = destination + ((nint)p * width);
                for (int q = 0; q < fullPanels; q++)
                {
                    CopyRow((byte*)s, (byte*)d, rowBytes);
                    s += width;
                    d += panelLength;
                }
            }
        }
        else if (fullPanels > 0)
        {
            for (int q = 0; q < fullPanels; q++)
            {
                PackContiguous(source + ((nint)q * width), stride, kc, width, width, destination + (q * panelLength));
            }
        }

        if (rest > 0)
        {
            PackContiguous(source + ((nint)fullPanels * width), stride, kc, rest, width, destination + (fullPanels * panelLength));
        }
    }

    /// <summary>
    /// destination[p*width + r] = source[p*stride + r] for r &lt; count (zero up to width), p &lt; kc:
    /// each panel row is a contiguous run of the source.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackContiguous<T>(T* source, nint stride, int kc, int count, int width, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nint bytes = (nint)count * sizeof(T);
        if (count == width && bytes % 16 == 0)
        {
            // Full panels (all but the last): 16-byte chunks, widest first. Buffer.MemoryCopy per
            // 48..256-byte row cost ~2x more in the 1000x784x400 TN case (call and size dispatch).
            for (int p = 0; p < kc; p++)
            {
                CopyRow((byte*)source, (byte*)destination, bytes);
                source += stride;
                destination += width;
            }

            return;
        }

        // The last, partial panel: zero the padding, copy whole vectors and an overlapping last one.
        // (Scalar, this padding cost as much as the arithmetic of a 20×20×20 product.)
        int w = Vector256<T>.Count;
        bool vector = Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && count >= w;
        for (int p = 0; p < kc; p++)
        {
            for (int r = count; r < width; r++)
            {
                destination[r] = T.Zero;
            }

            if (vector)
            {
                int last = count - w;
                for (int r = 0; r < last; r += w)
                {
                    Vector256.Load(source + r).Store(destination + r);
                }

                Vector256.Load(source + last).Store(destination + last);
            }
            else
            {
                for (int r = 0; r < count; r++)
                {
                    destination[r] = source[r];
                }
            }

            source += stride;
            destination += width;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(byte* source, byte* destination, nint bytes)
    {
        nint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= bytes - 64; i += 64)
            {
                Vector512.Load(source + i).Store(destination + i);
            }
        }

        for (; i <= bytes - 32; i += 32)
        {
            Vector256.Load(source + i).Store(destination + i);
        }

        for (; i < bytes; i += 16)
        {
            Vector128.Load(source + i).Store(destination + i);
        }
    }

    /// <summary>
    /// destination[p*width + r] = source[r*stride + p] for r &lt; count (zero up to width), p &lt; kc:
    /// a transposition of count source rows, written sequentially.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackStrided<T>(T* source, nint stride, int kc, int count, int width, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Rows in groups of 4 × depths in groups of 4, transposed in registers (4 loads, 8 shuffles,
        // 4 stores instead of 16 scalar loads and stores); the rest element by element.
        bool transpose = FactorTranspose.TilesSupported<T>();
        int vectorRows = transpose ? count & ~3 : 0;
        int vectorDepth = vectorRows > 0 ? kc & ~3 : 0;
        for (int p = 0; p < vectorDepth; p += 4)
        {
            T* d = destination + ((nint)p * width);
            for (int r = 0; r < vectorRows; r += 4)
            {
                FactorTranspose.Tile4x4(ref *(source + ((nint)r * stride) + p), stride, ref *(d + r), width);
            }
        }

        // Full panels are done for every depth the transposes covered; skip straight past them (an empty
        // pass over them cost 0.92x -> 0.74x of OpenBLAS at 1000×20×20, where panels are 20 deep).
        for (int p = vectorRows == width ? vectorDepth : 0; p < kc; p++)
        {
            T* d = destination + ((nint)p * width);
            int r = p < vectorDepth ? vectorRows : 0;
            T* s = source + ((nint)r * stride) + p;
            for (; r < count; r++)
            {
                d[r] = *s;
                s += stride;
            }

            for (; r < width; r++)
            {
                d[r] = T.Zero;
            }
        }
    }
}
