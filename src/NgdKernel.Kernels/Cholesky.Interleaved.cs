using NgdKernel.LinearAlgebra;

namespace NgdKernel.Kernels;

// Several small factorizations in lock-step: the latency-bound rows of one interleaved with those
// of the others.
public static partial class Cholesky
{
    /// <summary>Stack bytes of the padded copies factored in lock-step (at least one matrix): a 48 KiB L1 data cache.</summary>
    internal const int InterleavedBytes = 48 * 1024;

    /// <summary>
    /// Factors each <c>Aᵢ + dampingᵢ·I = Lᵢ·Lᵢᵀ</c> in place, bit for bit as
    /// <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/> would one after
    /// another, with the rows of several small matrices interleaved.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="matrices">The matrices, each square and distinct; each is read and written as <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/> reads and writes its argument.</param>
    /// <param name="dampings">One damping per matrix, finite and <c>&gt;= 0</c>.</param>
    /// <param name="failure">The failure of the matrix returned (default when none failed).</param>
    /// <param name="context">Path and threads; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Orders up to 64 are factored on the calling thread, larger ones as TryFactor factors them (its threads for trailing matrices of 128 rows or more).</param>
    /// <returns>The lowest index of a matrix that is not numerically positive definite, or -1.</returns>
    /// <exception cref="ArgumentException">A matrix is not square or null, or the span lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A damping is negative, NaN or infinite.</exception>
    /// <remarks>
    /// <para>A factorization of order up to 64 is a chain of rows, each waiting on the square root and
    /// division that finish the row before it. Such matrices are factored in groups whose padded
    /// copies fit <see cref="InterleavedBytes"/> of stack: block of four rows by block, each matrix's
    /// block in turn takes the rows above it and is finished in registers, so while one waits on its
    /// roots the next one's multiply-adds run. Every element goes through the operations of
    /// <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/> (the same row
    /// routines, in the same order within each matrix), which factors larger matrices one by one.</para>
    /// <para>Every matrix is processed, also after one has failed; each ends as TryFactor leaves it. Allocates nothing.</para>
    /// </remarks>
    public static int TryFactorInterleaved<T>(ReadOnlySpan<Matrix<T>> matrices, ReadOnlySpan<T> dampings, out CholeskyFailure failure,
        KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        FactorInterleavedChecked(matrices, matrices, dampings, inPlace: true, context, out failure);

    /// <summary>
    /// Factors each <c>Aᵢ + dampingᵢ·I = Lᵢ·Lᵢᵀ</c> into <paramref name="factors"/>[i], Aᵢ given by the
    /// upper triangle of <paramref name="sources"/>[i], with the rows of several small matrices
    /// interleaved as in <see cref="TryFactorInterleaved"/>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="sources">
    /// The matrices A, each square; the upper triangle (diagonal included) is A. Not modified. A symmetric
    /// source (a covariance from <see cref="Syrk.Multiply{T}(ReadOnlySpan2D{T}, MatrixOp, T, T, Span2D{T}, KernelContext)"/>,
    /// which writes both triangles) gives bit for bit the factor <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/>
    /// makes of a copy of it.
    /// </param>
    /// <param name="factors">
    /// One per source, of its shape, distinct from each other and from every source. On success L, its
    /// strict upper triangle zeroed; on failure the rows before the failing pivot hold L's rows, the
    /// rest is unspecified.
    /// </param>
    /// <param name="dampings">One damping per matrix, finite and <c>&gt;= 0</c>.</param>
    /// <param name="failure">The failure of the matrix returned (default when none failed).</param>
    /// <param name="context">Path and threads; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Orders up to 64 are factored on the calling thread, larger ones as TryFactor factors them (its threads for trailing matrices of 128 rows or more).</param>
    /// <returns>The lowest index of a matrix that is not numerically positive definite, or -1.</returns>
    /// <exception cref="ArgumentException">A matrix is null or not square, a factor's shape differs from its source's, a factor is given twice or is also a source, or the span lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A damping is negative, NaN or infinite.</exception>
    /// <remarks>
    /// The factorization works on rows of the upper triangle: copied from a source whole (its strict lower
    /// part lands in lanes whose results are discarded), where the in-place form transposes the lower
    /// triangle in and needs a copy of A to keep it. Allocates nothing.
    /// </remarks>
    public static int TryFactorInterleavedInto<T>(ReadOnlySpan<Matrix<T>> sources, ReadOnlySpan<Matrix<T>> factors, ReadOnlySpan<T> dampings,
        out CholeskyFailure failure, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        FactorInterleavedChecked(sources, factors, dampings, inPlace: false, context, out failure);

    /// <summary>
    /// The checks of both public forms; <paramref name="inPlace"/> is passed, not inferred from the spans,
    /// so the same span given as sources and factors is refused (factor 0 is source 0), not taken for the in-place form.
    /// </summary>
    private static int FactorInterleavedChecked<T>(ReadOnlySpan<Matrix<T>> sources, ReadOnlySpan<Matrix<T>> factors, ReadOnlySpan<T> dampings,
        bool inPlace, KernelContext? context, out CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string name = inPlace ? "matrices" : nameof(factors);
        string sourceName = inPlace ? name : nameof(sources);
        if (factors.Length != sources.Length)
        {
            ThrowHelper.ThrowArgument_SpanLengthMismatch(nameof(factors), factors.Length, nameof(sources), sources.Length);
        }

        if (dampings.Length != factors.Length)
        {
            ThrowHelper.ThrowArgument_SpanLengthMismatch(nameof(dampings), dampings.Length, sourceName, factors.Length);
        }

        context ??= KernelContext.Default;
        for (int t = 0; t < factors.Length; t++)
        {
            if (sources[t] is null || factors[t] is null)
            {
                ThrowHelper.ThrowArgument($"Matrix {t} is null.", sources[t] is null ? sourceName : name);
            }

            Check.Square(sources[t].ReadOnlySpan, sourceName);
            if (factors[t].Rows != sources[t].Rows || factors[t].Columns != sources[t].Columns)
            {
                ThrowHelper.ThrowArgument($"Factor {t} is {factors[t].Rows}x{factors[t].Columns}; its source is {sources[t].Rows}x{sources[t].Columns}.", name);
            }

            Check.FiniteNonNegative(dampings[t], nameof(dampings));
            for (int s = 0; s < factors.Length; s++)
            {
                // A matrix written twice, or written before it is read, would not match TryFactor one by one.
                bool twice = s < t && ReferenceEquals(factors[s], factors[t]);
                if (twice || (!inPlace && ReferenceEquals(sources[s], factors[t])))
                {
                    ThrowHelper.ThrowArgument(twice ? $"Matrices {s} and {t} are the same matrix; each must be distinct."
                        : $"Factor {t} is also source {s}; each factor must be distinct from every source.", name);
                }
            }
        }

        return FactorInterleavedCore(sources, factors, dampings, upper: !inPlace, context, out failure);
    }

    /// <summary>
    /// Unchecked <see cref="TryFactorInterleavedInto{T}(ReadOnlySpan{Matrix{T}}, ReadOnlySpan{Matrix{T}}, ReadOnlySpan{T}, out CholeskyFailure, KernelContext)"/>
    /// from the upper triangles of <paramref name="sources"/>, or (not <paramref name="upper"/>, the two spans the same) in place
    /// from the lower triangles. Orders above <see cref="BlockSize"/> are factored one by one, as TryFactor does, on the context's threads.
    /// </summary>
    private static int FactorInterleavedCore<T>(ReadOnlySpan<Matrix<T>> sources, ReadOnlySpan<Matrix<T>> factors, ReadOnlySpan<T> dampings,
        bool upper, KernelContext context, out CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelPath path = context.Path;
        int width = KernelPaths.VectorWidth<T>(path);
        int capacity = InterleavedBytes / Unsafe.SizeOf<T>();
        int first = -1;
        failure = default;
        Span<int> group = stackalloc int[GroupLimit];
        int count = 0, used = 0;
        for (int t = 0; t < factors.Length; t++)
        {
            int n = factors[t].Rows;
            if (n == 0)
            {
                continue;
            }

            if (n > BlockSize)
            {
                if (upper)
                {
                    FactorTranspose.UpperToLower(ref sources[t].Span.DangerousGetReference(), n, ref factors[t].Span.DangerousGetReference(), n, n, n, path);
                }

                if (!FactorCore(factors[t].Span, dampings[t], path, context, out CholeskyFailure alone))
                {
                    Keep(t, alone, ref first, ref failure);
                }

                continue;
            }

            int size = CopyLength(n, width);
            if (count == GroupLimit || (count > 0 && used + size > capacity))
            {
                FactorGroup(sources, factors, dampings, group[..count], upper, path, ref first, ref failure);
                count = used = 0;
            }

            group[count++] = t;
            used += size;
        }

        if (count > 0)
        {
            FactorGroup(sources, factors, dampings, group[..count], upper, path, ref first, ref failure);
        }

        return first;
    }

    /// <summary>Keeps the failure of the lowest matrix index seen.</summary>
    private static void Keep(int index, CholeskyFailure found, ref int first, ref CholeskyFailure failure)
    {
        if (first < 0 || index < first)
        {
            first = index;
            failure = found;
        }
    }

    /// <summary>Most matrices of one lock-step group (the stack arrays of their offsets and states).</summary>
    private const int GroupLimit = 16;

    /// <summary>Order n rounded up to whole vectors, and to whole blocks of four (the rows, and the scalar path's row stride).</summary>
    private static int Padded(int n, int width) => (n + Math.Max(width, 4) - 1) / Math.Max(width, 4) * Math.Max(width, 4);

    /// <summary>Elements of one padded copy of order n: whole blocks of four rows of <see cref="Padded"/> stride (the group's accounting and its offsets).</summary>
    private static int CopyLength(int n, int width) => Padded(n, 4) * Padded(n, width);

    /// <summary>
    /// One group: the padded upper copies (<see cref="CopyDamped"/>), the factorizations in
    /// lock-step, the factors copied back.
    /// </summary>
    [SkipLocalsInit]
    private static unsafe void FactorGroup<T>(ReadOnlySpan<Matrix<T>> sources, ReadOnlySpan<Matrix<T>> factors, ReadOnlySpan<T> dampings,
        ReadOnlySpan<int> group, bool upper, KernelPath path, ref int first, ref CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int width = KernelPaths.VectorWidth<T>(path);
        Span<T> workspace = stackalloc T[(InterleavedBytes + 64) / Unsafe.SizeOf<T>()];
        Span<int> offsets = stackalloc int[GroupLimit];
        Span<int> orders = stackalloc int[GroupLimit];
        Span<int> pivots = stackalloc int[GroupLimit];
        Span<T> values = stackalloc T[GroupLimit];
        // 64-byte aligned (the stack does not move): whole-vector rows then never straddle two cache lines.
        ref T origin = ref MemoryMarshal.GetReference(workspace);
        origin = ref Unsafe.AddByteOffset(ref origin, -(nint)Unsafe.AsPointer(ref origin) & 63);
        int offset = 0;
        for (int g = 0; g < group.Length; g++)
        {
            Matrix<T> source = sources[group[g]];
            int n = source.Rows;
            offsets[g] = offset;
            orders[g] = n;
            CopyDamped(ref source.Span.DangerousGetReference(), n, n, upper, dampings[group[g]], ref Unsafe.Add(ref origin, offset), Padded(n, width), path);
            offset += CopyLength(n, width);
        }

        int count = group.Length;
        FactorPadded(ref origin, offsets[..count], orders[..count], pivots[..count], values[..count], path);
        for (int g = 0; g < count; g++)
        {
            Matrix<T> matrix = factors[group[g]];
            int n = orders[g];
            FactorTranspose.UpperToLower(ref Unsafe.Add(ref origin, offsets[g]), Padded(n, width), ref matrix.Span.DangerousGetReference(), n, n,
                pivots[g] < 0 ? n : pivots[g], path);
            if (pivots[g] >= 0)
            {
                Keep(group[g], new CholeskyFailure(pivots[g], double.CreateTruncating(values[g])), ref first, ref failure);
            }
        }
    }

    /// <summary>
    /// The padded upper copy of <c>A + damping·I</c> (row stride <paramref name="stride"/>, a multiple
    /// of the vector width and of four) at <paramref name="u"/>: the lower triangle of <paramref name="source"/>
    /// transposed, or, when <paramref name="upper"/>, its rows whole. The padding columns are zero; the
    /// padding rows, up to a whole block of four, are those of the identity (their pivots are 1).
    /// </summary>
    private static void CopyDamped<T>(ref T source, nint lds, int n, bool upper, T damping, ref T u, int stride, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!upper)
        {
            MemoryMarshal.CreateSpan(ref u, Padded(n, 4) * stride).Clear();
            FactorTranspose.LowerToUpper(ref source, lds, ref u, stride, n, path);
        }

        switch (path)
        {
            case KernelPath.Vector512: CopyRows<Simd512<T>, Vector512<T>, T>(ref source, lds, n, upper, damping, ref u, stride); break;
            case KernelPath.Vector256: CopyRows<Simd256<T>, Vector256<T>, T>(ref source, lds, n, upper, damping, ref u, stride); break;
            default: CopyRows<SimdScalar<T, One>, T, T>(ref source, lds, n, upper, damping, ref u, stride); break;
        }
    }

    /// <summary><see cref="CopyDamped"/>'s rows on their own: with its calls in the same method the damping went through a stack slot on every row.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CopyRows<TOps, TVector, T>(ref T source, nint lds, int n, bool upper, T damping, ref T u, int stride)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Inline vector moves: a call per row to a copying or clearing routine cost more than the
        // factorization's first rows. The last vector is zeroed first, then the row written over it.
        int w = (int)TOps.Count;
        for (int i = 0; i < n; i++)
        {
            ref T row = ref Unsafe.Add(ref u, i * stride);
            ref T from = ref Unsafe.Add(ref source, i * lds);
            int j = 0;
            for (; upper && j + w <= n; j += w)
            {
                TOps.Store(TOps.Load(ref from, (nuint)j), ref row, (nuint)j);
            }

            for (int z = j; upper && z < stride; z += w)
            {
                TOps.Store(TOps.Broadcast(T.Zero), ref row, (nuint)z);
            }

            for (; upper && j < n; j++)
            {
                Unsafe.Add(ref row, j) = Unsafe.Add(ref from, j);
            }

            // The diagonal from the source's, not read back from u: that load waited for the vector store.
            Unsafe.Add(ref row, i) = Unsafe.Add(ref from, i) + damping;
        }

        // Rows up to a whole block of four, factored as the identity's (their columns above are zero).
        for (int i = n; i < Padded(n, 4); i++)
        {
            MemoryMarshal.CreateSpan(ref Unsafe.Add(ref u, i * stride), stride).Clear();
            Unsafe.Add(ref u, (i * stride) + i) = T.One;
        }
    }

    /// <summary><see cref="FactorUpper{TOps, TVector, T}"/> on the path's vectors (the scalar path is its body at width 1).</summary>
    private static void FactorPadded<T>(ref T origin, ReadOnlySpan<int> offsets, ReadOnlySpan<int> orders, Span<int> pivots, Span<T> values,
        KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (path)
        {
            case KernelPath.Vector512: FactorUpper<Simd512<T>, Vector512<T>, T>(ref origin, offsets, orders, pivots, values); break;
            case KernelPath.Vector256: FactorUpper<Simd256<T>, Vector256<T>, T>(ref origin, offsets, orders, pivots, values); break;
            default: FactorUpper<SimdScalar<T, One>, T, T>(ref origin, offsets, orders, pivots, values); break;
        }
    }

    /// <summary>
    /// Left-looking upper factors in place on every padded copy of the group (<paramref name="offsets"/>,
    /// <paramref name="orders"/>), block of four rows by block of four rows, each copy's block after the
    /// other's (<see cref="UpdateColumns{TOps, TVector, T}"/>): its rows take the rows above the block,
    /// then the triangle inside it is finished in registers. The copies' rows are padded to whole blocks.
    /// A failed copy stops after its pivot's block (<paramref name="pivots"/>: the lowest failing row, -1 when none, and its value
    /// in <paramref name="values"/>); that block's later rows hold NaN in the workspace only, as rows from the pivot on are not copied back.
    /// </summary>
    /// <remarks>
    /// One row at a time, each vector was a single FMA chain of length i, which waited on FMA latency
    /// at n = 20..64: four rows share each loaded vector of a row above (as in
    /// <see cref="TriangularColumns"/>). Every element keeps one sequence on every path and in any
    /// group: its chain in k order, then one multiply by <c>1/u[i,i]</c>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FactorUpper<TOps, TVector, T>(ref T origin, ReadOnlySpan<int> offsets, ReadOnlySpan<int> orders,
        Span<int> pivots, Span<T> values)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = (int)TOps.Count;
        int largest = 0;
        for (int g = 0; g < orders.Length; g++)
        {
            pivots[g] = -1;
            values[g] = T.Zero;
            largest = Math.Max(largest, orders[g]);
        }

        Span<T> block = stackalloc T[16];
        for (int i = 0; i < largest; i += 4)
        {
            for (int g = 0; g < orders.Length; g++)
            {
                if (pivots[g] < 0 && i < orders[g])
                {
                    UpdateColumns<TOps, TVector, T>(ref Unsafe.Add(ref origin, offsets[g]), Padded(orders[g], w), i, ref block[0], ref pivots[g], ref values[g]);
                }
            }
        }
    }
}
