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
/// Four rows' chunks are loaded, updated by one broadcast and one FMA per solved row, row and
/// vector, and stored once; the per-row Level1 axpys this replaces loaded and stored them i
/// times. A chunk whose width is not a multiple of the vector width ends with an overlapping last
/// vector: its lanes shared with the previous vector get the same inputs and the same operations,
/// so both stores write the same value. B narrower than one vector falls to the next narrower
/// width, then to <see cref="SimdScalar{T, TFused}"/> (width 1), which is also the scalar path.</para>
/// <para>Every element of X is computed by the same sequence (the FMA chain in the order of
/// substitution, k ascending forward and descending backward, then one multiply) whatever chunk,
/// vector width or thread it lands in: results do not depend on how the columns are split, which
/// is what lets the threaded solves split them freely.</para>
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
            j = Chunks<Simd512<T>, Vector512<T>, T>(ref t, ldt, ref b, ldb, n, m, j, backward);
        }

        if (path != KernelPath.Scalar && j < m)
        {
            j = Chunks<Simd256<T>, Vector256<T>, T>(ref t, ldt, ref b, ldb, n, m, j, backward);
            if (j < m)
            {
                j = Chunks<Simd128<T>, Vector128<T>, T>(ref t, ldt, ref b, ldb, n, m, j, backward);
            }
        }

        if (j < m)
        {
            Chunks<SimdScalar<T, One>, T, T>(ref t, ldt, ref b, ldb, n, m, j, backward);
        }
    }

    /// <summary>Largest order of a right solve done entirely by transposition: 32 rows of doubles fit the buffer.</summary>
    public const int MaxTransposedOrder = 128;

    /// <summary>
    /// <c>X·Lᵀ = B</c> when <paramref name="forward"/>, then <c>X·L = B</c> when
    /// <paramref name="backward"/> (both: <c>X·L·Lᵀ = B</c>), X written over B; L is <c>[n, n]</c> lower
    /// with <c>n &lt;= </c><see cref="MaxTransposedOrder"/>, B is <c>[m, n]</c>, read from
    /// <paramref name="source"/> (B itself, or another <c>[m, n]</c> matrix not overlapping it: the
    /// transposition is the copy). One transposition serves both solves; past one 64-row block the
    /// transposed chunk goes through the blocked left solves, whose off-diagonal updates are register tiles.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SolveRight<T>(ref T t, nint ldt, ref T source, nint lds, ref T b, nint ldb, int m, int n, bool forward, bool backward, KernelPath path)
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
            FactorTranspose.Transpose(ref Unsafe.Add(ref source, r0 * lds), lds, ref chunk, rc, rc, n, path);
            if (forward)
            {
                TriangularSolve.Solve(ref t, ldt, lower: true, transpose: false, left: true, ref chunk, rc, n, rc, path);
            }

            if (backward)
            {
                TriangularSolve.Solve(ref t, ldt, lower: true, transpose: true, left: true, ref chunk, rc, n, rc, path);
            }

            FactorTranspose.Transpose(ref chunk, rc, ref rows, ldb, n, rc, path);
        }
    }

    /// <summary>
    /// Columns <c>[j, m)</c> in chunks of up to four vectors, when at least one vector fits;
    /// returns the first column not solved (<paramref name="j"/> when B is narrower than a vector).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Chunks<TOps, TVector, T>(ref T t, nint ldt, ref T b, nint ldb, int n, int m, int j, bool backward)
        where TOps : ISimd<TVector, T>
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
                Kernel<TOps, TVector, Four, T>(ref t, ldt, ref bj, ldb, n, uw, 2 * uw, 3 * uw, backward);
                j += 4 * w;
            }
            else
            {
                Kernel<TOps, TVector, Three, T>(ref t, ldt, ref bj, ldb, n, uw, 2 * uw, 0, backward);
                j += 3 * w;
            }
        }

        int rest = m - j;
        nuint last = (nuint)(rest - w);
        ref T bl = ref Unsafe.Add(ref b, j);
        switch ((rest + w - 1) / w)
        {
            case 1: Kernel<TOps, TVector, One, T>(ref t, ldt, ref bl, ldb, n, 0, 0, 0, backward); break;
            case 2: Kernel<TOps, TVector, Two, T>(ref t, ldt, ref bl, ldb, n, last, 0, 0, backward); break;
            case 3: Kernel<TOps, TVector, Three, T>(ref t, ldt, ref bl, ldb, n, uw, last, 0, backward); break;
            default: Kernel<TOps, TVector, Four, T>(ref t, ldt, ref bl, ldb, n, uw, 2 * uw, last, backward); break;
        }

        return m;
    }

    /// <summary>
    /// One chunk of <c>TCount</c> vectors at column offsets 0, <paramref name="o1"/>,
    /// <paramref name="o2"/>, <paramref name="o3"/> of B, solved down (forward) or up (backward)
    /// all n rows: four rows at a time, then the last <c>n % 4</c> one by one (those take the solved rows' terms
    /// every two blocks as they go, partial sums kept in B).
    /// </summary>
    /// <remarks>
    /// One row at a time, each vector is one FMA chain of length i: at n = 20 the solve waited on
    /// FMA latency (4 cycles) with two chains in flight. Four rows share each loaded vector of a
    /// solved row and keep up to 16 chains in flight; the triangle inside the block of four then
    /// runs in registers. The sequence per element is unchanged: forward sums k ascending,
    /// backward k descending, then one multiply by <c>1/l_ii</c>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<TOps, TVector, TCount, T>(ref T t, nint ldt, ref T b, nint ldb, int n, nuint o1, nuint o2, nuint o3, bool backward)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int done = 0, rest = n % 4;
        for (; done + 4 <= n; done += 4)
        {
            if (backward)
            {
                BlockBackward<TOps, TVector, TCount, T>(ref t, ldt, ref b, ldb, n, n - 4 - done, o1, o2, o3);
            }
            else
            {
                BlockForward<TOps, TVector, TCount, T>(ref t, ldt, ref b, ldb, done, o1, o2, o3);
            }

            // The last n % 4 rows take every two blocks' eight terms then (their partial sums stored in B):
            // their chains advance while the next blocks run, where one row's whole chain alone at the end
            // waited on the FMA latency (n = 33, double: 4 right solves 0.3-0.4 us more than at n = 36;
            // a call every block cost float what it saved).
            if (rest > 0 && done % 8 == 4)
            {
                Advance<TOps, TVector, TCount, T>(ref t, ldt, ref b, ldb, n, done - 4, o1, o2, o3, backward);
            }
        }

        for (; done < n; done++)
        {
            int i = backward ? n - 1 - done : done;
            int skip = (n - rest) / 8 * 8;
            SingleRow<TOps, TVector, TCount, T>(ref t, ldt, ref b, ldb, n, i, skip, (backward ? n - 1 - i : i) - skip, true, o1, o2, o3, backward);
        }
    }

    /// <summary>The last <c>n % 4</c> rows' eight terms after <paramref name="done"/> rows (inlined, it slowed every order's blocks).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Advance<TOps, TVector, TCount, T>(ref T t, nint ldt, ref T b, nint ldb, int n, int done, nuint o1, nuint o2, nuint o3, bool backward)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int r = 0, rest = n % 4; r < rest; r++)
        {
            SingleRow<TOps, TVector, TCount, T>(ref t, ldt, ref b, ldb, n, backward ? r : n - rest + r, done, 8, false, o1, o2, o3, backward);
        }
    }

    /// <summary>Rows <c>i0..i0+3</c> of <c>L·X = B</c>, rows above solved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlockForward<TOps, TVector, TCount, T>(ref T t, nint ldt, ref T b, nint ldb, int i0, nuint o1, nuint o2, nuint o3)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T b0 = ref Unsafe.Add(ref b, i0 * ldb);
        ref T b1 = ref Unsafe.Add(ref b0, ldb);
        ref T b2 = ref Unsafe.Add(ref b1, ldb);
        ref T b3 = ref Unsafe.Add(ref b2, ldb);
        Load<TOps, TVector, TCount, T>(ref b0, o1, o2, o3, out TVector a00, out TVector a01, out TVector a02, out TVector a03);
        Load<TOps, TVector, TCount, T>(ref b1, o1, o2, o3, out TVector a10, out TVector a11, out TVector a12, out TVector a13);
        Load<TOps, TVector, TCount, T>(ref b2, o1, o2, o3, out TVector a20, out TVector a21, out TVector a22, out TVector a23);
        Load<TOps, TVector, TCount, T>(ref b3, o1, o2, o3, out TVector a30, out TVector a31, out TVector a32, out TVector a33);
        ref T l0 = ref Unsafe.Add(ref t, i0 * ldt);
        ref T l1 = ref Unsafe.Add(ref l0, ldt);
        ref T l2 = ref Unsafe.Add(ref l1, ldt);
        ref T l3 = ref Unsafe.Add(ref l2, ldt);
        ref T bk = ref b;
        for (int k = 0; k < i0; k++)
        {
            Load<TOps, TVector, TCount, T>(ref bk, o1, o2, o3, out TVector x0, out TVector x1, out TVector x2, out TVector x3);
            Update<TOps, TVector, TCount, T>(Unsafe.Add(ref l0, k), x0, x1, x2, x3, ref a00, ref a01, ref a02, ref a03);
            Update<TOps, TVector, TCount, T>(Unsafe.Add(ref l1, k), x0, x1, x2, x3, ref a10, ref a11, ref a12, ref a13);
            Update<TOps, TVector, TCount, T>(Unsafe.Add(ref l2, k), x0, x1, x2, x3, ref a20, ref a21, ref a22, ref a23);
            Update<TOps, TVector, TCount, T>(Unsafe.Add(ref l3, k), x0, x1, x2, x3, ref a30, ref a31, ref a32, ref a33);
            bk = ref Unsafe.Add(ref bk, ldb);
        }

        // The triangle inside the block, k ascending as above.
        Finish<TOps, TVector, TCount, T>(Unsafe.Add(ref l0, i0), ref b0, o1, o2, o3, ref a00, ref a01, ref a02, ref a03);
        Update<TOps, TVector, TCount, T>(Unsafe.Add(ref l1, i0), a00, a01, a02, a03, ref a10, ref a11, ref a12, ref a13);
        Finish<TOps, TVector, TCount, T>(Unsafe.Add(ref l1, i0 + 1), ref b1, o1, o2, o3, ref a10, ref a11, ref a12, ref a13);
        Update<TOps, TVector, TCount, T>(Unsafe.Add(ref l2, i0), a00, a01, a02, a03, ref a20, ref a21, ref a22, ref a23);
        Update<TOps, TVector, TCount, T>(Unsafe.Add(ref l2, i0 + 1), a10, a11, a12, a13, ref a20, ref a21, ref a22, ref a23);
        Finish<TOps, TVector, TCount, T>(Unsafe.Add(ref l2, i0 + 2), ref b2, o1, o2, o3, ref a20, ref a21, ref a22, ref a23);
        Update<TOps, TVector, TCount, T>(Unsafe.Add(ref l3, i0), a00, a01, a02, a03, ref a30, ref a31, ref a32, ref a33);
        Update<TOps, TVector, TCount, T>(Unsafe.Add(ref l3, i0 + 1), a10, a11, a12, a13, ref a30, ref a31, ref a32, ref a33);
        Update<TOps, TVector, TCount, T>(Unsafe.Add(ref l3, i0 + 2), a20, a21, a22, a23, ref a30, ref a31, ref a32, ref a33);
        Finish<TOps, TVector, TCount, T>(Unsafe.Add(ref l3, i0 + 3), ref b3, o1, o2, o3, ref a30, ref a31, ref a32, ref a33);
    }

    /// <summary>Rows <c>i0..i0+3</c> of <c>Lᵀ·X = B</c>, rows below solved; coefficients <c>l_k,i0..i0+3</c> are adjacent in row k of L.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlockBackward<TOps, TVector, TCount, T>(ref T t, nint ldt, ref T b, nint ldb, int n, int i0, nuint o1, nuint o2, nuint o3)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T b0 = ref Unsafe.Add(ref b, i0 * ldb);
        ref T b1 = ref Unsafe.Add(ref b0, ldb);
        ref T b2 = ref Unsafe.Add(ref b1, ldb);
        ref T b3 = ref Unsafe.Add(ref b2, ldb);
        Load<TOps, TVector, TCount, T>(ref b0, o1, o2, o3, out TVector a00, out TVector a01, out TVector a02, out TVector a03);
        Load<TOps, TVector, TCount, T>(ref b1, o1, o2, o3, out TVector a10, out TVector a11, out TVector a12, out TVector a13);
        Load<TOps, TVector, TCount, T>(ref b2, o1, o2, o3, out TVector a20, out TVector a21, out TVector a22, out TVector a23);
        Load<TOps, TVector, TCount, T>(ref b3, o1, o2, o3, out TVector a30, out TVector a31, out TVector a32, out TVector a33);
        ref T tk = ref Unsafe.Add(ref t, ((n - 1) * ldt) + i0);
        ref T bk = ref Unsafe.Add(ref b, (n - 1) * ldb);
        for (int k = n - 1; k > i0 + 3; k--)
        {
            Load<TOps, TVector, TCount, T>(ref bk, o1, o2, o3, out TVector x0, out TVector x1, out TVector x2, out TVector x3);
            Update<TOps, TVector, TCount, T>(tk, x0, x1, x2, x3, ref a00, ref a01, ref a02, ref a03);
            Update<TOps, TVector, TCount, T>(Unsafe.Add(ref tk, 1), x0, x1, x2, x3, ref a10, ref a11, ref a12, ref a13);
            Update<TOps, TVector, TCount, T>(Unsafe.Add(ref tk, 2), x0, x1, x2, x3, ref a20, ref a21, ref a22, ref a23);
            Update<TOps, TVector, TCount, T>(Unsafe.Add(ref tk, 3), x0, x1, x2, x3, ref a30, ref a31, ref a32, ref a33);
            tk = ref Unsafe.Subtract(ref tk, ldt);
            bk = ref Unsafe.Subtract(ref bk, ldb);
        }

        // The triangle inside the block, k descending as above; row k of L at tk + (k - i0)·ldt.
        ref T t1 = ref Unsafe.Add(ref t, ((i0 + 1) * ldt) + i0);
        ref T t2 = ref Unsafe.Add(ref t1, ldt);
        ref T t3 = ref Unsafe.Add(ref t2, ldt);
        Finish<TOps, TVector, TCount, T>(Unsafe.Add(ref t3, 3), ref b3, o1, o2, o3, ref a30, ref a31, ref a32, ref a33);
        Update<TOps, TVector, TCount, T>(Unsafe.Add(ref t3, 2), a30, a31, a32, a33, ref a20, ref a21, ref a22, ref a23);
        Finish<TOps, TVector, TCount, T>(Unsafe.Add(ref t2, 2), ref b2, o1, o2, o3, ref a20, ref a21, ref a22, ref a23);
        Update<TOps, TVector, TCount, T>(Unsafe.Add(ref t3, 1), a30, a31, a32, a33, ref a10, ref a11, ref a12, ref a13);
        Update<TOps, TVector, TCount, T>(Unsafe.Add(ref t2, 1), a20, a21, a22, a23, ref a10, ref a11, ref a12, ref a13);
        Finish<TOps, TVector, TCount, T>(Unsafe.Add(ref t1, 1), ref b1, o1, o2, o3, ref a10, ref a11, ref a12, ref a13);
        Update<TOps, TVector, TCount, T>(t3, a30, a31, a32, a33, ref a00, ref a01, ref a02, ref a03);
        Update<TOps, TVector, TCount, T>(t2, a20, a21, a22, a23, ref a00, ref a01, ref a02, ref a03);
        Update<TOps, TVector, TCount, T>(t1, a10, a11, a12, a13, ref a00, ref a01, ref a02, ref a03);
        Finish<TOps, TVector, TCount, T>(Unsafe.Add(ref t, (i0 * ldt) + i0), ref b0, o1, o2, o3, ref a00, ref a01, ref a02, ref a03);
    }

    /// <summary>Row i alone (the last <c>n % 4</c> rows): <paramref name="count"/> terms after <paramref name="skip"/>, then divided (<paramref name="finish"/>) or stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SingleRow<TOps, TVector, TCount, T>(
        ref T t, nint ldt, ref T b, nint ldb, int n, int i, int skip, int count, bool finish, nuint o1, nuint o2, nuint o3, bool backward)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T bi = ref Unsafe.Add(ref b, i * ldb);
        Load<TOps, TVector, TCount, T>(ref bi, o1, o2, o3, out TVector a0, out TVector a1, out TVector a2, out TVector a3);

        // Forward reads row i of L (l_ik, k < i, ascending); backward column i (l_ki, k > i, descending).
        int first = backward ? n - 1 - skip : skip;
        ref T bk = ref Unsafe.Add(ref b, first * ldb);
        ref T tk = ref backward ? ref Unsafe.Add(ref t, (first * ldt) + i) : ref Unsafe.Add(ref t, (i * ldt) + first);
        nint tStep = backward ? -ldt : 1;
        nint bStep = backward ? -ldb : ldb;
        for (int k = 0; k < count; k++)
        {
            Load<TOps, TVector, TCount, T>(ref bk, o1, o2, o3, out TVector x0, out TVector x1, out TVector x2, out TVector x3);
            Update<TOps, TVector, TCount, T>(tk, x0, x1, x2, x3, ref a0, ref a1, ref a2, ref a3);
            bk = ref Unsafe.Add(ref bk, bStep);
            tk = ref Unsafe.Add(ref tk, tStep);
        }

        if (finish)
        {
            Finish<TOps, TVector, TCount, T>(Unsafe.Add(ref t, (i * ldt) + i), ref bi, o1, o2, o3, ref a0, ref a1, ref a2, ref a3);
        }
        else
        {
            Store<TOps, TVector, TCount, T>(ref bi, o1, o2, o3, a0, a1, a2, a3);
        }
    }

    /// <summary>The chunk's vectors at column offsets 0, <paramref name="o1"/>, <paramref name="o2"/>, <paramref name="o3"/> of a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Load<TOps, TVector, TCount, T>(ref T row, nuint o1, nuint o2, nuint o3, out TVector v0, out TVector v1, out TVector v2, out TVector v3)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        v0 = TOps.Load(ref row, 0);
        v1 = TCount.Value > 1 ? TOps.Load(ref row, o1) : default;
        v2 = TCount.Value > 2 ? TOps.Load(ref row, o2) : default;
        v3 = TCount.Value > 3 ? TOps.Load(ref row, o3) : default;
    }

    /// <summary><c>a -= coefficient·x</c> on each of the chunk's vectors (one negated FMA each, the coefficient broadcast from memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Update<TOps, TVector, TCount, T>(T coefficient, TVector x0, TVector x1, TVector x2, TVector x3, ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVector l = TOps.Broadcast(coefficient);
        a0 = TOps.FmaNegated(l, x0, a0);
        if (TCount.Value > 1)
        {
            a1 = TOps.FmaNegated(l, x1, a1);
        }

        if (TCount.Value > 2)
        {
            a2 = TOps.FmaNegated(l, x2, a2);
        }

        if (TCount.Value > 3)
        {
            a3 = TOps.FmaNegated(l, x3, a3);
        }
    }

    /// <summary><c>a *= 1/diagonal</c>, stored to the row: the solved row, also left in <c>a</c> for the rows after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TOps, TVector, TCount, T>(T diagonal, ref T row, nuint o1, nuint o2, nuint o3, ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVector inverse = TOps.Broadcast(T.One / diagonal);
        a0 = TOps.Multiply(a0, inverse);
        TOps.Store(a0, ref row, 0);
        if (TCount.Value > 1)
        {
            a1 = TOps.Multiply(a1, inverse);
            TOps.Store(a1, ref row, o1);
        }

        if (TCount.Value > 2)
        {
            a2 = TOps.Multiply(a2, inverse);
            TOps.Store(a2, ref row, o2);
        }

        if (TCount.Value > 3)
        {
            a3 = TOps.Multiply(a3, inverse);
            TOps.Store(a3, ref row, o3);
        }
    }

    /// <summary>Stores the chunk's vectors, in order, at column offsets 0, <paramref name="o1"/>, <paramref name="o2"/>, <paramref name="o3"/> of a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store<TOps, TVector, TCount, T>(ref T row, nuint o1, nuint o2, nuint o3, TVector v0, TVector v1, TVector v2, TVector v3)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TOps.Store(v0, ref row, 0);
        if (TCount.Value > 1)
        {
            TOps.Store(v1, ref row, o1);
        }

        if (TCount.Value > 2)
        {
            TOps.Store(v2, ref row, o2);
        }

        if (TCount.Value > 3)
        {
            TOps.Store(v3, ref row, o3);
        }
    }
}
