using System.Numerics.Tensors;
using static NgdKernel.Tests.Kernels.GemmTestSupport;

namespace NgdKernel.Tests.Kernels;

/// <summary>
/// The tensor-span overloads of the kernels view their arguments in place: on strided views inside
/// guarded buffers they must give the span overloads' results bit for bit (whose accuracy the kernel
/// tests establish), touch no guard cell, allocate nothing, and reject tensors that are not
/// row-major matrices, naming the argument.
/// </summary>
[Collection(DenseKernelTestCollection.Name)]
public class TensorSpanKernelTests
{
    private static readonly int[] FactorSizes = [1, 2, 3, 7, 8, 9, 16, 17, 33, 64, 65, 129];

    public enum Kernel
    {
        Gemm,
        Syrk,
        Cholesky,
        Trsm,
        SymmetricEigen,
        ShermanMorrison,
    }

    /// <summary>
    /// GEMM and SYRK on random shapes and strides, Cholesky (factor, solves, invert), Trsm (every side,
    /// triangle and op), the eigen-decomposition and pseudo-inverse, and both Sherman-Morrison updates on
    /// the factor sizes; float and double on every path.
    /// </summary>
    [Theory, Combinations]
    public void TensorSpan_BitIdenticalToSpan(Kernel kernel, KernelPath path)
    {
        using var context = new KernelContext(kernel is Kernel.Gemm or Kernel.Syrk or Kernel.Cholesky ? 2 : 1, path);
        switch (kernel)
        {
            case Kernel.Gemm:
                ForAll(GemmCases.Gemm(maxWork: 300_000), 25, test => Both(test, context, CompareGemm<float>, CompareGemm<double>));
                break;
            case Kernel.Syrk:
                ForAll(GemmCases.Syrk(maxWork: 300_000), 25, test => Both(test, context, CompareSyrk<float>, CompareSyrk<double>));
                break;
            case Kernel.Cholesky:
                EachSize(FactorSizes, context, CompareCholesky<float>, CompareCholesky<double>);
                break;
            case Kernel.Trsm:
                EachSize(FactorSizes, context, CompareTrsm<float>, CompareTrsm<double>);
                break;
            case Kernel.SymmetricEigen:
                EachSize([1, 2, 3, 7, 16, 17, 33], context, CompareEigen<float>, CompareEigen<double>);
                break;
            default:
                EachSize(FactorSizes, context, CompareShermanMorrison<float>, CompareShermanMorrison<double>);
                break;
        }
    }

    private static void Both<TCase>(TCase test, KernelContext context, Action<TCase, KernelContext> inSingle, Action<TCase, KernelContext> inDouble)
    {
        inSingle(test, context);
        inDouble(test, context);
    }

    private static void EachSize(int[] sizes, KernelContext context, Action<int, KernelContext> inSingle, Action<int, KernelContext> inDouble)
    {
        foreach (int n in sizes)
        {
            Both(n, context, inSingle, inDouble);
        }
    }

    [Fact]
    public void TensorSpan_KernelOverloads_AllocateNothing()
    {
        const int n = 48;
        double[] a = Random(n * (n + 3), 1), b = Random(n * n, 2), c = new double[n * n];
        double[] spd = SpdBuffer(n, 3), work = new double[n * n];
        void Run()
        {
            Gemm.Multiply(
                new ReadOnlyTensorSpan<double>(a, 0, [n, n], [n + 3, 1]), MatrixOp.None,
                new ReadOnlyTensorSpan<double>(b, 0, [n, n], [n, 1]), MatrixOp.Transpose, 1.0, 0.0,
                new TensorSpan<double>(c, 0, [n, n], [n, 1]));
            Syrk.Multiply(new ReadOnlyTensorSpan<double>(a, 0, [n, n], [n + 3, 1]), MatrixOp.Transpose, 1.0, 0.0,
                new TensorSpan<double>(c, 0, [n, n], [n, 1]));
            spd.CopyTo(work, 0);
            Assert.True(Cholesky.TryFactor(new TensorSpan<double>(work, 0, [n, n], [n, 1]), 0.0, out _));
            Cholesky.SolveLeft(new ReadOnlyTensorSpan<double>(work, 0, [n, n], [n, 1]), new TensorSpan<double>(c, 0, [n, n], [n, 1]));
        }

        Run(); // first call on this thread sizes the packing workspace
        Assert.Equal(0, Allocations.Measure(Run));
    }

    [Fact]
    public void TensorSpan2D_RejectsNonMatrixViews_NamingTheArgument()
    {
        double[] data = Random(64, 4);
        double[] destination = new double[64];

        // Rank 1 and rank 3.
        AssertRejected("a", "rank 1", () => Gemm.Multiply(
            new ReadOnlyTensorSpan<double>(data.AsSpan(0, 4)), MatrixOp.None, Dense(data, 4, 4), MatrixOp.None, 1.0, 0.0, Out(destination, 4, 4)));
        AssertRejected("b", "rank 3", () => Gemm.Multiply(
            Dense(data, 2, 2), MatrixOp.None, new ReadOnlyTensorSpan<double>(data, 0, [2, 2, 2], [4, 2, 1]), MatrixOp.None, 1.0, 0.0,
            Out(destination, 2, 2)));

        // A transposed view (column stride 3): the kernels take MatrixOp.Transpose instead.
        AssertRejected("c", "column stride must be 1", () => Gemm.Multiply(
            Dense(data, 3, 3), MatrixOp.None, Dense(data, 3, 3), MatrixOp.None, 1.0, 0.0,
            new TensorSpan<double>(destination, 0, [3, 3], [1, 3])));

        // Broadcast rows (row stride 0) would make every row of the result the same memory.
        AssertRejected("c", "row stride must be at least the 3 columns", () => Syrk.Multiply(
            Dense(data, 3, 3), MatrixOp.None, 1.0, 0.0, new TensorSpan<double>(destination, 0, [3, 3], [0, 1])));

        AssertRejected("a", "rank 1", () => Cholesky.Factor(new TensorSpan<double>(destination.AsSpan(0, 9)), 0.0));
        AssertRejected("triangle", "column stride", () => Trsm.Solve(
            new ReadOnlyTensorSpan<double>(data, 0, [3, 3], [1, 3]), TrsmTriangle.Lower, MatrixOp.None, TrsmSide.Left,
            Out(destination, 3, 2)));
        AssertRejected("eigenvectors", "rank 1", () => SymmetricEigen.Decompose(
            Dense(data, 2, 2), new double[2], new TensorSpan<double>(destination.AsSpan(0, 4)), new double[SymmetricEigen.WorkspaceLength(2)]));
        AssertRejected("inverse", "rank 3", () => ShermanMorrison.TryUpdate(
            new TensorSpan<double>(destination, 0, [2, 2, 2], [4, 2, 1]), data.AsSpan(0, 2), data.AsSpan(2, 2), 1.0, new double[4], out _));
    }

    [Fact]
    public void TensorSpan2D_ViewsRowsColumnsAndEmptyShapes_WithoutCopying()
    {
        double[] data = Random(40, 5);

        // Rows of 3 taken every 7 elements from offset 2: pitch 4.
        ReadOnlySpan2D<double> view = new ReadOnlyTensorSpan<double>(data, 2, [4, 3], [7, 1]).AsReadOnlySpan2D();
        Assert.Equal((4, 3), (view.Height, view.Width));
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(in view[i, j], in data[2 + (7 * i) + j]));
            }
        }

        // A single column of a row-major [5, 8] matrix (System.Numerics.Tensors gives a dimension of
        // length 1 stride 0).
        ReadOnlySpan2D<double> column = new ReadOnlyTensorSpan<double>(data, 1, [5, 1], [8, 0]).AsReadOnlySpan2D();
        Assert.Equal(data[1 + 32], column[4, 0]);

        // A single row, with the row stride 0 that System.Numerics.Tensors gives it.
        Span2D<double> row = new TensorSpan<double>(data, 3, [1, 4], [0, 1]).AsSpan2D();
        row[0, 3] = 42;
        Assert.Equal(42, data[6]);

        Span2D<double> empty = new TensorSpan<double>(data, 0, [0, 5], [0, 0]).AsSpan2D();
        Assert.Equal((0, 5), (empty.Height, empty.Width));
    }

    private static void AssertRejected(string paramName, string fragment, Action call)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(call);
        Assert.Equal(paramName, e.ParamName);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{paramName}' has lengths [", e.Message, StringComparison.Ordinal);
    }

    private static ReadOnlyTensorSpan<double> Dense(double[] data, int rows, int columns) => new(data, 0, [rows, columns], [columns, 1]);

    private static TensorSpan<double> Out(double[] data, int rows, int columns) => new(data, 0, [rows, columns], [columns, 1]);

    private static double[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (random.NextDouble() * 2) - 1;
        }

        return values;
    }

    private static double[] SpdBuffer(int n, int seed)
    {
        double[,] spd = SpdGenerators.Spd(n, 100, new Random(seed));
        var values = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                values[(i * n) + j] = spd[i, j];
            }
        }

        return values;
    }

    private static StridedBuffer<T> From<T>(ViewLayout layout)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        StridedBuffer<T>.Create(layout.Rows, layout.Columns, layout.Pitch, layout.Offset, layout.Seed);

    private static void CompareGemm<T>(GemmCase test, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        StridedBuffer<T> a = From<T>(test.A), b = From<T>(test.B), spanC = From<T>(test.C), tensorC = spanC.Clone();
        T alpha = T.CreateTruncating(test.Alpha), beta = T.CreateTruncating(test.Beta);
        Gemm.Multiply(a.Span, test.OpA, b.Span, test.OpB, alpha, beta, spanC.Span, context);
        Gemm.Multiply(a.ReadOnlyTensor, test.OpA, b.ReadOnlyTensor, test.OpB, alpha, beta, tensorC.Tensor, context);
        tensorC.AssertBitIdentical(spanC, $"GEMM {test}");
    }

    private static void CompareSyrk<T>(SyrkCase test, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        StridedBuffer<T> a = From<T>(test.A), spanC = From<T>(test.C), tensorC = spanC.Clone();
        T alpha = T.CreateTruncating(test.Alpha), beta = T.CreateTruncating(test.Beta);
        Syrk.Multiply(a.Span, test.Op, alpha, beta, spanC.Span, context);
        Syrk.Multiply(a.ReadOnlyTensor, test.Op, alpha, beta, tensorC.Tensor, context);
        tensorC.AssertBitIdentical(spanC, $"SYRK {test}");
    }

    private static void CompareCholesky<T>(int n, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double[,] spd = SpdGenerators.Spd(n, 1e3, new Random(n));
        StridedBuffer<T> spanA = StridedBuffer<T>.Create(n, n, n % 3, 1, 0, spd), tensorA = spanA.Clone();
        T damping = T.CreateTruncating(0.25);
        Assert.Equal(
            Cholesky.TryFactor(spanA.Span, damping, out CholeskyFailure spanFailure, context),
            Cholesky.TryFactor(tensorA.Tensor, damping, out CholeskyFailure tensorFailure, context));
        Assert.Equal(spanFailure, tensorFailure);
        tensorA.AssertBitIdentical(spanA, $"TryFactor n={n}");

        StridedBuffer<T> spanLeft = StridedBuffer<T>.Create(n, 5, 2, 3, n), tensorLeft = spanLeft.Clone();
        Cholesky.SolveLeft(spanA.Span, spanLeft.Span, context);
        Cholesky.SolveLeft(tensorA.ReadOnlyTensor, tensorLeft.Tensor, context);
        tensorLeft.AssertBitIdentical(spanLeft, $"SolveLeft n={n}");

        StridedBuffer<T> spanRight = StridedBuffer<T>.Create(6, n, 1, 0, n + 1), tensorRight = spanRight.Clone();
        Cholesky.SolveRight(spanA.Span, spanRight.Span, context);
        Cholesky.SolveRight(tensorA.ReadOnlyTensor, tensorRight.Tensor, context);
        tensorRight.AssertBitIdentical(spanRight, $"SolveRight n={n}");

        Cholesky.Invert(spanA.Span, context);
        Cholesky.Invert(tensorA.Tensor, context);
        tensorA.AssertBitIdentical(spanA, $"Invert n={n}");

        StridedBuffer<T> spanB = StridedBuffer<T>.Create(n, n, 0, 2, 0, spd), tensorB = spanB.Clone();
        Cholesky.Factor(spanB.Span, damping, context);
        Cholesky.Factor(tensorB.Tensor, damping, context);
        tensorB.AssertBitIdentical(spanB, $"Factor n={n}");
    }

    private static void CompareTrsm<T>(int n, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Diagonally dominant, so both triangles are well conditioned.
        double[,] values = new double[n, n];
        var random = new Random(n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                values[i, j] = i == j ? n + 1 : (random.NextDouble() * 2) - 1;
            }
        }

        StridedBuffer<T> triangle = StridedBuffer<T>.Create(n, n, 1, 2, 0, values);
        foreach (TrsmSide side in (TrsmSide[])[TrsmSide.Left, TrsmSide.Right])
        {
            foreach (TrsmTriangle part in (TrsmTriangle[])[TrsmTriangle.Lower, TrsmTriangle.Upper])
            {
                foreach (MatrixOp op in (MatrixOp[])[MatrixOp.None, MatrixOp.Transpose])
                {
                    StridedBuffer<T> spanB = side == TrsmSide.Left
                        ? StridedBuffer<T>.Create(n, 4, 3, 1, n)
                        : StridedBuffer<T>.Create(4, n, 0, 1, n);
                    StridedBuffer<T> tensorB = spanB.Clone();
                    Trsm.Solve(triangle.Span, part, op, side, spanB.Span, context);
                    Trsm.Solve(triangle.ReadOnlyTensor, part, op, side, tensorB.Tensor, context);
                    tensorB.AssertBitIdentical(spanB, $"Trsm n={n} {side} {part} {op}");
                }
            }
        }
    }

    private static void CompareEigen<T>(int n, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double[,] psd = SpdGenerators.Psd(n, Math.Max(1, n / 2), 1e3, new Random(n));
        StridedBuffer<T> a = StridedBuffer<T>.Create(n, n, 2, 1, 0, psd);
        var workspace = new T[SymmetricEigen.WorkspaceLength(n)];
        T[] spanValues = new T[n], tensorValues = new T[n];
        StridedBuffer<T> spanVectors = StridedBuffer<T>.Create(n, n, 1, 0, 0), tensorVectors = spanVectors.Clone();
        SymmetricEigen.Decompose(a.Span, spanValues, spanVectors.Span, workspace, context);
        SymmetricEigen.Decompose(a.ReadOnlyTensor, tensorValues, tensorVectors.Tensor, workspace, context);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.AsBytes(spanValues.AsSpan())
            .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensorValues.AsSpan())), $"eigenvalues n={n}");
        tensorVectors.AssertBitIdentical(spanVectors, $"eigenvectors n={n}");

        T cutoff = T.CreateTruncating(1e-5);
        StridedBuffer<T> spanPinv = StridedBuffer<T>.Create(n, n, 0, 3, 0), tensorPinv = spanPinv.Clone();
        Assert.Equal(
            SymmetricEigen.PseudoInverse(a.Span, cutoff, spanPinv.Span, workspace, context),
            SymmetricEigen.PseudoInverse(a.ReadOnlyTensor, cutoff, tensorPinv.Tensor, workspace, context));
        tensorPinv.AssertBitIdentical(spanPinv, $"PseudoInverse n={n}");
    }

    private static void CompareShermanMorrison<T>(int n, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double[,] spd = SpdGenerators.Spd(n, 10, new Random(n));
        T[] u = StridedBuffer<T>.Create(1, n, 0, 0, n).Span.GetRowSpan(0).ToArray();
        T[] v = StridedBuffer<T>.Create(1, n, 0, 0, n + 1).Span.GetRowSpan(0).ToArray();
        var workspace = new T[2 * n];
        StridedBuffer<T> spanInverse = StridedBuffer<T>.Create(n, n, 1, 1, 0, spd), tensorInverse = spanInverse.Clone();
        T scale = T.CreateTruncating(0.5);
        Assert.Equal(
            ShermanMorrison.TryUpdate(spanInverse.Span, u, v, scale, workspace, out T spanDenominator, context),
            ShermanMorrison.TryUpdate(tensorInverse.Tensor, u, v, scale, workspace, out T tensorDenominator, context));
        Assert.Equal(spanDenominator, tensorDenominator);
        tensorInverse.AssertBitIdentical(spanInverse, $"TryUpdate n={n}");

        T beta = T.CreateTruncating(0.9);
        Assert.Equal(
            ShermanMorrison.TryUpdateMovingAverage(spanInverse.Span, u, beta, workspace, out spanDenominator, context),
            ShermanMorrison.TryUpdateMovingAverage(tensorInverse.Tensor, u, beta, workspace, out tensorDenominator, context));
        Assert.Equal(spanDenominator, tensorDenominator);
        tensorInverse.AssertBitIdentical(spanInverse, $"TryUpdateMovingAverage n={n}");
    }
}
