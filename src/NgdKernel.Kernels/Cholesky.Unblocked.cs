namespace NgdKernel.Kernels;

// Unblocked kernels: the diagonal-block factorization and the inverse from the factor.
public static partial class Cholesky
{
    /// <summary>
    /// Cholesky of an <c>n×n</c> block at <paramref name="a0"/> (<c>n &lt;= 64</c>) in a stack copy
    /// of its transpose: the upper factor <c>U = Lᵀ</c> by blocks of four rows,
    /// <c>u[i,j] = (a[j,i] + δ_ij·damping - Σ_{k&lt;i} u[k,i]·u[k,j]) · (1/u[i,i])</c>, then L copied
    /// back. Rows of U are contiguous in j, so each row is one register-blocked FMA chain over the
    /// rows above it; rows of L would instead need one short dot product per element.
    /// Zeroes the strict upper triangle of each finished row. Returns the failing pivot, or -1;
    /// on failure the rows before the pivot hold L and the rest of the block is unchanged.
    /// </summary>
    /// <remarks>
    /// <see cref="FactorUpper{TOps, TVector, T}"/> on a group of one: rows padded to whole vectors with
    /// zeros (and to whole blocks of four rows), each element one FMA chain in k order and one multiply by <c>1/u[i,i]</c> (as LAPACK's
    /// dpotf2 scales by <c>1/ajj</c>) on every path. Copying in and out costs <c>2n²</c> moves against <c>n³/3</c> flops.
    /// </remarks>
    [SkipLocalsInit]
    internal static int FactorUnblocked<T>(ref T a0, nint lda, int n, T damping, KernelPath path, out T pivotValue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
#if NGDASSERT
        System.Diagnostics.Debug.Assert(n <= BlockSize, "diagonal block larger than the stack buffer");
#endif
        int stride = Padded(n, KernelPaths.VectorWidth<T>(path));
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

    /// <summary>Rows <c>i..i+3</c> (<see cref="UpdateRows{TOps, TVector, TCount, T}"/>) from the vector at or below column i on, four vectors at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateColumns<TOps, TVector, T>(ref T u, int stride, int i, ref T block, ref int failed, ref T value)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = (int)TOps.Count;
        int column = i / w * w;
        for (; column + (4 * w) <= stride; column += 4 * w)
        {
            UpdateRows<TOps, TVector, Four, T>(ref u, stride, i, column, ref block, ref failed, ref value);
        }

        switch ((stride - column) / w)
        {
            case 1: UpdateRows<TOps, TVector, One, T>(ref u, stride, i, column, ref block, ref failed, ref value); break;
            case 2: UpdateRows<TOps, TVector, Two, T>(ref u, stride, i, column, ref block, ref failed, ref value); break;
            case 3: UpdateRows<TOps, TVector, Three, T>(ref u, stride, i, column, ref block, ref failed, ref value); break;
            default: break;
        }
    }

    /// <summary>
    /// Rows <c>i..i+3</c>, columns <c>[c, c+count·w)</c>: <c>-= Σ_{k&lt;i} u[k,i+r]·u[k, c:]</c>, one register chain per
    /// vector and row, each loaded vector of row k feeding every row; then the triangle inside the block in k order and
    /// each row times <c>1/u[r,r]</c>, in registers, with the scalars of <paramref name="block"/> (<see cref="Triangle{TOps, TVector, T}"/>,
    /// <paramref name="failed"/>, <paramref name="value"/>). Compiled on its own: inlined, its instantiations exhausted the JIT's inlining budget in the group loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void UpdateRows<TOps, TVector, TCount, T>(ref T u, int stride, int i, int column, ref T block, ref int failed, ref T value)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = TOps.Count, w2 = 2 * w, w3 = 3 * w;
        ref T t0 = ref Unsafe.Add(ref u, (i * stride) + column);
        ref T t1 = ref Unsafe.Add(ref t0, stride);
        ref T t2 = ref Unsafe.Add(ref t1, stride);
        ref T t3 = ref Unsafe.Add(ref t2, stride);
        TriangularColumns.Load<TOps, TVector, TCount, T>(ref t0, w, w2, w3, out TVector a00, out TVector a01, out TVector a02, out TVector a03);
        TriangularColumns.Load<TOps, TVector, TCount, T>(ref t1, w, w2, w3, out TVector a10, out TVector a11, out TVector a12, out TVector a13);
        TriangularColumns.Load<TOps, TVector, TCount, T>(ref t2, w, w2, w3, out TVector a20, out TVector a21, out TVector a22, out TVector a23);
        TriangularColumns.Load<TOps, TVector, TCount, T>(ref t3, w, w2, w3, out TVector a30, out TVector a31, out TVector a32, out TVector a33);
        ref T rowK = ref u;
        for (int k = 0; k < i; k++)
        {
            TriangularColumns.Load<TOps, TVector, TCount, T>(ref Unsafe.Add(ref rowK, column), w, w2, w3,
                out TVector x0, out TVector x1, out TVector x2, out TVector x3);
            ref T coefficients = ref Unsafe.Add(ref rowK, i);
            TriangularColumns.Update<TOps, TVector, TCount, T>(coefficients, x0, x1, x2, x3, ref a00, ref a01, ref a02, ref a03);
            TriangularColumns.Update<TOps, TVector, TCount, T>(Unsafe.Add(ref coefficients, 1), x0, x1, x2, x3, ref a10, ref a11, ref a12, ref a13);
            TriangularColumns.Update<TOps, TVector, TCount, T>(Unsafe.Add(ref coefficients, 2), x0, x1, x2, x3, ref a20, ref a21, ref a22, ref a23);
            TriangularColumns.Update<TOps, TVector, TCount, T>(Unsafe.Add(ref coefficients, 3), x0, x1, x2, x3, ref a30, ref a31, ref a32, ref a33);
            rowK = ref Unsafe.Add(ref rowK, stride);
        }

        // The diagonal's chunk (the first) makes the block's scalars, each with its lane's operations, so the
        // chain of roots and divisions does not wait on the vectors; the later chunks reuse them.
        int at = column <= i ? i - column : -1;
        if (at >= 0)
        {
            Triangle<TOps, TVector, T>(at, i, ref block, ref failed, ref value, a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23,
                a30, a31, a32, a33);
        }

        ScaleRow<TOps, TVector, TCount, T>(ref t0, w, w2, w3, at, block, Unsafe.Add(ref block, 4), ref a00, ref a01, ref a02, ref a03);
        TriangularColumns.Update<TOps, TVector, TCount, T>(Unsafe.Add(ref block, 8), a00, a01, a02, a03, ref a10, ref a11, ref a12, ref a13);
        ScaleRow<TOps, TVector, TCount, T>(ref t1, w, w2, w3, at < 0 ? -1 : at + 1, Unsafe.Add(ref block, 1), Unsafe.Add(ref block, 5), ref a10, ref a11, ref a12, ref a13);
        TriangularColumns.Update<TOps, TVector, TCount, T>(Unsafe.Add(ref block, 9), a00, a01, a02, a03, ref a20, ref a21, ref a22, ref a23);
        TriangularColumns.Update<TOps, TVector, TCount, T>(Unsafe.Add(ref block, 11), a10, a11, a12, a13, ref a20, ref a21, ref a22, ref a23);
        ScaleRow<TOps, TVector, TCount, T>(ref t2, w, w2, w3, at < 0 ? -1 : at + 2, Unsafe.Add(ref block, 2), Unsafe.Add(ref block, 6), ref a20, ref a21, ref a22, ref a23);
        TriangularColumns.Update<TOps, TVector, TCount, T>(Unsafe.Add(ref block, 10), a00, a01, a02, a03, ref a30, ref a31, ref a32, ref a33);
        TriangularColumns.Update<TOps, TVector, TCount, T>(Unsafe.Add(ref block, 12), a10, a11, a12, a13, ref a30, ref a31, ref a32, ref a33);
        TriangularColumns.Update<TOps, TVector, TCount, T>(Unsafe.Add(ref block, 13), a20, a21, a22, a23, ref a30, ref a31, ref a32, ref a33);
        ScaleRow<TOps, TVector, TCount, T>(ref t3, w, w2, w3, at < 0 ? -1 : at + 3, Unsafe.Add(ref block, 3), Unsafe.Add(ref block, 7), ref a30, ref a31, ref a32, ref a33);
    }

    /// <summary>
    /// The block's 4×4 triangle in scalars (row s's pivot <c>at + s</c> lanes in): into <paramref name="block"/> the
    /// inverses (0..3), roots (4..7) and <c>u[i+s, i+r]</c>, s &lt; r (8..13: 01, 02, 03, 12, 13, 23). A pivot not positive
    /// and finite sets <paramref name="failed"/> (when -1) and <paramref name="value"/>; the rows after it go on with NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Triangle<TOps, TVector, T>(int at, int i, ref T block, ref int failed, ref T value, TVector a00, TVector a01, TVector a02,
        TVector a03, TVector a10, TVector a11, TVector a12, TVector a13, TVector a20, TVector a21, TVector a22, TVector a23, TVector a30,
        TVector a31, TVector a32, TVector a33)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T inverse0 = Pivot(Element<TOps, TVector, T>(at, a00, a01, a02, a03), i, ref block, ref failed, ref value);
        T c01 = Element<TOps, TVector, T>(at + 1, a00, a01, a02, a03) * inverse0;
        T c02 = Element<TOps, TVector, T>(at + 2, a00, a01, a02, a03) * inverse0;
        T c03 = Element<TOps, TVector, T>(at + 3, a00, a01, a02, a03) * inverse0;
        T inverse1 = Pivot(Less<TOps, TVector, T>(Element<TOps, TVector, T>(at + 1, a10, a11, a12, a13), c01, c01), i + 1, ref block, ref failed, ref value);
        T c12 = Less<TOps, TVector, T>(Element<TOps, TVector, T>(at + 2, a10, a11, a12, a13), c01, c02) * inverse1;
        T c13 = Less<TOps, TVector, T>(Element<TOps, TVector, T>(at + 3, a10, a11, a12, a13), c01, c03) * inverse1;
        T d2 = Less<TOps, TVector, T>(Less<TOps, TVector, T>(Element<TOps, TVector, T>(at + 2, a20, a21, a22, a23), c02, c02), c12, c12);
        T inverse2 = Pivot(d2, i + 2, ref block, ref failed, ref value);
        T c23 = Less<TOps, TVector, T>(Less<TOps, TVector, T>(Element<TOps, TVector, T>(at + 3, a20, a21, a22, a23), c02, c03), c12, c13) * inverse2;
        T d3 = Less<TOps, TVector, T>(Less<TOps, TVector, T>(Element<TOps, TVector, T>(at + 3, a30, a31, a32, a33), c03, c03), c13, c13);
        T inverse3 = Pivot(Less<TOps, TVector, T>(d3, c23, c23), i + 3, ref block, ref failed, ref value);
        (block, Unsafe.Add(ref block, 1), Unsafe.Add(ref block, 2), Unsafe.Add(ref block, 3)) = (inverse0, inverse1, inverse2, inverse3);
        (Unsafe.Add(ref block, 8), Unsafe.Add(ref block, 9), Unsafe.Add(ref block, 10)) = (c01, c02, c03);
        (Unsafe.Add(ref block, 11), Unsafe.Add(ref block, 12), Unsafe.Add(ref block, 13)) = (c12, c13, c23);
    }

    /// <summary><c>a - l·x</c> as the vectors' <see cref="ISimd{TVector, T}.FmaNegated"/> rounds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Less<TOps, TVector, T>(T a, T l, T x)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TOps.Fused ? T.FusedMultiplyAdd(-l, x, a) : (-l * x) + a;

    /// <summary>Row r's pivot tested, its root kept at 4 + r % 4 of <paramref name="block"/>; returns <c>1/root</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Pivot<T>(T d, int r, ref T block, ref int failed, ref T value)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!(d > T.Zero && d < T.PositiveInfinity) && failed < 0)
        {
            failed = r;
            value = d;
        }

        T root = T.Sqrt(d);
        Unsafe.Add(ref block, 4 + (r & 3)) = root;
        return T.One / root;
    }

    /// <summary>Element <paramref name="index"/> of a chunk of four vectors held in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Element<TOps, TVector, T>(int index, TVector a0, TVector a1, TVector a2, TVector a3)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int k = index / (int)TOps.Count;
        return TOps.Lane(k == 0 ? a0 : k == 1 ? a1 : k == 2 ? a2 : a3, index - (k * (int)TOps.Count));
    }

    /// <summary>Row r's chunk times <paramref name="inverse"/>, stored and kept; the <paramref name="root"/> over the pivot (<paramref name="at"/>, -1: none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaleRow<TOps, TVector, TCount, T>(ref T row, nuint w, nuint w2, nuint w3, int at, T inverse, T root,
        ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVector scale = TOps.Broadcast(inverse);
        a0 = TOps.Multiply(a0, scale);
        a1 = TCount.Value > 1 ? TOps.Multiply(a1, scale) : a1;
        a2 = TCount.Value > 2 ? TOps.Multiply(a2, scale) : a2;
        a3 = TCount.Value > 3 ? TOps.Multiply(a3, scale) : a3;
        TriangularColumns.Store<TOps, TVector, TCount, T>(ref row, w, w2, w3, a0, a1, a2, a3);
        if (at >= 0)
        {
            Unsafe.Add(ref row, at) = root;
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
