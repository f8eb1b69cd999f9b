using System.Numerics;
using NgdKernel.Kernels;

namespace NgdKernel.Perf.Cases;

/// <summary>A kernel case's parameters: its flop count, thread count and operands.</summary>
public interface IKernelShape : IFlopCount, IThreadCount
{
    /// <summary>Allocates and fills the operands of this case in <typeparamref name="T"/>.</summary>
    IKernelCase CreateCase<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary>A kernel shape type that lists the cases of the BenchmarkDotNet suite.</summary>
/// <typeparam name="TSelf">The shape type.</typeparam>
public interface IKernelShape<TSelf> : IKernelShape
    where TSelf : IKernelShape<TSelf>
{
    /// <summary>Every case of the BenchmarkDotNet suite.</summary>
    static abstract IEnumerable<TSelf> All();
}

/// <summary>
/// A GEMM case <c>C[M, N] = op(A)[M, K] op(B)[K, N]</c> on <see cref="Threads"/> threads; shown
/// as <c>NT:1000x784x400 t1</c> (ops, then M x K x N: a batch of 1000 rows of width 784 into a
/// layer of width 400, then the thread count).
/// </summary>
/// <param name="OpA">Whether A is stored transposed ([K, M]).</param>
/// <param name="OpB">Whether B is stored transposed ([N, K]).</param>
/// <param name="M">Rows of C.</param>
/// <param name="K">Inner dimension.</param>
/// <param name="N">Columns of C.</param>
/// <param name="Threads">Threads for both libraries.</param>
public sealed record GemmShape(MatrixOp OpA, MatrixOp OpB, int M, int K, int N, int Threads = 1) : IKernelShape<GemmShape>
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
    /// Small squares (20..100, the paper's linear networks, where call overhead counts; NT and TN
    /// at 20 too) and NN at 256..1024, then the MNIST trainer's layers (784-400-200-100-50 and the
    /// paper's width-20 linear layers) at batch 1000: forward <c>X W^T</c> (NT), the headline NN
    /// form, backward <c>E W</c> (NN, input width out) and the gradient <c>E^T X</c> (TN); all on
    /// one thread, and the sizes where a second thread can pay (n &gt;= 256, the 784-400 layer) on
    /// two. The list is cut to what keeps the whole suite near 15 minutes (64³ and 128³ gave way
    /// to the small squares).
    /// </summary>
    public static IEnumerable<GemmShape> All()
    {
        foreach ((MatrixOp opA, MatrixOp opB, int n) in ((MatrixOp, MatrixOp, int)[])
            [
                (MatrixOp.None, MatrixOp.None, 20), (MatrixOp.None, MatrixOp.Transpose, 20),
                (MatrixOp.Transpose, MatrixOp.None, 20), (MatrixOp.None, MatrixOp.None, 32),
                (MatrixOp.None, MatrixOp.None, 50), (MatrixOp.None, MatrixOp.None, 100),
            ])
        {
            yield return new(opA, opB, n, n, n);
        }

        foreach (int threads in (int[])[1, 2])
        {
            foreach (int n in (int[])[256, 512, 1024])
            {
                yield return new(MatrixOp.None, MatrixOp.None, n, n, n, threads);
            }

            foreach ((int input, int output) in ((int, int)[])[(784, 400), (400, 200), (100, 50), (20, 20)])
            {
                if (threads == 1 || input == 784)
                {
                    yield return new(MatrixOp.None, MatrixOp.None, 1000, input, output, threads);
                }
            }

            // Backprop forms: forward X W^T, error E W, gradient E^T X.
            foreach ((int input, int output) in ((int, int)[])[(784, 400), (400, 200)])
            {
                if (threads == 1 || input == 784)
                {
                    yield return new(MatrixOp.None, MatrixOp.Transpose, 1000, input, output, threads);
                    yield return new(MatrixOp.None, MatrixOp.None, 1000, output, input, threads);
                    yield return new(MatrixOp.Transpose, MatrixOp.None, output, 1000, input, threads);
                }
            }
        }
    }

    /// <summary>
    /// The quick list of <c>ngd bench</c>: square 256 and 512, the MNIST layer 784 -> 400 at batch
    /// 1000 in its three backprop forms, the next two layers, the paper's width-20 layer, and small
    /// squares (20..100, the paper's linear networks, where call overhead counts).
    /// </summary>
    public static IEnumerable<GemmShape> Quick(int threads)
    {
        const MatrixOp No = MatrixOp.None, Tr = MatrixOp.Transpose;
        foreach ((MatrixOp opA, MatrixOp opB, int m, int k, int n) in ((MatrixOp, MatrixOp, int, int, int)[])
            [
                (No, No, 256, 256, 256), (No, No, 512, 512, 512),
                (No, No, 1000, 784, 400), (No, Tr, 1000, 784, 400), (Tr, No, 400, 1000, 784),
                (No, No, 1000, 400, 200), (No, No, 1000, 100, 50), (No, No, 1000, 20, 20),
                (No, No, 20, 20, 20), (No, Tr, 20, 20, 20), (Tr, No, 20, 20, 20),
                (No, No, 32, 32, 32), (No, No, 50, 50, 50), (No, No, 100, 100, 100),
            ])
        {
            yield return new(opA, opB, m, k, n, threads);
        }
    }

    /// <inheritdoc/>
    public IKernelCase CreateCase<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new GemmCase<T>(this);

    /// <inheritdoc/>
    public override string ToString() => $"{Ops}:{M}x{K}x{N} t{Threads}";

    private static char Letter(MatrixOp op) => op == MatrixOp.None ? 'N' : 'T';
}

/// <summary>A covariance case <c>C[n, n] = A^T A</c> with A [rows, n]; shown as <c>1000x785 t1</c>.</summary>
/// <param name="Rows">Rows of A (the batch).</param>
/// <param name="Columns">Columns of A (n, the layer width plus bias).</param>
/// <param name="Threads">Threads for both libraries.</param>
public sealed record SyrkShape(int Rows, int Columns, int Threads = 1) : IKernelShape<SyrkShape>
{
    /// <inheritdoc/>
    public double Flops => (double)Columns * (Columns + 1) * Rows;

    /// <summary>The trainer's two largest covariances, 784 + 1 and 400 + 1 wide, over a batch of 1000.</summary>
    public static IEnumerable<SyrkShape> All() =>
        [new(1000, 785), new(1000, 401), new(1000, 785, 2), new(1000, 401, 2)];

    /// <summary>The quick list of <c>ngd bench</c>: the two covariances on <paramref name="threads"/> threads.</summary>
    public static IEnumerable<SyrkShape> Quick(int threads) => [new(1000, 785, threads), new(1000, 401, threads)];

    /// <inheritdoc/>
    public IKernelCase CreateCase<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new SyrkCase<T>(this);

    /// <inheritdoc/>
    public override string ToString() => $"{Rows}x{Columns} t{Threads}";
}

/// <summary>
/// Cholesky of an n x n SPD matrix plus the two-sided solve <c>G = A^-1 G A^-1</c> for G [n, n]
/// (the NGD update's shape with equal sides); shown as <c>785 t1</c>.
/// </summary>
/// <param name="N">Order.</param>
/// <param name="Threads">Threads for both libraries.</param>
public sealed record CholeskyShape(int N, int Threads = 1) : IKernelShape<CholeskyShape>
{
    /// <summary>Factor n^3/3, each of the two solves 2 n^3 (two triangular solves with n right-hand sides).</summary>
    public double Flops => ((double)N * N * N / 3) + (4.0 * N * N * N);

    /// <summary>The paper's layer widths, 20 (linear networks) up to 785 (MNIST input plus bias), and
    /// 33 (a width-32 layer plus bias, the latency case), on one thread; 100, 400 and 785 also on two.</summary>
    public static IEnumerable<CholeskyShape> All() =>
        [new(20), new(33), new(100), new(200), new(400), new(785), new(100, 2), new(400, 2), new(785, 2)];

    /// <summary>The quick list of <c>ngd bench</c>: 20 and 100 (the paper's linear widths), 33 (the
    /// latency network's width plus bias) and 785, on <paramref name="threads"/> threads.</summary>
    public static IEnumerable<CholeskyShape> Quick(int threads) =>
        [new(20, threads), new(33, threads), new(100, threads), new(785, threads)];

    /// <inheritdoc/>
    public IKernelCase CreateCase<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new CholeskyCase<T>(this);

    /// <inheritdoc/>
    public override string ToString() => $"{N} t{Threads}";
}
