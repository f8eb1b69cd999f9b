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
            Left(ref t, ldt, upper: !lower, transpose, ref b, ldb, rows, columns, path);
        }
        else
        {
            Right(ref t, ldt, upper: !lower, transpose, ref b, ldb, rows, columns, path);
        }
    }

    /// <summary>Block <paramref name="block"/> of <c>[0, n)</c> counted from the start (forward) or from the end.</summary>
    private static (int Start, int End) Range(int block, int n, bool forward) => forward
        ? (block * BlockSize, Math.Min(n, (block + 1) * BlockSize))
        : (Math.Max(0, n - ((block + 1) * BlockSize)), n - (block * BlockSize));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T At<T>(ref T origin, nint ld, int row, int column) => ref Unsafe.Add(ref origin, (row * ld) + column);

    /// <summary>
    /// <c>op(T)·X = B</c>, B <c>[n, m]</c>, over diagonal blocks I in the order of substitution
    /// (forward for <c>L</c> and <c>Uᵀ</c>, backward for <c>Lᵀ</c> and <c>U</c>). Without
    /// transposition left-looking: <c>B[I,:] -= T[I,S]·X[S,:]</c> over the solved rows S, then the
    /// diagonal block. With transposition right-looking: the diagonal block, then
    /// <c>B[R,:] -= T[I,R]ᵀ·X[I,:]</c> over the rows R still to solve (A(r, p) = T[i0 + p, r]:
    /// row stride 1, k stride ldt). An upper diagonal block is solved as <c>L = Uᵀ</c>, copied.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Left<T>(ref T t, nint ldt, bool upper, bool transpose, ref T b, nint ldb, int n, int m, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> transposed = upper ? stackalloc T[BlockSize * BlockSize] : default;
        ref T lower = ref MemoryMarshal.GetReference(transposed);
        bool forward = upper == transpose;
        int blocks = (n + BlockSize - 1) / BlockSize;
        for (int block = 0; block < blocks; block++)
        {
            (int i0, int i1) = Range(block, n, forward);
            int nb = i1 - i0;
            (int s0, int s1) = forward ? (0, i0) : (i1, n);   // solved rows
            (int r0, int r1) = forward ? (i1, n) : (0, i0);   // rows still to solve
            if (!transpose && s1 > s0)
            {
                FactorGemm.SubtractNN(ref At(ref t, ldt, i0, s0), ldt, 1, ref At(ref b, ldb, s0, 0), ldb, ref At(ref b, ldb, i0, 0), ldb, nb, m, s1 - s0, path);
            }

            if (upper)
            {
                FactorTranspose.UpperToLower(ref At(ref t, ldt, i0, i0), ldt, ref lower, nb, nb, nb, path);
                TriangularColumns.SolveLeft(ref lower, nb, ref At(ref b, ldb, i0, 0), ldb, nb, m, backward: !forward, path);
            }
            else
            {
                TriangularColumns.SolveLeft(ref At(ref t, ldt, i0, i0), ldt, ref At(ref b, ldb, i0, 0), ldb, nb, m, backward: !forward, path);
            }

            if (transpose && r1 > r0)
            {
                FactorGemm.SubtractNN(ref At(ref t, ldt, i0, r0), 1, ldt, ref At(ref b, ldb, i0, 0), ldb, ref At(ref b, ldb, r0, 0), ldb, r1 - r0, m, nb, path);
            }
        }
    }

    /// <summary>
    /// <c>X·op(T) = B</c>, B <c>[m, n]</c>, left-looking over column blocks J in the order of
    /// substitution (forward for <c>U</c> and <c>Lᵀ</c>, backward for <c>L</c> and <c>Uᵀ</c>):
    /// <c>B[:,J] -= X[:,S]·op(T)[S,J]</c> over the solved columns S, then the diagonal block by
    /// transposition (<see cref="TriangularColumns.SolveRight"/>), an upper one as <c>L = Uᵀ</c>, copied.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Right<T>(ref T t, nint ldt, bool upper, bool transpose, ref T b, nint ldb, int m, int n, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> transposed = upper ? stackalloc T[BlockSize * BlockSize] : default;
        ref T lower = ref MemoryMarshal.GetReference(transposed);
        bool forward = upper != transpose;
        int blocks = (n + BlockSize - 1) / BlockSize;
        for (int block = 0; block < blocks; block++)
        {
            (int j0, int j1) = Range(block, n, forward);
            int nb = j1 - j0;
            (int s0, int s1) = forward ? (0, j0) : (j1, n);   // solved columns
            if (s1 > s0 && transpose)
            {
                FactorGemm.SubtractNT(ref At(ref b, ldb, 0, s0), ldb, ref At(ref t, ldt, j0, s0), ldt, ref At(ref b, ldb, 0, j0), ldb, m, nb, s1 - s0, lowerOnly: false, path);
            }
            else if (s1 > s0)
            {
                FactorGemm.SubtractNN(ref At(ref b, ldb, 0, s0), ldb, 1, ref At(ref t, ldt, s0, j0), ldt, ref At(ref b, ldb, 0, j0), ldb, m, nb, s1 - s0, path);
            }

            ref T bj = ref At(ref b, ldb, 0, j0);
            if (upper)
            {
                FactorTranspose.UpperToLower(ref At(ref t, ldt, j0, j0), ldt, ref lower, nb, nb, nb, path);
                TriangularColumns.SolveRight(ref lower, nb, ref bj, ldb, ref bj, ldb, m, nb, forward, backward: !forward, path);
            }
            else
            {
                TriangularColumns.SolveRight(ref At(ref t, ldt, j0, j0), ldt, ref bj, ldb, ref bj, ldb, m, nb, forward, backward: !forward, path);
            }
        }
    }
}
