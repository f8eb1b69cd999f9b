using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels.Internals;

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
    /// compute finite values nobody reads. Each element is one FMA chain in k order and one multiply
    /// by <c>1/u[i,i]</c> (as LAPACK's dpotf2 scales by <c>1/ajj</c>), the same sequence on every
    /// path. Copying in and out costs <c>2n²</c> moves against <c>n³/3</c> flops.
    /// </remarks>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int FactorUnblocked<T>(ref T a0, nint lda, int n, T damping, KernelPath path, out T pivotValue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
#if NGDASSERT
        System.Diagnostics.Debug.Assert(n <= BlockSize, "diagonal block larger than the stack buffer");
#endif
        int width = path switch
        {
            KernelPath.Vector512 => Vector512<T>.Count,
            KernelPath.Vector256 => Vector256<T>.Count,
            _ => 1,
        };
        int stride = (n + width - 1) / width * width;
        Span<T> workspace = stackalloc T[BlockSize * BlockSize];
        ref T u = ref MemoryMarshal.GetReference(workspace);
        workspace[..(n * stride)].Clear();
        FactorTranspose.LowerToUpper(ref a0, lda, ref u, stride, n, path);
        for (int i = 0; i < n; i++)
        {
            Unsafe.Add(ref u, (i * stride) + i) += damping;
        }

        int pivot = path switch
        {
            KernelPath.Vector512 => FactorUpper<Simd512<T>, Vector512<T>, T>(ref u, stride, n, out pivotValue),
            KernelPath.Vector256 => FactorUpper<Simd256<T>, Vector256<T>, T>(ref u, stride, n, out pivotValue),
            _ => FactorUpper<SimdScalar<T>, T, T>(ref u, stride, n, out pivotValue),
        };

        FactorTranspose.UpperToLower(ref u, stride, ref a0, lda, n, pivot < 0 ? n : pivot, path);
        return pivot;
    }

    /// <summary>Left-looking upper factor in place on the padded copy (row stride a multiple of the vector width).</summary>
    /// <remarks>
    /// Rows go four at a time: first the four rows' chunks take the rows above the block in
    /// registers (one load of a row above feeds four FMA chains, as in
    /// <see cref="TriangularColumns"/>), then each of the four finishes with the rows of the
    /// block above it, its pivot test and its scaling. One row at a time, each vector was a single
    /// FMA chain of length i, which waited on FMA latency at n = 20..64. Every element keeps the
    /// sequence on every path (the scalar one is this body at width 1): its chain in k order, then one multiply.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FactorUpper<TOps, TVector, T>(ref T u, int stride, int n, out T pivotValue)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = (int)TOps.Count;
        int i = 0;
        for (; i + 4 <= n; i += 4)
        {
            if (i > 0)
            {
                UpdateColumns<TOps, TVector, Four, T>(ref u, stride, i, 0);
            }

            for (int r = i; r < i + 4; r++)
            {
                if (!FinishRow<TOps, TVector, T>(ref u, stride, r, i, out pivotValue))
                {
                    return r;
                }
            }
        }

        for (; i < n; i++)
        {
            if (!FinishRow<TOps, TVector, T>(ref u, stride, i, 0, out pivotValue))
            {
                return i;
            }
        }

        pivotValue = T.Zero;
        return -1;
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
            UpdateColumns<TOps, TVector, One, T>(ref u, stride, i, kStart);
        }

        T d = Unsafe.Add(ref rowI, i);
        pivotValue = d;
        if (!(d > T.Zero && d < T.PositiveInfinity))
        {
            return false;
        }

        T root = T.Sqrt(d);
        TVector inverse = TOps.Broadcast(T.One / root);
        for (int column = start; column < stride; column += w)
        {
            TOps.Store(TOps.Multiply(TOps.Load(ref rowI, (nuint)column), inverse), ref rowI, (nuint)column);
        }

        Unsafe.Add(ref rowI, i) = root;
        return true;
    }

    /// <summary>
    /// Rows <c>i .. i + TRows - 1</c> (1 or 4) from the vector boundary at or below column i to the
    /// padded end, in chunks of up to four vectors: <c>-= Σ_{kStart&lt;=k&lt;i} u[k,i+r]·u[k, c:]</c>,
    /// one register chain per row and vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateColumns<TOps, TVector, TRows, T>(ref T u, int stride, int i, int kStart)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TRows : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = (int)TOps.Count;
        int column = i / w * w;
        for (; column + (4 * w) <= stride; column += 4 * w)
        {
            UpdateRows<TOps, TVector, TRows, Four, T>(ref u, stride, i, kStart, column);
        }

        switch ((stride - column) / w)
        {
            case 1: UpdateRows<TOps, TVector, TRows, One, T>(ref u, stride, i, kStart, column); break;
            case 2: UpdateRows<TOps, TVector, TRows, Two, T>(ref u, stride, i, kStart, column); break;
            case 3: UpdateRows<TOps, TVector, TRows, Three, T>(ref u, stride, i, kStart, column); break;
            default: break;
        }
    }

    /// <summary>
    /// One chunk of <c>TCount</c> vectors at <paramref name="column"/> of rows <c>i .. i + TRows - 1</c>;
    /// with four rows the coefficients <c>u[k, i..i+3]</c> are adjacent in row k, and each loaded
    /// vector of row k feeds four chains.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRows<TOps, TVector, TRows, TCount, T>(ref T u, int stride, int i, int kStart, int column)
        where TOps : ISimd<TVector, T>
        where TVector : struct
        where TRows : IConstant
        where TCount : IConstant
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = TOps.Count;
        bool four = TRows.Value == 4;
        ref T t0 = ref Unsafe.Add(ref u, (i * stride) + column);
        ref T t1 = ref four ? ref Unsafe.Add(ref t0, stride) : ref t0;
        ref T t2 = ref four ? ref Unsafe.Add(ref t1, stride) : ref t0;
        ref T t3 = ref four ? ref Unsafe.Add(ref t2, stride) : ref t0;
        TVector a10 = default, a11 = default, a12 = default, a13 = default, a20 = default, a21 = default, a22 = default, a23 = default;
        TVector a30 = default, a31 = default, a32 = default, a33 = default;
        VectorChunk<TOps, TVector, TCount, T>.Load(ref t0, w, 2 * w, 3 * w, out TVector a00, out TVector a01, out TVector a02, out TVector a03);
        if (four)
        {
            VectorChunk<TOps, TVector, TCount, T>.Load(ref t1, w, 2 * w, 3 * w, out a10, out a11, out a12, out a13);
            VectorChunk<TOps, TVector, TCount, T>.Load(ref t2, w, 2 * w, 3 * w, out a20, out a21, out a22, out a23);
            VectorChunk<TOps, TVector, TCount, T>.Load(ref t3, w, 2 * w, 3 * w, out a30, out a31, out a32, out a33);
        }

        ref T rowK = ref Unsafe.Add(ref u, kStart * stride);
        for (int k = kStart; k < i; k++)
        {
            VectorChunk<TOps, TVector, TCount, T>.Load(ref Unsafe.Add(ref rowK, column), w, 2 * w, 3 * w, out TVector x0, out TVector x1, out TVector x2, out TVector x3);
            VectorChunk<TOps, TVector, TCount, T>.Subtract(Unsafe.Add(ref rowK, i), x0, x1, x2, x3, ref a00, ref a01, ref a02, ref a03);
            if (four)
            {
                VectorChunk<TOps, TVector, TCount, T>.Subtract(Unsafe.Add(ref rowK, i + 1), x0, x1, x2, x3, ref a10, ref a11, ref a12, ref a13);
                VectorChunk<TOps, TVector, TCount, T>.Subtract(Unsafe.Add(ref rowK, i + 2), x0, x1, x2, x3, ref a20, ref a21, ref a22, ref a23);
                VectorChunk<TOps, TVector, TCount, T>.Subtract(Unsafe.Add(ref rowK, i + 3), x0, x1, x2, x3, ref a30, ref a31, ref a32, ref a33);
            }

            rowK = ref Unsafe.Add(ref rowK, stride);
        }

        VectorChunk<TOps, TVector, TCount, T>.Store(ref t0, w, 2 * w, 3 * w, a00, a01, a02, a03);
        if (four)
        {
            VectorChunk<TOps, TVector, TCount, T>.Store(ref t1, w, 2 * w, 3 * w, a10, a11, a12, a13);
            VectorChunk<TOps, TVector, TCount, T>.Store(ref t2, w, 2 * w, 3 * w, a20, a21, a22, a23);
            VectorChunk<TOps, TVector, TCount, T>.Store(ref t3, w, 2 * w, 3 * w, a30, a31, a32, a33);
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
