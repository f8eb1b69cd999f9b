using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Triangular solves with a lower factor of at most <see cref="TriangularSolve.BlockSize"/> rows,
/// register-blocked along the contiguous rows of the right-hand side: the whole solve of a small
/// matrix, and the diagonal-block step of the blocked solves.
/// </summary>
/// <remarks>
/// <para>Left solves walk B's columns in chunks of up to four vectors kept in registers:
/// <code>
///   forward  (L·X = B):   x_i = (b_i - Σ_{k&lt;i} l_ik·x_k) · (1/l_ii)     rows of B, ascending
///   backward (Lᵀ·X = B):  x_i = (b_i - Σ_{k&gt;i} l_ki·x_k) · (1/l_ii)     rows of B, descending
/// </code>
/// Row i's chunk is loaded, updated by one broadcast and one FMA per solved row and vector, and
/// stored once; the per-row Level1 axpys this replaces loaded and stored it i times. A chunk whose
/// width is not a multiple of the vector width ends with an overlapping last vector: its lanes
/// shared with the previous vector get the same inputs and the same operations, so both stores
/// write the same value. B narrower than one vector falls to the next narrower width, then to
/// scalar code.</para>
/// <para>Every element of X is computed by the same sequence (the FMA chain in k order, then one
/// multiply) whatever chunk, vector width or thread it lands in: results do not depend on how the
/// columns are split, which is what lets the threaded solves split them freely.</para>
/// <para>Right solves (<c>X·Lᵀ = B</c>, <c>X·L = B</c>) have no contiguous direction to vectorize
/// in B's rows, so chunks of B's rows are transposed into a 32 KB stack buffer, solved from the
/// left, and transposed back (<c>X·Lᵀ = B ⇔ L·Xᵀ = Bᵀ</c>).</para>
/// <para>The kernels here and in the factorization are compiled fully optimized at once
/// (<c>AggressiveOptimization</c>, as the GEMM micro-kernels are): unoptimized (tier-0) code calls
/// every static abstract vector operation and runs tens of times slower, and a small solve takes
/// so little time that the tiered JIT would leave it there for the first hundreds of calls.</para>
/// </remarks>
internal static class TriangularColumns
{
    /// <summary>Bytes of stack for the transposed chunk of a right solve.</summary>
    private const int TransposeBytes = 32 * 1024;

    /// <summary>
    /// <c>L·X = B</c> (<paramref name="backward"/> false) or <c>Lᵀ·X = B</c> (true) in place;
    /// L is <c>[n, n]</c> lower at <paramref name="t"/>, B is <c>[n, m]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveLeft<T>(ref T t, nint ldt, ref T b, nint ldb, int n, int m, bool backward, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int j = 0;
        if (path == KernelPath.Vector512)
        {
            j = Chunks<FactorSimd512<T>, Vector512<T>, T>(ref t, ldt, ref b, ldb, n, m, j, backward);
        }

        if (path != KernelPath.Scalar && j < m)
        {
            j = Chunks<FactorSimd256<T>, Vector256<T>, T>(ref t, ldt, ref b, ldb, n, m, j, backward);
            if (j < m)
            {
                j = Chunks<FactorSimd128<T>, Vector128<T>, T>(ref t, ldt, ref b, ldb, n, m, j, backward);
            }
        }

        if (j < m)
        {
            Scalar(ref t, ldt, ref Unsafe.Add(ref b, j), ldb, n, m - j, backward);
        }
    }

    /// <summary>Largest order of a right solve done entirely by transposition: 32 rows of doubles fit the buffer.</summary>
    public const int MaxTransposedOrder = 128;

    /// <summary>
    /// <c>X·Lᵀ = B</c> when <paramref name="forward"/>, then <c>X·L = B</c> when
    /// <paramref name="backward"/> (both: <c>X·L·Lᵀ = B</c>), in place; L is <c>[n, n]</c> lower
    /// with <c>n &lt;= </c><see cref="MaxTransposedOrder"/>, B is <c>[m, n]</c>. One transposition
    /// serves both solves; past one 64-row block the transposed chunk goes through the blocked left
    /// solves, whose off-diagonal updates are register tiles.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveRight<T>(ref T t, nint ldt, ref T b, nint ldb, int m, int n, bool forward, bool backward, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
#if NGDASSERT
        System.Diagnostics.Debug.Assert(n <= MaxTransposedOrder, "right solve wider than the transposition buffer");
#endif
        if (m == 0 || n == 0)
        {
            return;
        }

        Span<byte> raw = stackalloc byte[TransposeBytes];
        ref T chunk = ref Unsafe.As<byte, T>(ref MemoryMarshal.GetReference(raw));
        // Whole 16-element groups of rows when they fit, so that chunks split into whole vectors.
        int capacity = TransposeBytes / Unsafe.SizeOf<T>() / n;
        capacity = capacity >= 16 ? capacity / 16 * 16 : capacity;
        for (int r0 = 0; r0 < m; r0 += capacity)
        {
            int rc = Math.Min(capacity, m - r0);
            ref T rows = ref Unsafe.Add(ref b, r0 * ldb);
            Transpose(ref rows, ldb, ref chunk, rc, rc, n);
            if (forward)
            {
                TriangularSolve.Solve(ref t, ldt, lower: true, transpose: false, left: true, ref chunk, rc, n, rc, path);
            }

            if (backward)
            {
                TriangularSolve.Solve(ref t, ldt, lower: true, transpose: true, left: true, ref chunk, rc, n, rc, path);
            }

            Transpose(ref chunk, rc, ref rows, ldb, n, rc);
        }
    }

    /// <summary><c>destination[j, i] = source[i, j]</c> for a <c>[rows, columns]</c> source, in 8×8 tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose<T>(ref T source, nint lds, ref T destination, nint ldd, int rows, int columns)
    {
        const int Tile = 8;
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(rows, i0 + Tile);
            for (int j0 = 0; j0 < columns; j0 += Tile)
            {
                int j1 = Math.Min(columns, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    ref T row = ref Unsafe.Add(ref source, i * lds);
                    for (int j = j0; j < j1; j++)
                    {
                        Unsafe.Add(ref destination, (j * ldd) + i) = Unsafe.Add(ref row, j);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Columns <c>[j, m)</c> in chunks of up to four vectors, when at least one vector fits;
    /// returns the first column not solved (<paramref name="j"/> when B is narrower than a vector).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Chunks<TOps, TVector, T>(ref T t, nint ldt, ref T b, nint ldb, int n, int m, int j, bool backward)
        where TOps : IFactorSimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = (int)TOps.Count;
        nuint uw = TOps.Count;
        if (m - j < w)
        {
            return j;
        }

        // Full chunks, leaving at least one whole vector for the last chunk so that its
        // overlapping vector stays inside it (never over columns an earlier chunk has solved).
        while (m - j > 4 * w)
        {
            ref T bj = ref Unsafe.Add(ref b, j);
            if (m - j - (4 * w) >= w)
            {
                Kernel<TOps, TVector, FourVectors, T>(ref t, ldt, ref bj, ldb, n, uw, 2 * uw, 3 * uw, backward);
                j += 4 * w;
            }
            else
            {
                Kernel<TOps, TVector, ThreeVectors, T>(ref t, ldt, ref bj, ldb, n, uw, 2 * uw, 0, backward);
                j += 3 * w;
            }
        }

        int rest = m - j;
        nuint last = (nuint)(rest - w);
        ref T bl = ref Unsafe.Add(ref b, j);
        switch ((rest + w - 1) / w)
        {
            case 1: Kernel<TOps, TVector, OneVector, T>(ref t, ldt, ref bl, ldb, n, 0, 0, 0, backward); break;
            case 2: Kernel<TOps, TVector, TwoVectors, T>(ref t, ldt, ref bl, ldb, n, last, 0, 0, backward); break;
            case 3: Kernel<TOps, TVector, ThreeVectors, T>(ref t, ldt, ref bl, ldb, n, uw, last, 0, backward); break;
            default: Kernel<TOps, TVector, FourVectors, T>(ref t, ldt, ref bl, ldb, n, uw, 2 * uw, last, backward); break;
        }

        return m;
    }

    /// <summary>
    /// One chunk of <c>TCount</c> vectors at column offsets 0, <paramref name="o1"/>,
    /// <paramref name="o2"/>, <paramref name="o3"/> of B, solved down (forward) or up (backward)
    /// all n rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<TOps, TVector, TCount, T>(ref T t, nint ldt, ref T b, nint ldb, int n, nuint o1, nuint o2, nuint o3, bool backward)
        where TOps : IFactorSimd<TVector, T>
        where TVector : struct
        where TCount : IVectorCount
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int count = TCount.Value;
        for (int step = 0; step < n; step++)
        {
            int i = backward ? n - 1 - step : step;
            ref T bi = ref Unsafe.Add(ref b, i * ldb);
            TVector a0 = TOps.Load(ref bi, 0);
            TVector a1 = count > 1 ? TOps.Load(ref bi, o1) : default;
            TVector a2 = count > 2 ? TOps.Load(ref bi, o2) : default;
            TVector a3 = count > 3 ? TOps.Load(ref bi, o3) : default;

            // Forward reads row i of L (l_ik, k < i); backward reads column i (l_ki, k > i).
            int kStart = backward ? i + 1 : 0;
            int kEnd = backward ? n : i;
            ref T bk = ref Unsafe.Add(ref b, kStart * ldb);
            ref T tk = ref backward ? ref Unsafe.Add(ref t, (kStart * ldt) + i) : ref Unsafe.Add(ref t, i * ldt);
            nint tStep = backward ? ldt : 1;
            for (int k = kStart; k < kEnd; k++)
            {
                TVector l = TOps.Broadcast(-tk);
                a0 = TOps.Fma(l, TOps.Load(ref bk, 0), a0);
                if (count > 1)
                {
                    a1 = TOps.Fma(l, TOps.Load(ref bk, o1), a1);
                }

                if (count > 2)
                {
                    a2 = TOps.Fma(l, TOps.Load(ref bk, o2), a2);
                }

                if (count > 3)
                {
                    a3 = TOps.Fma(l, TOps.Load(ref bk, o3), a3);
                }

                bk = ref Unsafe.Add(ref bk, ldb);
                tk = ref Unsafe.Add(ref tk, tStep);
            }

            TVector inverse = TOps.Broadcast(T.One / Unsafe.Add(ref t, (i * ldt) + i));
            TOps.Store(TOps.Multiply(a0, inverse), ref bi, 0);
            if (count > 1)
            {
                TOps.Store(TOps.Multiply(a1, inverse), ref bi, o1);
            }

            if (count > 2)
            {
                TOps.Store(TOps.Multiply(a2, inverse), ref bi, o2);
            }

            if (count > 3)
            {
                TOps.Store(TOps.Multiply(a3, inverse), ref bi, o3);
            }
        }
    }

    /// <summary>The scalar path, and the columns of B narrower than the narrowest vector: the same per-element sequence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scalar<T>(ref T t, nint ldt, ref T b, nint ldb, int n, int m, bool backward)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int step = 0; step < n; step++)
        {
            int i = backward ? n - 1 - step : step;
            ref T bi = ref Unsafe.Add(ref b, i * ldb);
            T inverse = T.One / Unsafe.Add(ref t, (i * ldt) + i);
            int kStart = backward ? i + 1 : 0;
            int kEnd = backward ? n : i;
            for (int j = 0; j < m; j++)
            {
                T sum = Unsafe.Add(ref bi, j);
                for (int k = kStart; k < kEnd; k++)
                {
                    T l = backward ? Unsafe.Add(ref t, (k * ldt) + i) : Unsafe.Add(ref t, (i * ldt) + k);
                    sum = T.FusedMultiplyAdd(-l, Unsafe.Add(ref b, (k * ldb) + j), sum);
                }

                Unsafe.Add(ref bi, j) = sum * inverse;
            }
        }
    }
}
