using System.Numerics.Tensors;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Runs a validated GEMM, or the lower-triangle tiles of a SYRK, on one <see cref="KernelPath"/>: the
/// BLIS loop nest around a micro-kernel (see <see cref="BlockSizes"/>), split over the context's
/// worker pool.
/// </summary>
/// <remarks>
/// Names inside: m, n, k as in <c>C[m,n] = op(A)[m,k] op(B)[k,n]</c>; ldX is the row stride of X in
/// elements; jc/pc/ic/jr/ir are BLIS's loop indices over the Nc/Kc/Mc/Nr/Mr blocks.
/// <para>
/// Threads split C into row (or column) ranges aligned to Mr (Nr), each running the whole loop nest
/// on its range with its own packing buffers. The tiling of C and the order of the k sum are the same
/// as on one thread, so every element is bit-identical whatever the thread count. Each thread packs
/// the operand shared by all ranges again (B for row ranges): O(k·n) extra copies against
/// O(m·n·k / threads) arithmetic, cheaper than synchronising threads around a shared panel.
/// </para>
/// </remarks>
internal static unsafe class GemmDriver
{
    /// <summary>Below this many multiply-adds a call stays on one thread (waking a worker costs µs).</summary>
    /// Measured: 100³ (1M) ran at 84 GFLOP/s on 2 threads against 153 on one; 512³ gains.
    internal const long ParallelThreshold = 128 * 128 * 512;

    public static void Run<T>(
        ReadOnlySpan2D<T> a, MatrixOp opA, ReadOnlySpan2D<T> b, MatrixOp opB, T alpha, T beta, Span2D<T> c,
        KernelPath path, KernelContext context, bool lowerTriangleOnly)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int m = c.Height;
        int n = c.Width;
        int k = opA == MatrixOp.None ? a.Width : a.Height;
        if (m == 0 || n == 0)
        {
            return;
        }

        WorkerPool? pool = context.Pool;
        if (k == 0 || T.IsZero(alpha))
        {
            // BLAS quick return: C = beta * C without reading A or B.
            Scale(c, beta);
            return;
        }

        fixed (T* pa = &a.DangerousGetReference())
        fixed (T* pb = &b.DangerousGetReference())
        fixed (T* pc = &c.DangerousGetReference())
        {
            if (lowerTriangleOnly
                ? GemmSmall.IsSmallSyrk(n, k, opB == MatrixOp.Transpose)
                : GemmSmall.IsSmall(m, n, k, opB == MatrixOp.Transpose, sizeof(T) == sizeof(float)))
            {
                // Unpacked kernels: packing and the loop nest cost more than the arithmetic here. A small
                // SYRK is computed whole (its upper triangle is then overwritten by the mirror).
                GemmSmall.Run(
                    pa, StridedView.Stride(a), opA == MatrixOp.Transpose, pb, StridedView.Stride(b), opB == MatrixOp.Transpose,
                    alpha, beta, pc, StridedView.Stride(c), m, n, k, path);
                return;
            }

            var problem = new GemmProblem<T>
            {
                A = pa,
                Lda = StridedView.Stride(a),
                TransposeA = opA == MatrixOp.Transpose,
                B = pb,
                Ldb = StridedView.Stride(b),
                TransposeB = opB == MatrixOp.Transpose,
                C = pc,
                Ldc = StridedView.Stride(c),
                M = m,
                N = n,
                K = k,
                Alpha = alpha,
                Beta = beta,
                Path = path,
                LowerTriangleOnly = lowerTriangleOnly,
            };

            int parts = (long)m * n * k < ParallelThreshold ? 1 : context.ThreadCount;
            if (parts > 1 && pool is not null && pool.TryRun(&RunPart<T>, &problem, parts))
            {
                return;
            }

            RunPart<T>(&problem, 0, 1);
        }
    }

    /// <summary>C = beta * C (beta = 0 writes zeros without reading C).</summary>
    private static void Scale<T>(Span2D<T> c, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (T.IsZero(beta))
        {
            c.Clear();
            return;
        }

        if (beta == T.One)
        {
            return;
        }

        for (int i = 0; i < c.Height; i++)
        {
            Span<T> row = c.GetRowSpan(i);
            TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>Worker entry: computes part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    private static void RunPart<T>(void* state, int part, int parts)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref GemmProblem<T> problem = ref Unsafe.AsRef<GemmProblem<T>>(state);
        switch (problem.Path)
        {
            case KernelPath.Vector512:
                RunPart<T, GemmVectorTile<Simd512<T>, Vector512<T>, T, Twelve>>(ref problem, part, parts);
                break;
            case KernelPath.Vector256:
                RunPart<T, GemmVectorTile<Simd256<T>, Vector256<T>, T, Six>>(ref problem, part, parts);
                break;
            default:
                RunPart<T, GemmVectorTile<SimdScalar<T, Zero>, T, T, Six>>(ref problem, part, parts);
                break;
        }
    }

    private static void RunPart<T, TKernel>(ref GemmProblem<T> problem, int part, int parts)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TKernel : struct, IGemmMicroKernel<T>
    {
        BlockSizes blocks = BlockSizes.For<T>(problem.Path);
        int rowStart = 0, rowEnd = problem.M, columnStart = 0, columnEnd = problem.N;
        if (SplitsRows(problem.M, problem.N, parts, TKernel.Mr, problem.LowerTriangleOnly))
        {
            rowStart = WorkerPool.Boundary(problem.M, part, parts, TKernel.Mr, problem.LowerTriangleOnly);
            rowEnd = WorkerPool.Boundary(problem.M, part + 1, parts, TKernel.Mr, problem.LowerTriangleOnly);
        }
        else
        {
            columnStart = WorkerPool.Boundary(problem.N, part, parts, TKernel.Nr, triangle: false);
            columnEnd = WorkerPool.Boundary(problem.N, part + 1, parts, TKernel.Nr, triangle: false);
        }

        if (rowStart < rowEnd && columnStart < columnEnd)
        {
            Compute<T, TKernel>(ref problem, blocks, rowStart, rowEnd, columnStart, columnEnd);
        }
    }

    /// <summary>
    /// Whether threads take row ranges of C (each packing all of B) rather than column ranges (each
    /// packing all of A). Rows, unless each thread would get fewer than 4 micro-panels of rows and C is
    /// wider than tall. Measured on 2 threads (Zen 5, float, speedup over one thread): 400×1000×784 TN
    /// 1.96x by rows against 0.96-1.21x by columns; 1000×784×400 NN 2.06x against 1.85x; 512³ 1.85x
    /// against 1.95x.
    /// </summary>
    private static bool SplitsRows(int m, int n, int parts, int mr, bool triangle) =>
        triangle || m >= n || m >= 4 * mr * parts;

    /// <summary>The BLIS loop nest over rows [rowStart, rowEnd) and columns [columnStart, columnEnd) of C.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute<T, TKernel>(
        ref GemmProblem<T> problem, BlockSizes blocks, int rowStart, int rowEnd, int columnStart, int columnEnd)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TKernel : struct, IGemmMicroKernel<T>
    {
        int mr = TKernel.Mr, nr = TKernel.Nr, half = nr / 2;
        int ncMax = blocks.Nc;

        // Equal blocks rather than full blocks and a remainder: k = 784 with Kc = 256 ran as 3×256 + 16,
        // whose last pass spends as long loading and storing C as computing; as 4×196 it took
        // 1000×784×400 float from 0.89x to 0.94x of OpenBLAS (one run, before Kc grew). Depends on k alone,
        // so the sum order is the same for every thread count.
        int kcStep = BalancedStep(problem.K, blocks.Kc, 4);
        int mcStep = BalancedStep(rowEnd - rowStart, blocks.Mc, mr);
        T* a = problem.A, b = problem.B, c = problem.C;
        nint lda = problem.Lda, ldb = problem.Ldb, ldc = problem.Ldc;
        bool transposeA = problem.TransposeA, transposeB = problem.TransposeB, lower = problem.LowerTriangleOnly;
        int k = problem.K;
        T alpha = problem.Alpha;

        T* packedA = (T*)GemmWorkspace.Current.Start;
        T* packedB = packedA + blocks.PackedALength(sizeof(T));
        T* tile = stackalloc T[BlockSizes.MaxTileElements];

        for (int jc = columnStart; jc < columnEnd; jc += ncMax)
        {
            // SYRK: columns at or right of rowEnd lie above the diagonal for every row of this range.
            int nc = Math.Min(ncMax, (lower ? Math.Min(columnEnd, rowEnd) : columnEnd) - jc);
            if (nc <= 0)
            {
                break;
            }

            for (int pc = 0; pc < k; pc += kcStep)
            {
                int kc = Math.Min(kcStep, k - pc);
                T beta = pc == 0 ? problem.Beta : T.One;
                GemmPack.Pack(b, ldb, !transposeB, jc, nc, pc, kc, nr, packedB);
                for (int ic = rowStart; ic < rowEnd; ic += mcStep)
                {
                    int mc = Math.Min(mcStep, rowEnd - ic);
                    if (lower && ic + mc <= jc)
                    {
                        continue; // the whole block is above the diagonal
                    }

                    GemmPack.Pack(a, lda, transposeA, ic, mc, pc, kc, mr, packedA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int columns = Math.Min(nr, nc - jr);
                        int j0 = jc + jr;
                        T* panelB = packedB + ((nint)jr * kc);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            int i0 = ic + ir;
                            if (lower && j0 >= i0 + rows)
                            {
                                continue; // tile strictly above the diagonal
                            }

                            T* panelA = packedA + ((nint)ir * kc);
                            T* cTile = c + ((nint)i0 * ldc) + j0;

                            // SYRK: a tile on the diagonal whose right half lies strictly above it
                            // computes only its left half (the mirror overwrites the rest). Each
                            // element is the same either way, so this does not depend on threads.
                            int width = lower && columns > half && j0 + half >= i0 + rows ? half : columns;
                            if (width > half)
                            {
                                if (rows == mr && width == nr)
                                {
                                    TKernel.Run(kc, panelA, panelB, alpha, beta, cTile, ldc);
                                }
                                else
                                {
                                    TKernel.Run(kc, panelA, panelB, alpha, T.Zero, tile, nr);
                                    CopyEdgeTile<T, TKernel>(tile, nr, rows, width, beta, cTile, ldc);
                                }
                            }
                            else if (rows == mr && width == half)
                            {
                                TKernel.RunNarrow(kc, panelA, panelB, alpha, beta, cTile, ldc);
                            }
                            else
                            {
                                TKernel.RunNarrow(kc, panelA, panelB, alpha, T.Zero, tile, nr);
                                CopyEdgeTile<T, TKernel>(tile, nr, rows, width, beta, cTile, ldc);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The step that cuts <paramref name="length"/> into the fewest blocks of at most
    /// <paramref name="maximum"/> (a multiple of <paramref name="align"/>), as equal as alignment allows.
    /// </summary>
    private static int BalancedStep(int length, int maximum, int align)
    {
        int blockCount = (length + maximum - 1) / maximum;
        int step = (length + blockCount - 1) / blockCount;
        return Math.Min(maximum, (step + align - 1) / align * align);
    }

    /// <summary>
    /// <see cref="CopyEdgeTile{T, TKernel}"/> for fused kernels and rows of at least one vector: whole
    /// vectors, then one last vector overlapping the previous one (TensorPrimitives' tail). The last
    /// vector of C is loaded before any store, so beta scales the original values only once. In
    /// 1000×20×20 every tile is an edge tile, and the scalar copy cost as much as the micro-kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyEdgeTileVector<T>(T* tile, int nr, int rows, int columns, T beta, bool betaZero, T* c, nint ldc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        int last = columns - w;
        Vector256<T> vb = Vector256.Create(beta);
        for (int r = 0; r < rows; r++)
        {
            T* source = tile + ((nint)r * nr);
            T* destination = c + ((nint)r * ldc);
            if (betaZero)
            {
                for (int j = 0; j < last; j += w)
                {
                    Vector256.Load(source + j).Store(destination + j);
                }

                Vector256.Load(source + last).Store(destination + last);
            }
            else
            {
                Vector256<T> lastOld = Vector256.Load(destination + last);
                for (int j = 0; j < last; j += w)
                {
                    Fma.MultiplyAdd(vb, Vector256.Load(destination + j), Vector256.Load(source + j)).Store(destination + j);
                }

                Fma.MultiplyAdd(vb, lastOld, Vector256.Load(source + last)).Store(destination + last);
            }
        }
    }

    /// <summary>Writes the valid rows×columns of a stack tile (already scaled by alpha) into C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyEdgeTile<T, TKernel>(T* tile, int nr, int rows, int columns, T beta, T* c, nint ldc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TKernel : struct, IGemmMicroKernel<T>
    {
        bool betaZero = T.IsZero(beta);
        if (TKernel.FusedUpdate && Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported
            && columns >= Vector256<T>.Count)
        {
            CopyEdgeTileVector(tile, nr, rows, columns, beta, betaZero, c, ldc);
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            T* source = tile + ((nint)r * nr);
            T* destination = c + ((nint)r * ldc);
            if (betaZero)
            {
                for (int j = 0; j < columns; j++)
                {
                    destination[j] = source[j];
                }
            }
            else
            {
                for (int j = 0; j < columns; j++)
                {
                    destination[j] = TKernel.Update(source[j], beta, destination[j]);
                }
            }
        }
    }
}

/// <summary>A validated, pinned GEMM problem, shared by the threads that run its parts.</summary>
internal unsafe struct GemmProblem<T>
    where T : unmanaged
{
    public T* A;
    public nint Lda;
    public bool TransposeA;
    public T* B;
    public nint Ldb;
    public bool TransposeB;
    public T* C;
    public nint Ldc;
    public int M;
    public int N;
    public int K;
    public T Alpha;
    public T Beta;
    public KernelPath Path;
    public bool LowerTriangleOnly;
}
