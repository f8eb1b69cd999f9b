using NgdKernel.Kernels;

namespace NgdKernel.Benchmarks.Harness;

/// <summary>
/// A GEMM case <c>C[M, N] = op(A)[M, K] op(B)[K, N]</c>; shown as <c>NT:1000x784x400</c>
/// (ops, then M x K x N: a batch of 1000 rows of width 784 into a layer of width 400).
/// </summary>
/// <param name="OpA">Whether A is stored transposed ([K, M]).</param>
/// <param name="OpB">Whether B is stored transposed ([N, K]).</param>
/// <param name="M">Rows of C.</param>
/// <param name="K">Inner dimension.</param>
/// <param name="N">Columns of C.</param>
public sealed record GemmShape(MatrixOp OpA, MatrixOp OpB, int M, int K, int N) : IFlopCount
{
    /// <inheritdoc/>
    public double Flops => 2.0 * M * N * K;

    /// <summary>Rows of A as stored.</summary>
    public int RowsA => OpA == MatrixOp.None ? M : K;

    /// <summary>Columns of A as stored (its leading dimension).</summary>
    public int ColumnsA => OpA == MatrixOp.None ? K : M;

    /// <summary>Rows of B as stored.</summary>
    public int RowsB => OpB == MatrixOp.None ? K : N;

    /// <summary>Columns of B as stored (its leading dimension).</summary>
    public int ColumnsB => OpB == MatrixOp.None ? N : K;

    /// <summary>The two ops as BLAS letters, e.g. <c>NT</c>.</summary>
    public string Ops => $"{Letter(OpA)}{Letter(OpB)}";

    /// <summary>
    /// Square NN at 64..1024, then the MNIST trainer's layers (784-400-200-100-50 and the paper's
    /// width-20 linear layers) at batch 1000: forward <c>X W^T</c> (NT), the headline NN form,
    /// backward <c>E W</c> (NN, input width out) and the gradient <c>E^T X</c> (TN).
    /// </summary>
    public static IEnumerable<GemmShape> All()
    {
        foreach (int n in (int[])[64, 128, 256, 512, 1024])
        {
            yield return new(MatrixOp.None, MatrixOp.None, n, n, n);
        }

        foreach ((int input, int output) in ((int, int)[])[(784, 400), (400, 200), (100, 50), (20, 20)])
        {
            yield return new(MatrixOp.None, MatrixOp.None, 1000, input, output);
        }

        // Backprop forms of the two largest layers: forward X W^T, error E W, gradient E^T X.
        foreach ((int input, int output) in ((int, int)[])[(784, 400), (400, 200)])
        {
            yield return new(MatrixOp.None, MatrixOp.Transpose, 1000, input, output);
            yield return new(MatrixOp.None, MatrixOp.None, 1000, output, input);
            yield return new(MatrixOp.Transpose, MatrixOp.None, output, 1000, input);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Ops}:{M}x{K}x{N}";

    private static char Letter(MatrixOp op) => op == MatrixOp.None ? 'N' : 'T';
}

/// <summary>A covariance case <c>C[n, n] = A^T A</c> with A [rows, n]; shown as <c>1000x785</c>.</summary>
/// <param name="Rows">Rows of A (the batch).</param>
/// <param name="Columns">Columns of A (n, the layer width plus bias).</param>
public sealed record SyrkShape(int Rows, int Columns) : IFlopCount
{
    /// <inheritdoc/>
    public double Flops => (double)Columns * (Columns + 1) * Rows;

    /// <summary>The trainer's two largest covariances, 784 + 1 and 400 + 1 wide, over a batch of 1000.</summary>
    public static IEnumerable<SyrkShape> All() => [new(1000, 785), new(1000, 401)];

    /// <inheritdoc/>
    public override string ToString() => $"{Rows}x{Columns}";
}

/// <summary>
/// Cholesky of an n x n SPD matrix plus the two-sided solve <c>G = A^-1 G A^-1</c> for G [n, n]
/// (the NGD update's shape with equal sides); shown as <c>n</c>.
/// </summary>
/// <param name="N">Order.</param>
public sealed record CholeskyShape(int N) : IFlopCount
{
    /// <summary>Factor n^3/3, each of the two solves 2 n^3 (two triangular solves with n right-hand sides).</summary>
    public double Flops => ((double)N * N * N / 3) + (4.0 * N * N * N);

    /// <summary>The paper's layer widths: 20 (linear networks) up to 785 (MNIST input plus bias).</summary>
    public static IEnumerable<CholeskyShape> All() => [new(20), new(100), new(200), new(400), new(785)];

    /// <inheritdoc/>
    public override string ToString() => $"{N}";
}
