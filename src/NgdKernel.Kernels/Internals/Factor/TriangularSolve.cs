using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Blocked triangular solves with many right-hand sides, in place on B, for the eight cases
/// (left/right × lower/upper × op N/T). T is <c>n×n</c> row-major, only its triangle is read.
/// </summary>
/// <remarks>
/// Each case walks blocks of <see cref="BlockSize"/> along the triangle in the order the
/// substitution needs. The update of a block by all the solved blocks before it is one GEMM-shaped
/// call (<see cref="FactorGemm"/>), which carries all but <c>O(n·BlockSize·m)</c> of the flops;
/// inside a block every case runs <see cref="TriangularColumns"/> (register-blocked along B's
/// rows; right solves by transposition), the upper cases on the block's transpose <c>L = Uᵀ</c>
/// copied to the stack (<c>nb²</c> moves against the block's <c>nb²·m</c> multiply-adds). No
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

    /// <summary><c>U·X = B</c>: left-looking backward; <c>B[I,:] -= U[I,i1:n]·B[i1:n,:]</c>, then the diagonal block as <c>Lᵀ·X = B</c> with <c>L = Uᵀ</c>.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LeftUpper<T>(ref T t, nint ldt, ref T b, nint ldb, int n, int m, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> transposed = stackalloc T[BlockSize * BlockSize];
        ref T lower = ref MemoryMarshal.GetReference(transposed);
        for (int i1 = n; i1 > 0; i1 -= BlockSize)
        {
            int i0 = Math.Max(0, i1 - BlockSize);
            if (i1 < n)
            {
                FactorGemm.SubtractNN(ref At(ref t, ldt, i0, i1), ldt, 1, ref At(ref b, ldb, i1, 0), ldb, ref At(ref b, ldb, i0, 0), ldb, i1 - i0, m, n - i1, path);
            }

            int nb = i1 - i0;
            FactorTranspose.UpperToLower(ref At(ref t, ldt, i0, i0), ldt, ref lower, nb, nb, nb, path);
            TriangularColumns.SolveLeft(ref lower, nb, ref At(ref b, ldb, i0, 0), ldb, nb, m, backward: true, path);
        }
    }

    /// <summary><c>Uᵀ·X = B</c>: right-looking forward; the diagonal block as <c>L·X = B</c> with <c>L = Uᵀ</c>, then <c>B[i1:n,:] -= U[I,i1:n]ᵀ·X[I,:]</c>.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LeftUpperTranspose<T>(ref T t, nint ldt, ref T b, nint ldb, int n, int m, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> transposed = stackalloc T[BlockSize * BlockSize];
        ref T lower = ref MemoryMarshal.GetReference(transposed);
        for (int i0 = 0; i0 < n; i0 += BlockSize)
        {
            int i1 = Math.Min(n, i0 + BlockSize);
            int nb = i1 - i0;
            FactorTranspose.UpperToLower(ref At(ref t, ldt, i0, i0), ldt, ref lower, nb, nb, nb, path);
            TriangularColumns.SolveLeft(ref lower, nb, ref At(ref b, ldb, i0, 0), ldb, nb, m, backward: false, path);

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

    /// <summary><c>X·U = B</c>: forward over column blocks; <c>B[:,J] -= X[:,0:j0]·U[0:j0,J]</c>, then the diagonal block as <c>X·Lᵀ = B</c> with <c>L = Uᵀ</c> (<see cref="TriangularColumns.SolveRight"/>).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RightUpper<T>(ref T t, nint ldt, ref T b, nint ldb, int m, int n, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> transposed = stackalloc T[BlockSize * BlockSize];
        ref T lower = ref MemoryMarshal.GetReference(transposed);
        for (int j0 = 0; j0 < n; j0 += BlockSize)
        {
            int j1 = Math.Min(n, j0 + BlockSize);
            int nb = j1 - j0;
            FactorGemm.SubtractNN(ref b, ldb, 1, ref At(ref t, ldt, 0, j0), ldt, ref At(ref b, ldb, 0, j0), ldb, m, nb, j0, path);
            FactorTranspose.UpperToLower(ref At(ref t, ldt, j0, j0), ldt, ref lower, nb, nb, nb, path);
            TriangularColumns.SolveRight(ref lower, nb, ref At(ref b, ldb, 0, j0), ldb, m, nb, forward: true, backward: false, path);
        }
    }

    /// <summary><c>X·Uᵀ = B</c>: backward over column blocks; <c>B[:,J] -= X[:,j1:n]·U[J,j1:n]ᵀ</c>, then the diagonal block as <c>X·L = B</c> with <c>L = Uᵀ</c> (<see cref="TriangularColumns.SolveRight"/>).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RightUpperTranspose<T>(ref T t, nint ldt, ref T b, nint ldb, int m, int n, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> transposed = stackalloc T[BlockSize * BlockSize];
        ref T lower = ref MemoryMarshal.GetReference(transposed);
        for (int j1 = n; j1 > 0; j1 -= BlockSize)
        {
            int j0 = Math.Max(0, j1 - BlockSize);
            int nb = j1 - j0;
            if (j1 < n)
            {
                FactorGemm.SubtractNT(ref At(ref b, ldb, 0, j1), ldb, ref At(ref t, ldt, j0, j1), ldt, ref At(ref b, ldb, 0, j0), ldb, m, nb, n - j1, lowerOnly: false, path);
            }

            FactorTranspose.UpperToLower(ref At(ref t, ldt, j0, j0), ldt, ref lower, nb, nb, nb, path);
            TriangularColumns.SolveRight(ref lower, nb, ref At(ref b, ldb, 0, j0), ldb, m, nb, forward: false, backward: true, path);
        }
    }
}
