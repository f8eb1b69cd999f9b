namespace NgdKernel.Kernels;

// Unblocked kernels: the diagonal-block factorization and the inverse from the factor.
public static partial class Cholesky
{
    /// <summary>
    /// Cholesky of an <c>n×n</c> block at <paramref name="a0"/> (<c>n &lt;= 64</c>) in a stack copy
    /// of its transpose: the upper factor <c>U = Lᵀ</c> row by row,
    /// <c>u[i,j] = (a[j,i] + δ_ij·damping - Σ_{k&lt;i} u[k,i]·u[k,j]) · (1/u[i,i])</c>, then L copied
    /// back. Rows of U are contiguous in j, so each row is one register-blocked FMA chain over the
    /// rows above it; rows of L would instead need one short dot product per element.
    /// Zeroes the strict upper triangle of each finished row. Returns the failing pivot, or -1;
    /// on failure the rows before the pivot hold L and the rest of the block is unchanged.
    /// </summary>
    /// <remarks>
    /// The copy is padded to whole vectors with zeros, and each row is updated from the vector
    /// boundary at or below its diagonal, so no loop has a tail: the lanes left of the diagonal
    /// compute values nobody reads. Each element is one FMA chain in k order and one multiply
    /// by <c>1/u[i,i]</c> (as LAPACK's dpotf2 scales by <c>1/ajj</c>), the same sequence on every
    /// path; it is <see cref="FactorUpper{TOps, TVector, T}"/> on a group of one. Copying in and out
    /// costs <c>2n²</c> moves against <c>n³/3</c> flops.
    /// </remarks>
    [SkipLocalsInit]
    internal static int FactorUnblocked<T>(ref T a0, nint lda, int n, T damping, KernelPath path, out T pivotValue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
#if NGDASSERT
        System.Diagnostics.Debug.Assert(n <= BlockSize, "diagonal block larger than the stack buffer");
#endif
        int stride = Padded(n, VectorWidth<T>(path));
        Span<T> workspace = stackalloc T[BlockSize * BlockSize];
        ref T u = ref MemoryMarshal.GetReference(workspace);
        CopyDamped(ref a0, lda, n, upper: false, damping, ref u, stride, path);
        Span<int> pivot = stackalloc int[1];
        Span<T> value = stackalloc T[1];
        FactorPadded(ref u, [0], [n], pivot, value, path);
        FactorTranspose.UpperToLower(ref u, stride, ref a0, lda, n, pivot[0] < 0 ? n : pivot[0], path);
        pivotValue = value[0];
        return pivot[0];
    }

    /// <summary>
    /// Row i: the rows <c>[kStart, i)</c> above it, then the pivot test and the scaling by
    /// <c>1/u[i,i]</c>; false (with the pivot) when the pivot is not positive and finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool FinishRow<TOps, TVector, T>(ref T u, int stride, int i, int kStart, out T pivotValue)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = (int)TOps.Count;
        ref T rowI = ref Unsafe.Add(ref u, i * stride);
        int start = i / w * w;
        if (kStart < i)
        {
            int column = start;
            for (; column + (4 * w) <= stride; column += 4 * w)
            {
                UpdateRow<TOps, TVector, Four, T>(ref u, stride, i, kStart, column);
            }

            switch ((stride - column) / w)
            {
                case 1: UpdateRow<TOps, TVector, One, T>(ref u, stride, i, kStart, column); break;
                case 2: UpdateRow<TOps, TVector, Two, T>(ref u, stride, i, kStart, column); break;
                case 3: UpdateRow<TOps, TVector, Three, T>(ref u, stride, i, kStart, column); break;
                default: break;
            }
        }

        T d = Unsafe.Add(ref rowI, i);
        pivotValue = d;
        if (!(d > T.Zero && d < T.PositiveInfinity))
        {
            return false;
        }

        // The root goes into its lane before the store: stored over the scaled vector on its own, it
        // made the next row's load of this vector wait for both stores to reach the cache (a load
        // fed by two stores is not forwarded), on the critical path of every row and every matrix
        // of an interleaved group.
        T root = T.Sqrt(d);
        TVector inverse = TOps.Broadcast(T.One / root);
        TVector scaled = TOps.Multiply(TOps.Load(ref rowI, (nuint)start), inverse);
        TOps.Store(TOps.Select(TOps.LanesFrom(i - start), TOps.Select(TOps.LanesFrom(i - start + 1), scaled, TOps.Broadcast(root)), scaled),
            ref rowI, (nuint)start);
        for (int column = start + w; column < stride; column += w)
        {
            TOps.Store(TOps.Multiply(TOps.Load(ref rowI, (nuint)column), inverse), ref rowI, (nuint)column);
        }

        return true;
    }

    /// <summary><c>u[i, c:c+count·w] -= Σ_{kStart&lt;=k&lt;i} u[k,i]·u[k, c:c+count·w]</c>, one register chain per vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRow<TOps, TVector, TCount, T>(ref T u, int stride, int i, int kStart, int column)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int count = TCount.Value;
        nuint w = TOps.Count;
        ref T target = ref Unsafe.Add(ref u, (i * stride) + column);
        TVector a0 = TOps.Load(ref target, 0);
        TVector a1 = count > 1 ? TOps.Load(ref target, w) : default;
        TVector a2 = count > 2 ? TOps.Load(ref target, 2 * w) : default;
        TVector a3 = count > 3 ? TOps.Load(ref target, 3 * w) : default;
        ref T rowK = ref Unsafe.Add(ref u, kStart * stride);
        for (int k = kStart; k < i; k++)
        {
            TVector l = TOps.Broadcast(Unsafe.Add(ref rowK, i));
            ref T source = ref Unsafe.Add(ref rowK, column);
            a0 = TOps.FmaNegated(l, TOps.Load(ref source, 0), a0);
            if (count > 1)
            {
                a1 = TOps.FmaNegated(l, TOps.Load(ref source, w), a1);
            }

            if (count > 2)
            {
                a2 = TOps.FmaNegated(l, TOps.Load(ref source, 2 * w), a2);
            }

            if (count > 3)
            {
                a3 = TOps.FmaNegated(l, TOps.Load(ref source, 3 * w), a3);
            }

            rowK = ref Unsafe.Add(ref rowK, stride);
        }

        TOps.Store(a0, ref target, 0);
        if (count > 1)
        {
            TOps.Store(a1, ref target, w);
        }

        if (count > 2)
        {
            TOps.Store(a2, ref target, 2 * w);
        }

        if (count > 3)
        {
            TOps.Store(a3, ref target, 3 * w);
        }
    }

    /// <summary>
    /// Rows <c>i..i+3</c>, columns <c>[c, c+count·w)</c>: <c>-= Σ_{k&lt;i} u[k,i+r]·u[k, c:]</c>;
    /// the four coefficients are adjacent in row k, each loaded vector of row k feeds four chains.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRows<TOps, TVector, TCount, T>(ref T u, int stride, int i, int column)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int count = TCount.Value;
        nuint w = TOps.Count;
        ref T t0 = ref Unsafe.Add(ref u, (i * stride) + column);
        ref T t1 = ref Unsafe.Add(ref t0, stride);
        ref T t2 = ref Unsafe.Add(ref t1, stride);
        ref T t3 = ref Unsafe.Add(ref t2, stride);
        TVector a00 = TOps.Load(ref t0, 0), a10 = TOps.Load(ref t1, 0), a20 = TOps.Load(ref t2, 0), a30 = TOps.Load(ref t3, 0);
        TVector a01 = default, a11 = default, a21 = default, a31 = default;
        TVector a02 = default, a12 = default, a22 = default, a32 = default;
        TVector a03 = default, a13 = default, a23 = default, a33 = default;
        if (count > 1)
        {
            a01 = TOps.Load(ref t0, w); a11 = TOps.Load(ref t1, w); a21 = TOps.Load(ref t2, w); a31 = TOps.Load(ref t3, w);
        }

        if (count > 2)
        {
            a02 = TOps.Load(ref t0, 2 * w); a12 = TOps.Load(ref t1, 2 * w); a22 = TOps.Load(ref t2, 2 * w); a32 = TOps.Load(ref t3, 2 * w);
        }

        if (count > 3)
        {
            a03 = TOps.Load(ref t0, 3 * w); a13 = TOps.Load(ref t1, 3 * w); a23 = TOps.Load(ref t2, 3 * w); a33 = TOps.Load(ref t3, 3 * w);
        }

        ref T rowK = ref u;
        for (int k = 0; k < i; k++)
        {
            ref T source = ref Unsafe.Add(ref rowK, column);
            TVector x0 = TOps.Load(ref source, 0);
            TVector x1 = count > 1 ? TOps.Load(ref source, w) : default;
            TVector x2 = count > 2 ? TOps.Load(ref source, 2 * w) : default;
            TVector x3 = count > 3 ? TOps.Load(ref source, 3 * w) : default;
            TVector l = TOps.Broadcast(Unsafe.Add(ref rowK, i));
            a00 = TOps.FmaNegated(l, x0, a00);
            if (count > 1) { a01 = TOps.FmaNegated(l, x1, a01); }
            if (count > 2) { a02 = TOps.FmaNegated(l, x2, a02); }
            if (count > 3) { a03 = TOps.FmaNegated(l, x3, a03); }
            l = TOps.Broadcast(Unsafe.Add(ref rowK, i + 1));
            a10 = TOps.FmaNegated(l, x0, a10);
            if (count > 1) { a11 = TOps.FmaNegated(l, x1, a11); }
            if (count > 2) { a12 = TOps.FmaNegated(l, x2, a12); }
            if (count > 3) { a13 = TOps.FmaNegated(l, x3, a13); }
            l = TOps.Broadcast(Unsafe.Add(ref rowK, i + 2));
            a20 = TOps.FmaNegated(l, x0, a20);
            if (count > 1) { a21 = TOps.FmaNegated(l, x1, a21); }
            if (count > 2) { a22 = TOps.FmaNegated(l, x2, a22); }
            if (count > 3) { a23 = TOps.FmaNegated(l, x3, a23); }
            l = TOps.Broadcast(Unsafe.Add(ref rowK, i + 3));
            a30 = TOps.FmaNegated(l, x0, a30);
            if (count > 1) { a31 = TOps.FmaNegated(l, x1, a31); }
            if (count > 2) { a32 = TOps.FmaNegated(l, x2, a32); }
            if (count > 3) { a33 = TOps.FmaNegated(l, x3, a33); }
            rowK = ref Unsafe.Add(ref rowK, stride);
        }

        StoreChunk(ref t0, a00, a01, a02, a03);
        StoreChunk(ref t1, a10, a11, a12, a13);
        StoreChunk(ref t2, a20, a21, a22, a23);
        StoreChunk(ref t3, a30, a31, a32, a33);

        static void StoreChunk(ref T target, TVector v0, TVector v1, TVector v2, TVector v3)
        {
            nuint w = TOps.Count;
            TOps.Store(v0, ref target, 0);
            if (TCount.Value > 1) { TOps.Store(v1, ref target, w); }
            if (TCount.Value > 2) { TOps.Store(v2, ref target, 2 * w); }
            if (TCount.Value > 3) { TOps.Store(v3, ref target, 3 * w); }
        }
    }

    /// <summary><c>L -&gt; (L·Lᵀ)⁻¹</c> in place (<see cref="TriangularInverse"/>), then the mirror into the upper triangle.</summary>
    private static void InvertCore<T>(Span2D<T> factor, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = factor.Height;
        nint ld = StridedView.Stride(factor);
        ref T a0 = ref factor.DangerousGetReference();
        TriangularInverse.Invert(ref a0, ld, n, path);
        FactorTranspose.MirrorLowerToUpper(ref a0, ld, n, path);
    }
}
