using System.Runtime.InteropServices;
using System.Numerics;
using System.Runtime.CompilerServices;
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
        for (int i = 0; i < n; i++)
        {
            ref T row = ref Unsafe.Add(ref a0, i * lda);
            for (int j = 0; j <= i; j++)
            {
                Unsafe.Add(ref u, (j * stride) + i) = Unsafe.Add(ref row, j);
            }

            Unsafe.Add(ref u, (i * stride) + i) += damping;
        }

        int pivot = path switch
        {
            KernelPath.Vector512 => FactorUpper<FactorSimd512<T>, Vector512<T>, T>(ref u, stride, n, out pivotValue),
            KernelPath.Vector256 => FactorUpper<FactorSimd256<T>, Vector256<T>, T>(ref u, stride, n, out pivotValue),
            _ => FactorUpperScalar(ref u, stride, n, out pivotValue),
        };

        int finished = pivot < 0 ? n : pivot;
        for (int i = 0; i < finished; i++)
        {
            ref T row = ref Unsafe.Add(ref a0, i * lda);
            for (int j = 0; j <= i; j++)
            {
                Unsafe.Add(ref row, j) = Unsafe.Add(ref u, (j * stride) + i);
            }

            if (i + 1 < n)
            {
                MemoryMarshal.CreateSpan(ref Unsafe.Add(ref row, i + 1), n - i - 1).Clear();
            }
        }

        return pivot;
    }

    /// <summary>Left-looking upper factor in place on the padded copy (row stride a multiple of the vector width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FactorUpper<TOps, TVector, T>(ref T u, int stride, int n, out T pivotValue)
        where TOps : IFactorSimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = (int)TOps.Count;
        for (int i = 0; i < n; i++)
        {
            ref T rowI = ref Unsafe.Add(ref u, i * stride);
            int start = i / w * w;
            int column = start;
            for (; column + (4 * w) <= stride; column += 4 * w)
            {
                UpdateRow<TOps, TVector, FourVectors, T>(ref u, stride, i, column);
            }

            switch ((stride - column) / w)
            {
                case 1: UpdateRow<TOps, TVector, OneVector, T>(ref u, stride, i, column); break;
                case 2: UpdateRow<TOps, TVector, TwoVectors, T>(ref u, stride, i, column); break;
                case 3: UpdateRow<TOps, TVector, ThreeVectors, T>(ref u, stride, i, column); break;
                default: break;
            }

            T d = Unsafe.Add(ref rowI, i);
            if (!(d > T.Zero && d < T.PositiveInfinity))
            {
                pivotValue = d;
                return i;
            }

            T root = T.Sqrt(d);
            TVector inverse = TOps.Broadcast(T.One / root);
            for (column = start; column < stride; column += w)
            {
                TOps.Store(TOps.Multiply(TOps.Load(ref rowI, (nuint)column), inverse), ref rowI, (nuint)column);
            }

            Unsafe.Add(ref rowI, i) = root;
        }

        pivotValue = T.Zero;
        return -1;
    }

    /// <summary><c>u[i, c:c+count·w] -= Σ_{k&lt;i} u[k,i]·u[k, c:c+count·w]</c>, one register chain per vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRow<TOps, TVector, TCount, T>(ref T u, int stride, int i, int column)
        where TOps : IFactorSimd<TVector, T>
        where TVector : struct
        where TCount : IVectorCount
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int count = TCount.Value;
        nuint w = TOps.Count;
        ref T target = ref Unsafe.Add(ref u, (i * stride) + column);
        TVector a0 = TOps.Load(ref target, 0);
        TVector a1 = count > 1 ? TOps.Load(ref target, w) : default;
        TVector a2 = count > 2 ? TOps.Load(ref target, 2 * w) : default;
        TVector a3 = count > 3 ? TOps.Load(ref target, 3 * w) : default;
        ref T rowK = ref u;
        for (int k = 0; k < i; k++)
        {
            TVector l = TOps.Broadcast(-Unsafe.Add(ref rowK, i));
            ref T source = ref Unsafe.Add(ref rowK, column);
            a0 = TOps.Fma(l, TOps.Load(ref source, 0), a0);
            if (count > 1)
            {
                a1 = TOps.Fma(l, TOps.Load(ref source, w), a1);
            }

            if (count > 2)
            {
                a2 = TOps.Fma(l, TOps.Load(ref source, 2 * w), a2);
            }

            if (count > 3)
            {
                a3 = TOps.Fma(l, TOps.Load(ref source, 3 * w), a3);
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

    /// <summary>The scalar path of <see cref="FactorUpper{TOps, TVector, T}"/>: the same per-element sequence, no padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FactorUpperScalar<T>(ref T u, int stride, int n, out T pivotValue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < n; i++)
        {
            ref T rowI = ref Unsafe.Add(ref u, i * stride);
            for (int j = i; j < n; j++)
            {
                T sum = Unsafe.Add(ref rowI, j);
                for (int k = 0; k < i; k++)
                {
                    ref T rowK = ref Unsafe.Add(ref u, k * stride);
                    sum = T.FusedMultiplyAdd(-Unsafe.Add(ref rowK, i), Unsafe.Add(ref rowK, j), sum);
                }

                Unsafe.Add(ref rowI, j) = sum;
            }

            T d = Unsafe.Add(ref rowI, i);
            if (!(d > T.Zero && d < T.PositiveInfinity))
            {
                pivotValue = d;
                return i;
            }

            T root = T.Sqrt(d);
            T inverse = T.One / root;
            for (int j = i + 1; j < n; j++)
            {
                Unsafe.Add(ref rowI, j) *= inverse;
            }

            Unsafe.Add(ref rowI, i) = root;
        }

        pivotValue = T.Zero;
        return -1;
    }

    /// <summary><c>L -&gt; (L·Lᵀ)⁻¹</c> in place (<see cref="TriangularInverse"/>), then the mirror into the upper triangle.</summary>
    private static void InvertCore<T>(Span2D<T> factor, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = factor.Height;
        nint ld = StridedView.Stride(factor);
        ref T a0 = ref factor.DangerousGetReference();
        TriangularInverse.Invert(ref a0, ld, n, path);
        MirrorLowerToUpper(ref a0, ld, n);
    }

    /// <summary>Copies the strict lower triangle onto the strict upper one, in 32×32 tiles.</summary>
    internal static void MirrorLowerToUpper<T>(ref T a0, nint ld, int n)
        where T : unmanaged
    {
        const int Tile = 32;
        for (int i0 = 0; i0 < n; i0 += Tile)
        {
            int i1 = Math.Min(n, i0 + Tile);
            for (int j0 = 0; j0 <= i0; j0 += Tile)
            {
                int j1 = Math.Min(n, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    int jEnd = Math.Min(j1, i);
                    for (int j = j0; j < jEnd; j++)
                    {
                        Unsafe.Add(ref a0, (j * ld) + i) = Unsafe.Add(ref a0, (i * ld) + j);
                    }
                }
            }
        }
    }
}
