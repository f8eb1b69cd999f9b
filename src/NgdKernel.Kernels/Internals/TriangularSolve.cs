using System.Numerics;
using System.Runtime.CompilerServices;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Blocked triangular solves with many right-hand sides, in place on B, for the eight cases
/// (left/right × lower/upper × op N/T). T is <c>n×n</c> row-major, only its triangle is read.
/// </summary>
/// <remarks>
/// Each case walks blocks of <see cref="BlockSize"/> along the triangle in the order the
/// substitution needs. The update of a block by all the solved blocks before it is one GEMM-shaped
/// call (<see cref="FactorGemm"/>), which carries all but <c>O(n·BlockSize·m)</c> of the flops;
/// inside a block the lower cases run <see cref="TriangularColumns"/> (register-blocked along B's
/// rows; right solves by transposition), the upper cases dots or axpys over contiguous rows. No
/// case walks a column of T or B element by element. Callers validate; nothing is checked here.
/// </remarks>
internal static class TriangularSolve
{
    /// <summary>Block size along the triangle: 64 keeps a 64×64 diagonal block of doubles (32 KB) in L1.</summary>
    internal const int BlockSize = 64;

    /// <summary>
    /// Left: <c>op(T)·X = B</c>, B is <c>[n, m]</c>. Right: <c>X·op(T) = B</c>, B is <c>[m, n]</c>.
    /// <paramref name="rows"/> and <paramref name="columns"/> are B's.
    /// </summary>
    public static void Solve<T>(
        ref T t, nint ldt, bool lower, bool transpose, bool left, ref T b, nint ldb, int rows, int columns, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (rows == 0 || columns == 0)
        {
            return;
        }

        if (left)
        {
            if (lower)
            {
                if (transpose) { LeftLowerTranspose(ref t, ldt, ref b, ldb, rows, columns, path); }
                else { LeftLower(ref t, ldt, ref b, ldb, rows, columns, path); }
            }
            else
            {
                if (transpose) { LeftUpperTranspose(ref t, ldt, ref b, ldb, rows, columns, path); }
                else { LeftUpper(ref t, ldt, ref b, ldb, rows, columns, path); }
            }
        }
        else
        {
            if (lower)
            {
                if (transpose) { RightLowerTranspose(ref t, ldt, ref b, ldb, rows, columns, path); }
                else { RightLower(ref t, ldt, ref b, ldb, rows, columns, path); }
            }
            else
            {
                if (transpose) { RightUpperTranspose(ref t, ldt, ref b, ldb, rows, columns, path); }
                else { RightUpper(ref t, ldt, ref b, ldb, rows, columns, path); }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T At<T>(ref T origin, nint ld, int row, int column) => ref Unsafe.Add(ref origin, (row * ld) + column);

    // ================================================================ left: op(T) X = B, B [n, m]

    /// <summary><c>L·X = B</c>: left-looking forward; <c>B[I,:] -= L[I,0:i0]·B[0:i0,:]</c>, then the diagonal block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LeftLower<T>(ref T t, nint ldt, ref T b, nint ldb, int n, int m, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i0 = 0; i0 < n; i0 += BlockSize)
        {
            int i1 = Math.Min(n, i0 + BlockSize);
            FactorGemm.SubtractNN(ref At(ref t, ldt, i0, 0), ldt, 1, ref b, ldb, ref At(ref b, ldb, i0, 0), ldb, i1 - i0, m, i0, path);
            TriangularColumns.SolveLeft(ref At(ref t, ldt, i0, i0), ldt, ref At(ref b, ldb, i0, 0), ldb, i1 - i0, m, backward: false, path);
        }
    }

    /// <summary><c>Lᵀ·X = B</c>: right-looking backward; the diagonal block, then <c>B[0:i0,:] -= L[I,0:i0]ᵀ·X[I,:]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LeftLowerTranspose<T>(ref T t, nint ldt, ref T b, nint ldb, int n, int m, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i1 = n; i1 > 0; i1 -= BlockSize)
        {
            int i0 = Math.Max(0, i1 - BlockSize);
            TriangularColumns.SolveLeft(ref At(ref t, ldt, i0, i0), ldt, ref At(ref b, ldb, i0, 0), ldb, i1 - i0, m, backward: true, path);

            // A(r, p) = L[i0 + p, r]: row stride 1, k stride ldt.
            FactorGemm.SubtractNN(ref At(ref t, ldt, i0, 0), 1, ldt, ref At(ref b, ldb, i0, 0), ldb, ref b, ldb, i0, m, i1 - i0, path);
        }
    }

    /// <summary><c>U·X = B</c>: left-looking backward; <c>B[I,:] -= U[I,i1:n]·B[i1:n,:]</c>, then the diagonal block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LeftUpper<T>(ref T t, nint ldt, ref T b, nint ldb, int n, int m, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i1 = n; i1 > 0; i1 -= BlockSize)
        {
            int i0 = Math.Max(0, i1 - BlockSize);
            if (i1 < n)
            {
                FactorGemm.SubtractNN(ref At(ref t, ldt, i0, i1), ldt, 1, ref At(ref b, ldb, i1, 0), ldb, ref At(ref b, ldb, i0, 0), ldb, i1 - i0, m, n - i1, path);
            }

            for (int i = i1 - 1; i >= i0; i--)
            {
                ref T rowB = ref At(ref b, ldb, i, 0);
                for (int k = i + 1; k < i1; k++)
                {
                    Level1.Axpy(-At(ref t, ldt, i, k), ref At(ref b, ldb, k, 0), ref rowB, m, path);
                }

                Level1.Scale(T.One / At(ref t, ldt, i, i), ref rowB, m, path);
            }
        }
    }

    /// <summary><c>Uᵀ·X = B</c>: right-looking forward; the diagonal block, then <c>B[i1:n,:] -= U[I,i1:n]ᵀ·X[I,:]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LeftUpperTranspose<T>(ref T t, nint ldt, ref T b, nint ldb, int n, int m, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i0 = 0; i0 < n; i0 += BlockSize)
        {
            int i1 = Math.Min(n, i0 + BlockSize);
            for (int i = i0; i < i1; i++)
            {
                ref T rowB = ref At(ref b, ldb, i, 0);
                Level1.Scale(T.One / At(ref t, ldt, i, i), ref rowB, m, path);
                for (int k = i + 1; k < i1; k++)
                {
                    Level1.Axpy(-At(ref t, ldt, i, k), ref rowB, ref At(ref b, ldb, k, 0), m, path);
                }
            }

            if (i1 < n)
            {
                // A(r, p) = U[i0 + p, i1 + r]: row stride 1, k stride ldt.
                FactorGemm.SubtractNN(ref At(ref t, ldt, i0, i1), 1, ldt, ref At(ref b, ldb, i0, 0), ldb, ref At(ref b, ldb, i1, 0), ldb, n - i1, m, i1 - i0, path);
            }
        }
    }

    // ================================================================ right: X op(T) = B, B [m, n]

    /// <summary><c>X·L = B</c>: left-looking backward over column blocks; <c>B[:,J] -= X[:,j1:n]·L[j1:n,J]</c>, then the diagonal block by transposition (<see cref="TriangularColumns.SolveRight"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RightLower<T>(ref T t, nint ldt, ref T b, nint ldb, int m, int n, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int j1 = n; j1 > 0; j1 -= BlockSize)
        {
            int j0 = Math.Max(0, j1 - BlockSize);
            if (j1 < n)
            {
                FactorGemm.SubtractNN(ref At(ref b, ldb, 0, j1), ldb, 1, ref At(ref t, ldt, j1, j0), ldt, ref At(ref b, ldb, 0, j0), ldb, m, j1 - j0, n - j1, path);
            }

            TriangularColumns.SolveRight(ref At(ref t, ldt, j0, j0), ldt, ref At(ref b, ldb, 0, j0), ldb, m, j1 - j0, forward: false, backward: true, path);
        }
    }

    /// <summary><c>X·Lᵀ = B</c>: forward over column blocks; <c>B[:,J] -= X[:,0:j0]·L[J,0:j0]ᵀ</c>, then the diagonal block by transposition (<see cref="TriangularColumns.SolveRight"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RightLowerTranspose<T>(ref T t, nint ldt, ref T b, nint ldb, int m, int n, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int j0 = 0; j0 < n; j0 += BlockSize)
        {
            int j1 = Math.Min(n, j0 + BlockSize);
            FactorGemm.SubtractNT(ref b, ldb, ref At(ref t, ldt, j0, 0), ldt, ref At(ref b, ldb, 0, j0), ldb, m, j1 - j0, j0, lowerOnly: false, path);
            TriangularColumns.SolveRight(ref At(ref t, ldt, j0, j0), ldt, ref At(ref b, ldb, 0, j0), ldb, m, j1 - j0, forward: true, backward: false, path);
        }
    }

    /// <summary><c>X·U = B</c>: forward over column blocks; <c>B[:,J] -= X[:,0:j0]·U[0:j0,J]</c>, then per row <c>x_j = b_j / u_jj</c>, <c>b[j+1:j1] -= x_j·u[j,j+1:j1]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RightUpper<T>(ref T t, nint ldt, ref T b, nint ldb, int m, int n, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int j0 = 0; j0 < n; j0 += BlockSize)
        {
            int j1 = Math.Min(n, j0 + BlockSize);
            FactorGemm.SubtractNN(ref b, ldb, 1, ref At(ref t, ldt, 0, j0), ldt, ref At(ref b, ldb, 0, j0), ldb, m, j1 - j0, j0, path);
            for (int r = 0; r < m; r++)
            {
                ref T x = ref At(ref b, ldb, r, 0);
                for (int j = j0; j < j1; j++)
                {
                    ref T rowT = ref At(ref t, ldt, j, 0);
                    T xj = Unsafe.Add(ref x, j) / Unsafe.Add(ref rowT, j);
                    Unsafe.Add(ref x, j) = xj;
                    Level1.Axpy(-xj, ref Unsafe.Add(ref rowT, j + 1), ref Unsafe.Add(ref x, j + 1), j1 - j - 1, path);
                }
            }
        }
    }

    /// <summary><c>X·Uᵀ = B</c>: backward over column blocks; <c>B[:,J] -= X[:,j1:n]·U[J,j1:n]ᵀ</c>, then per row <c>x_j = (b_j - u[j,j+1:j1]·x[j+1:j1]) / u_jj</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RightUpperTranspose<T>(ref T t, nint ldt, ref T b, nint ldb, int m, int n, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int j1 = n; j1 > 0; j1 -= BlockSize)
        {
            int j0 = Math.Max(0, j1 - BlockSize);
            if (j1 < n)
            {
                FactorGemm.SubtractNT(ref At(ref b, ldb, 0, j1), ldb, ref At(ref t, ldt, j0, j1), ldt, ref At(ref b, ldb, 0, j0), ldb, m, j1 - j0, n - j1, lowerOnly: false, path);
            }

            for (int r = 0; r < m; r++)
            {
                ref T x = ref At(ref b, ldb, r, 0);
                for (int j = j1 - 1; j >= j0; j--)
                {
                    ref T rowT = ref At(ref t, ldt, j, 0);
                    T dot = Level1.Dot(ref Unsafe.Add(ref rowT, j + 1), ref Unsafe.Add(ref x, j + 1), j1 - j - 1, path);
                    Unsafe.Add(ref x, j) = (Unsafe.Add(ref x, j) - dot) / Unsafe.Add(ref rowT, j);
                }
            }
        }
    }
}
