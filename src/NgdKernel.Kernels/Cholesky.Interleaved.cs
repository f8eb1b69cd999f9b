using NgdKernel.LinearAlgebra;

namespace NgdKernel.Kernels;

// Several small factorizations in lock-step: the latency-bound rows of one interleaved with those
// of the others.
public static partial class Cholesky
{
    /// <summary>
    /// Stack bytes of the padded copies factored in lock-step: as many matrices join a group as fit
    /// (at least one), so the group's copies stay in a 48 KiB L1 data cache.
    /// </summary>
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
    /// <param name="context">Path; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Runs on the calling thread.</param>
    /// <returns>The lowest index of a matrix that is not numerically positive definite, or -1.</returns>
    /// <exception cref="ArgumentException">A matrix is not square or null, or the span lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A damping is negative, NaN or infinite.</exception>
    /// <remarks>
    /// <para>A factorization of order up to 64 is a chain of rows, each waiting on the square root and
    /// division that finish the row before it; at order 32 that wait, not the <c>n³/3</c>
    /// multiply-adds, sets its time. Matrices of order up to 64 are therefore factored in groups
    /// whose padded copies fit <see cref="InterleavedBytes"/> of stack: each block of four rows of
    /// every matrix in the group takes the rows above it, then the four rows of each matrix are
    /// finished in turn, so while one matrix waits on a root the next one's multiply-adds run. Every
    /// element goes through the same operations as in <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/>
    /// (the same row routines, in the same order within each matrix); larger matrices are factored
    /// by it, one after another.</para>
    /// <para>Every matrix is processed, also after one has failed; each ends as
    /// <see cref="TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/> leaves it. Allocates nothing.</para>
    /// </remarks>
    public static int TryFactorInterleaved<T>(ReadOnlySpan<Matrix<T>> matrices, ReadOnlySpan<T> dampings, out CholeskyFailure failure,
        KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (dampings.Length != matrices.Length)
        {
            ThrowHelper.ThrowArgument_SpanLengthMismatch(nameof(dampings), dampings.Length, nameof(matrices), matrices.Length);
        }

        KernelPath path = (context ?? KernelContext.Default).Path;
        Check.PathSupported(path, nameof(context));
        for (int t = 0; t < matrices.Length; t++)
        {
            if (matrices[t] is null)
            {
                ThrowHelper.ThrowArgument($"Matrix {t} is null.", nameof(matrices));
            }

            Check.Square(matrices[t].ReadOnlySpan, nameof(matrices));
            Check.FiniteNonNegative(dampings[t], nameof(dampings));
            for (int s = 0; s < t; s++)
            {
                // A matrix given twice would be copied twice before either copy is written back.
                if (ReferenceEquals(matrices[s], matrices[t]))
                {
                    ThrowHelper.ThrowArgument($"Matrices {s} and {t} are the same matrix; each must be distinct.", nameof(matrices));
                }
            }
        }

        return FactorInterleavedCore(matrices, dampings, path, out failure);
    }

    /// <summary>Unchecked <see cref="TryFactorInterleaved"/>.</summary>
    internal static int FactorInterleavedCore<T>(ReadOnlySpan<Matrix<T>> matrices, ReadOnlySpan<T> dampings, KernelPath path,
        out CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int width = VectorWidth<T>(path);
        int capacity = InterleavedBytes / Unsafe.SizeOf<T>();
        int first = -1;
        failure = default;
        Span<int> group = stackalloc int[GroupLimit];
        int count = 0;
        int used = 0;
        for (int t = 0; t < matrices.Length; t++)
        {
            int n = matrices[t].Rows;
            if (n == 0)
            {
                continue;
            }

            if (n > BlockSize)
            {
                if (!FactorCore(matrices[t].Span, dampings[t], path, null, out CholeskyFailure alone))
                {
                    Keep(t, alone, ref first, ref failure);
                }

                continue;
            }

            int size = n * Padded(n, width);
            if (count == GroupLimit || (count > 0 && used + size > capacity))
            {
                FactorGroup(matrices, dampings, group[..count], path, ref first, ref failure);
                count = 0;
                used = 0;
            }

            group[count++] = t;
            used += size;
        }

        if (count > 0)
        {
            FactorGroup(matrices, dampings, group[..count], path, ref first, ref failure);
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

    private static int VectorWidth<T>(KernelPath path) => path switch
    {
        KernelPath.Vector512 => Vector512<T>.Count,
        KernelPath.Vector256 => Vector256<T>.Count,
        _ => 1,
    };

    private static int Padded(int n, int width) => (n + width - 1) / width * width;

    /// <summary>
    /// One group: the padded transposed copies as <see cref="FactorUnblocked"/> makes them, the
    /// factorizations in lock-step, the factors copied back.
    /// </summary>
    [SkipLocalsInit]
    private static void FactorGroup<T>(ReadOnlySpan<Matrix<T>> matrices, ReadOnlySpan<T> dampings, ReadOnlySpan<int> group,
        KernelPath path, ref int first, ref CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int width = VectorWidth<T>(path);
        Span<T> workspace = stackalloc T[InterleavedBytes / Unsafe.SizeOf<T>()];
        Span<int> offsets = stackalloc int[GroupLimit];
        Span<int> orders = stackalloc int[GroupLimit];
        Span<int> pivots = stackalloc int[GroupLimit];
        Span<T> values = stackalloc T[GroupLimit];
        ref T origin = ref MemoryMarshal.GetReference(workspace);
        int offset = 0;
        for (int g = 0; g < group.Length; g++)
        {
            Matrix<T> matrix = matrices[group[g]];
            int n = matrix.Rows;
            int stride = Padded(n, width);
            offsets[g] = offset;
            orders[g] = n;
            ref T u = ref Unsafe.Add(ref origin, offset);
            workspace.Slice(offset, n * stride).Clear();
            FactorTranspose.LowerToUpper(ref matrix.Span.DangerousGetReference(), n, ref u, stride, n, path);
            T damping = dampings[group[g]];
            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref u, (i * stride) + i) += damping;
            }

            offset += n * stride;
        }

        int count = group.Length;
        switch (path)
        {
            case KernelPath.Vector512:
                FactorUpperInterleaved<Simd512<T>, Vector512<T>, T>(ref origin, offsets[..count], orders[..count], pivots[..count], values[..count]);
                break;
            case KernelPath.Vector256:
                FactorUpperInterleaved<Simd256<T>, Vector256<T>, T>(ref origin, offsets[..count], orders[..count], pivots[..count], values[..count]);
                break;
            default:
                // One scalar row has no vector lanes to fill while it waits; the scalar path is the reference.
                for (int g = 0; g < count; g++)
                {
                    pivots[g] = FactorUpper<SimdScalar<T, One>, T, T>(ref Unsafe.Add(ref origin, offsets[g]), orders[g], orders[g], out values[g]);
                }

                break;
        }

        for (int g = 0; g < count; g++)
        {
            Matrix<T> matrix = matrices[group[g]];
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
    /// Rows <c>i..i+3</c> of the padded upper copy take the rows above them
    /// (<see cref="UpdateRows{TOps, TVector, TCount, T}"/>), from the vector at or below column i to
    /// the end of the row, four vectors at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateBlock<TOps, TVector, T>(ref T u, int stride, int i)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = (int)TOps.Count;
        int column = i / w * w;
        for (; column + (4 * w) <= stride; column += 4 * w)
        {
            UpdateRows<TOps, TVector, Four, T>(ref u, stride, i, column);
        }

        switch ((stride - column) / w)
        {
            case 1: UpdateRows<TOps, TVector, One, T>(ref u, stride, i, column); break;
            case 2: UpdateRows<TOps, TVector, Two, T>(ref u, stride, i, column); break;
            case 3: UpdateRows<TOps, TVector, Three, T>(ref u, stride, i, column); break;
            default: break;
        }
    }

    /// <summary>
    /// <see cref="FactorUpper{TOps, TVector, T}"/> on every copy of the group, block of four rows by
    /// block of four rows: each copy's rows take the rows above the block
    /// (<see cref="UpdateRows{TOps, TVector, TCount, T}"/>), then row r of every copy is finished
    /// before row r + 1 of any (<see cref="FinishRow{TOps, TVector, T}"/>). Within a copy the calls
    /// and their arguments are those of <see cref="FactorUpper{TOps, TVector, T}"/>; a failed copy
    /// stops where that routine would.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FactorUpperInterleaved<TOps, TVector, T>(ref T origin, ReadOnlySpan<int> offsets, ReadOnlySpan<int> orders,
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

        for (int i = 0; i < largest; i += 4)
        {
            for (int g = 0; g < orders.Length; g++)
            {
                int n = orders[g];
                if (pivots[g] >= 0 || i == 0 || i + 4 > n)
                {
                    continue;
                }

                UpdateBlock<TOps, TVector, T>(ref Unsafe.Add(ref origin, offsets[g]), (n + w - 1) / w * w, i);
            }

            for (int r = i; r < i + 4; r++)
            {
                for (int g = 0; g < orders.Length; g++)
                {
                    int n = orders[g];
                    if (pivots[g] >= 0 || r >= n)
                    {
                        continue;
                    }

                    // Rows of a whole block of four took the rows above it already; the last n % 4
                    // rows go one by one from row 0, as in FactorUpper.
                    int kStart = i + 4 <= n ? i : 0;
                    int stride = (n + w - 1) / w * w;
                    if (!FinishRow<TOps, TVector, T>(ref Unsafe.Add(ref origin, offsets[g]), stride, r, kStart, out T value))
                    {
                        pivots[g] = r;
                        values[g] = value;
                    }
                }
            }
        }
    }
}
