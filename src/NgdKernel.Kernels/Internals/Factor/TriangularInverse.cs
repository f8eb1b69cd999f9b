namespace NgdKernel.Kernels.Internals;

/// <summary>
/// <c>L -&gt; (L·Lᵀ)⁻¹</c> in place (LAPACK's dpotri: dtrtri then dlauum), each output row
/// accumulated in registers as a combination of the rows below or above it.
/// </summary>
/// <remarks>
/// <code>
///   1. M = L⁻¹, rows ascending:  m_i[0:i] = -(1/l_ii) · Σ_{k&lt;i} l_ik · m_k[0:i],  m_ii = 1/l_ii
///   2. A⁻¹ = Mᵀ·M, rows ascending: row i of its lower triangle = Σ_{k&gt;=i} m_ki · m_k[0:i+1]
/// </code>
/// Both run in place: step 1 reads the coefficients l_ik from row i while it accumulates and
/// stores a chunk of row i only after the k loop, and later chunks read coefficients only to the
/// right of the stored ones; step 2 reads rows k &gt;= i, which still hold M. The strict upper
/// triangle is zeroed first, so a chunk of row k may run past its diagonal (reading zeros)
/// instead of needing a mask; it is overwritten by the mirror at the end. Chunks of up to four
/// vectors end with an overlapping last vector, as in <see cref="TriangularColumns"/>.
/// </remarks>
internal static class TriangularInverse
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Invert<T>(ref T a, nint ld, int n, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i + 1 < n; i++)
        {
            System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref Unsafe.Add(ref a, (i * ld) + i + 1), n - i - 1).Clear();
        }

        for (int i = 0; i < n; i++)
        {
            T inverseDiagonal = T.One / Unsafe.Add(ref a, (i * ld) + i);
            Row(ref a, ld, n, i, i, inverseStep: true, -inverseDiagonal, path);
            Unsafe.Add(ref a, (i * ld) + i) = inverseDiagonal;
        }

        for (int i = 0; i < n; i++)
        {
            Row(ref a, ld, n, i, i + 1, inverseStep: false, T.One, path);
        }
    }

    /// <summary>Columns <c>[0, width)</c> of output row i of step 1 or 2, scaled by <paramref name="scale"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<T>(ref T a, nint ld, int n, int i, int width, bool inverseStep, T scale, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int j = 0;
        if (path == KernelPath.Vector512)
        {
            j = Chunks<Simd512<T>, Vector512<T>, T>(ref a, ld, n, i, width, j, inverseStep, scale);
        }

        if (path != KernelPath.Scalar && j < width)
        {
            j = Chunks<Simd256<T>, Vector256<T>, T>(ref a, ld, n, i, width, j, inverseStep, scale);
            if (j < width)
            {
                j = Chunks<Simd128<T>, Vector128<T>, T>(ref a, ld, n, i, width, j, inverseStep, scale);
            }
        }

        if (j < width)
        {
            Chunks<SimdScalar<T, One>, T, T>(ref a, ld, n, i, width, j, inverseStep, scale);
        }
    }

    /// <summary>
    /// Columns <c>[j, width)</c> in chunks of up to four vectors when one fits; returns the first column not done.
    /// Inlined into <see cref="Row"/>: a row of an order-33 inverse passes through up to four widths, and
    /// those calls took about a sixth of its time (Zen 5, one thread, alternated calls against the
    /// calls: order 32-33 about 0.8x the time in float, 0.9x in double; order 100 0.95x).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Chunks<TOps, TVector, T>(ref T a, nint ld, int n, int i, int width, int j, bool inverseStep, T scale)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = (int)TOps.Count;
        nuint uw = TOps.Count;
        if (width - j < w)
        {
            return j;
        }

        while (width - j > 4 * w)
        {
            if (width - j - (4 * w) >= w)
            {
                Chunk<TOps, TVector, Four, T>(ref a, ld, n, i, j, uw, 2 * uw, 3 * uw, inverseStep, scale);
                j += 4 * w;
            }
            else
            {
                Chunk<TOps, TVector, Three, T>(ref a, ld, n, i, j, uw, 2 * uw, 0, inverseStep, scale);
                j += 3 * w;
            }
        }

        int rest = width - j;
        nuint last = (nuint)(rest - w);
        switch ((rest + w - 1) / w)
        {
            case 1: Chunk<TOps, TVector, One, T>(ref a, ld, n, i, j, 0, 0, 0, inverseStep, scale); break;
            case 2: Chunk<TOps, TVector, Two, T>(ref a, ld, n, i, j, last, 0, 0, inverseStep, scale); break;
            case 3: Chunk<TOps, TVector, Three, T>(ref a, ld, n, i, j, uw, last, 0, inverseStep, scale); break;
            default: Chunk<TOps, TVector, Four, T>(ref a, ld, n, i, j, uw, 2 * uw, last, inverseStep, scale); break;
        }

        return width;
    }

    /// <summary>
    /// One chunk at column <paramref name="column"/> (vector offsets 0, o1, o2, o3) of output row i:
    /// step 1 sums <c>l_ik·m_k</c> over <c>k in [column, i)</c> (rows above the chunk's first column
    /// are zero there), step 2 sums <c>m_ki·m_k</c> over <c>k in [i, n)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk<TOps, TVector, TCount, T>(ref T a, nint ld, int n, int i, int column, nuint o1, nuint o2, nuint o3, bool inverseStep, T scale)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int count = TCount.Value;
        int kStart = inverseStep ? column : i;
        int kEnd = inverseStep ? i : n;
        ref T coefficient = ref inverseStep ? ref Unsafe.Add(ref a, (i * ld) + kStart) : ref Unsafe.Add(ref a, (kStart * ld) + i);
        nint coefficientStep = inverseStep ? 1 : ld;
        ref T row = ref Unsafe.Add(ref a, (kStart * ld) + column);
        TVector s0 = default, s1 = default, s2 = default, s3 = default;
        for (int k = kStart; k < kEnd; k++)
        {
            TVector l = TOps.Broadcast(coefficient);
            s0 = TOps.Fma(l, TOps.Load(ref row, 0), s0);
            if (count > 1)
            {
                s1 = TOps.Fma(l, TOps.Load(ref row, o1), s1);
            }

            if (count > 2)
            {
                s2 = TOps.Fma(l, TOps.Load(ref row, o2), s2);
            }

            if (count > 3)
            {
                s3 = TOps.Fma(l, TOps.Load(ref row, o3), s3);
            }

            coefficient = ref Unsafe.Add(ref coefficient, coefficientStep);
            row = ref Unsafe.Add(ref row, ld);
        }

        TVector factor = TOps.Broadcast(scale);
        ref T target = ref Unsafe.Add(ref a, (i * ld) + column);
        TOps.Store(TOps.Multiply(s0, factor), ref target, 0);
        if (count > 1)
        {
            TOps.Store(TOps.Multiply(s1, factor), ref target, o1);
        }

        if (count > 2)
        {
            TOps.Store(TOps.Multiply(s2, factor), ref target, o2);
        }

        if (count > 3)
        {
            TOps.Store(TOps.Multiply(s3, factor), ref target, o3);
        }
    }
}
