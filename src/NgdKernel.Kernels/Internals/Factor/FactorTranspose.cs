using System.Runtime.Intrinsics.X86;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Transpositions around the small factorization and the right solves: a whole matrix, and the
/// lower triangle into the upper one (or back, zeroing what lies above the diagonal).
/// </summary>
/// <remarks>
/// Element by element, transposing B in and out of a right solve at n = 20..33 took longer than
/// the two substitutions themselves (two scalar loads and stores per element at strided
/// addresses). The vector paths move 4×4 tiles in registers instead: four row loads, eight
/// shuffles, four column stores (SSE for float, AVX for double). A whole float matrix goes by 8×8
/// tiles with AVX, its edges by tiles overlapping the ones before (the right solve's two
/// transposes of a 32×33 float gradient took about a third less time); the triangles' edges go element
/// by element. Data movement only, so the result is the same on every path.
/// </remarks>
internal static class FactorTranspose
{
    private const int Tile = 4;

    /// <summary><c>destination[j, i] = source[i, j]</c> for a <c>[rows, columns]</c> source; the two do not overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose<T>(ref T source, nint lds, ref T destination, nint ldd, int rows, int columns, KernelPath path)
        where T : unmanaged
    {
        if (path != KernelPath.Scalar && TilesSupported<T>() && rows >= Tile && columns >= Tile)
        {
            // The last tile of each row and column of tiles ends at the edge, over elements already
            // moved (moved again, the same values; source and destination do not overlap): no edge
            // moved element by element at strided addresses.
            int size = typeof(T) == typeof(float) && Avx.IsSupported && rows >= 2 * Tile && columns >= 2 * Tile ? 2 * Tile : Tile;
            for (int i = 0; i < rows; i += size)
            {
                int ti = Math.Min(i, rows - size);
                for (int j = 0; j < columns; j += size)
                {
                    int tj = Math.Min(j, columns - size);
                    ref T s = ref Unsafe.Add(ref source, (ti * lds) + tj);
                    ref T d = ref Unsafe.Add(ref destination, (tj * ldd) + ti);
                    if (size == Tile)
                    {
                        Tile4x4(ref s, lds, ref d, ldd);
                    }
                    else
                    {
                        Tile8x8(ref Unsafe.As<T, float>(ref s), lds, ref Unsafe.As<T, float>(ref d), ldd);
                    }
                }
            }

            return;
        }

        Elements(ref source, lds, ref destination, ldd, rows, columns);
    }

    /// <summary>
    /// <c>destination[j, i] = source[i, j]</c> for <c>j &lt;= i &lt; n</c>: the lower triangle of an
    /// <c>[n, n]</c> source into the upper triangle of the destination. The source's strict upper
    /// triangle is not read, the destination's strict lower triangle not written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LowerToUpper<T>(ref T source, nint lds, ref T destination, nint ldd, int n, KernelPath path)
        where T : unmanaged
    {
        int i0 = 0;
        if (path != KernelPath.Scalar && TilesSupported<T>())
        {
            for (; i0 + Tile <= n; i0 += Tile)
            {
                ref T rowBlock = ref Unsafe.Add(ref source, i0 * lds);
                for (int j0 = 0; j0 < i0; j0 += Tile)
                {
                    Tile4x4(ref Unsafe.Add(ref rowBlock, j0), lds, ref Unsafe.Add(ref destination, (j0 * ldd) + i0), ldd);
                }

                for (int i = i0; i < i0 + Tile; i++)
                {
                    for (int j = i0; j <= i; j++)
                    {
                        Unsafe.Add(ref destination, (j * ldd) + i) = Unsafe.Add(ref source, (i * lds) + j);
                    }
                }
            }
        }

        for (int i = i0; i < n; i++)
        {
            ref T row = ref Unsafe.Add(ref source, i * lds);
            for (int j = 0; j <= i; j++)
            {
                Unsafe.Add(ref destination, (j * ldd) + i) = Unsafe.Add(ref row, j);
            }
        }
    }

    /// <summary>
    /// <c>a[j, i] = a[i, j]</c> for <c>j &lt; i &lt; n</c>, in place: the strict lower triangle of an
    /// <c>[n, n]</c> matrix onto its strict upper one (a symmetric result from its lower half).
    /// </summary>
    /// <remarks>
    /// By 32×32 blocks, so that the columns written by a block's rows stay in L1 at any n, and within
    /// a block by the register tiles of <see cref="Transpose{T}"/>: element by element, mirroring
    /// the four 33×33 covariances of a small network cost more than factoring them.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MirrorLowerToUpper<T>(ref T a, nint ld, int n, KernelPath path)
        where T : unmanaged
    {
        const int Block = 32;
        for (int ib = 0; ib < n; ib += Block)
        {
            int rows = Math.Min(Block, n - ib);
            ref T blockRow = ref Unsafe.Add(ref a, ib * ld);
            for (int jb = 0; jb < ib; jb += Block)
            {
                // Strictly below the diagonal: the whole block goes across.
                Transpose(ref Unsafe.Add(ref blockRow, jb), ld, ref Unsafe.Add(ref a, (jb * ld) + ib), ld, rows, Block, path);
            }

            // Reads only the block's lower triangle and writes only its upper one, so in place is safe.
            ref T diagonal = ref Unsafe.Add(ref blockRow, ib);
            LowerToUpper(ref diagonal, ld, ref diagonal, ld, rows, path);
        }
    }

    /// <summary>
    /// The first <paramref name="rows"/> rows of an <c>[n, n]</c> destination from the upper
    /// triangle of the source: <c>destination[i, j] = source[j, i]</c> for <c>j &lt;= i</c>, zero for
    /// <c>i &lt; j &lt; n</c>. The source's strict lower triangle is read (diagonal tiles move whole) but never kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UpperToLower<T>(ref T source, nint lds, ref T destination, nint ldd, int n, int rows, KernelPath path)
        where T : unmanaged
    {
        int i0 = 0;
        if (path != KernelPath.Scalar && TilesSupported<T>())
        {
            for (; i0 + Tile <= rows; i0 += Tile)
            {
                ref T rowBlock = ref Unsafe.Add(ref destination, i0 * ldd);
                for (int j0 = 0; j0 < i0; j0 += Tile)
                {
                    Tile4x4(ref Unsafe.Add(ref source, (j0 * lds) + i0), lds, ref Unsafe.Add(ref rowBlock, j0), ldd);
                }

                // The diagonal tile whole, its upper triangle then cleared with the rows' ends: element by
                // element, its loops of one to four took longer than the tiles.
                Tile4x4(ref Unsafe.Add(ref source, (i0 * lds) + i0), lds, ref Unsafe.Add(ref rowBlock, i0), ldd);
                for (int i = i0; i < i0 + Tile; i++)
                {
                    ClearRowEnd(ref Unsafe.Add(ref destination, i * ldd), i + 1, n);
                }
            }
        }

        for (int i = i0; i < rows; i++)
        {
            ref T row = ref Unsafe.Add(ref destination, i * ldd);
            for (int j = 0; j <= i; j++)
            {
                Unsafe.Add(ref row, j) = Unsafe.Add(ref source, (j * lds) + i);
            }

            ClearRowEnd(ref row, i + 1, n);
        }
    }

    /// <summary>Zeroes <c>row[start, end)</c>; inline vector stores, as a call to a clearing routine costs more than these few elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ClearRowEnd<T>(ref T row, int start, int end)
        where T : unmanaged
    {
        int j = start, w = Vector256<byte>.Count / Unsafe.SizeOf<T>();
        if (Vector256.IsHardwareAccelerated && end - start >= w)
        {
            // The last vector ends at the end, over the one before it: no loop of a varying few elements.
            for (; j + w < end; j += w)
            {
                Vector256<byte>.Zero.StoreUnsafe(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref row, j)));
            }

            Vector256<byte>.Zero.StoreUnsafe(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref row, end - w)));
            return;
        }

        for (; j < end; j++)
        {
            Unsafe.Add(ref row, j) = default;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TilesSupported<T>() =>
        (typeof(T) == typeof(float) && Sse.IsSupported) || (typeof(T) == typeof(double) && Avx.IsSupported);

    /// <summary>Element by element, for edges and the scalar path.</summary>
    private static void Elements<T>(ref T source, nint lds, ref T destination, nint ldd, int rows, int columns)
    {
        for (int i = 0; i < rows; i++)
        {
            ref T row = ref Unsafe.Add(ref source, i * lds);
            for (int j = 0; j < columns; j++)
            {
                Unsafe.Add(ref destination, (j * ldd) + i) = Unsafe.Add(ref row, j);
            }
        }
    }

    /// <summary>
    /// One 8×8 float tile (AVX). Rows k and k + 4 share a register, the second loaded into its upper
    /// half, so one 4×4 transpose runs in both halves at once and each result is a whole row of the
    /// destination: 16 loads, 16 shuffles and 8 stores where four 4×4 tiles take 32 shuffles and 16 stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile8x8(ref float s, nint lds, ref float d, nint ldd)
    {
        for (int half = 0; half < 2 * Tile; half += Tile)
        {
            Vector256<float> r0 = Rows(ref s, lds, 0, half), r1 = Rows(ref s, lds, 1, half);
            Vector256<float> r2 = Rows(ref s, lds, 2, half), r3 = Rows(ref s, lds, 3, half);
            Vector256<float> ab01 = Avx.UnpackLow(r0, r1), cd01 = Avx.UnpackLow(r2, r3);
            Vector256<float> ab23 = Avx.UnpackHigh(r0, r1), cd23 = Avx.UnpackHigh(r2, r3);
            ref float row = ref Unsafe.Add(ref d, half * ldd);
            Avx.Shuffle(ab01, cd01, 0x44).StoreUnsafe(ref row);
            Avx.Shuffle(ab01, cd01, 0xEE).StoreUnsafe(ref row, (nuint)ldd);
            Avx.Shuffle(ab23, cd23, 0x44).StoreUnsafe(ref row, (nuint)(2 * ldd));
            Avx.Shuffle(ab23, cd23, 0xEE).StoreUnsafe(ref row, (nuint)(3 * ldd));
        }

        static Vector256<float> Rows(ref float s, nint lds, int k, int column) =>
            Vector256.Create(Vector128.LoadUnsafe(ref s, (nuint)((k * lds) + column)), Vector128.LoadUnsafe(ref s, (nuint)(((k + Tile) * lds) + column)));
    }

    /// <summary>One 4×4 tile: rows a, b, c, d in, columns out (float: SSE, double: AVX; the callers check <see cref="TilesSupported{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Tile4x4<T>(ref T source, nint lds, ref T destination, nint ldd)
    {
        if (typeof(T) == typeof(float))
        {
            ref float s = ref Unsafe.As<T, float>(ref source);
            ref float d = ref Unsafe.As<T, float>(ref destination);
            Vector128<float> r0 = Vector128.LoadUnsafe(ref s);
            Vector128<float> r1 = Vector128.LoadUnsafe(ref s, (nuint)lds);
            Vector128<float> r2 = Vector128.LoadUnsafe(ref s, (nuint)(2 * lds));
            Vector128<float> r3 = Vector128.LoadUnsafe(ref s, (nuint)(3 * lds));
            Vector128<float> ab01 = Sse.UnpackLow(r0, r1), cd01 = Sse.UnpackLow(r2, r3);
            Vector128<float> ab23 = Sse.UnpackHigh(r0, r1), cd23 = Sse.UnpackHigh(r2, r3);
            Sse.MoveLowToHigh(ab01, cd01).StoreUnsafe(ref d);
            Sse.MoveHighToLow(cd01, ab01).StoreUnsafe(ref d, (nuint)ldd);
            Sse.MoveLowToHigh(ab23, cd23).StoreUnsafe(ref d, (nuint)(2 * ldd));
            Sse.MoveHighToLow(cd23, ab23).StoreUnsafe(ref d, (nuint)(3 * ldd));
        }
        else if (typeof(T) == typeof(double))
        {
            ref double s = ref Unsafe.As<T, double>(ref source);
            ref double d = ref Unsafe.As<T, double>(ref destination);
            Vector256<double> r0 = Vector256.LoadUnsafe(ref s);
            Vector256<double> r1 = Vector256.LoadUnsafe(ref s, (nuint)lds);
            Vector256<double> r2 = Vector256.LoadUnsafe(ref s, (nuint)(2 * lds));
            Vector256<double> r3 = Vector256.LoadUnsafe(ref s, (nuint)(3 * lds));
            Vector256<double> ab02 = Avx.UnpackLow(r0, r1), ab13 = Avx.UnpackHigh(r0, r1);
            Vector256<double> cd02 = Avx.UnpackLow(r2, r3), cd13 = Avx.UnpackHigh(r2, r3);
            Avx.Permute2x128(ab02, cd02, 0x20).StoreUnsafe(ref d);
            Avx.Permute2x128(ab13, cd13, 0x20).StoreUnsafe(ref d, (nuint)ldd);
            Avx.Permute2x128(ab02, cd02, 0x31).StoreUnsafe(ref d, (nuint)(2 * ldd));
            Avx.Permute2x128(ab13, cd13, 0x31).StoreUnsafe(ref d, (nuint)(3 * ldd));
        }
    }
}
