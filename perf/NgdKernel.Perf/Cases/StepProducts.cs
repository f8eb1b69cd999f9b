using System.Numerics;
using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;

namespace NgdKernel.Perf.Cases;

/// <summary>
/// The matrix products of one SGD step of an architecture at batch M, back to back on random
/// data: every forward <c>X W^T</c> (NT), gradient <c>E^T X</c> (TN) and propagation <c>E W</c>
/// (NN) product. The rate of a whole NGD step is read against this one, so the cost of everything
/// that is not a GEMM shows as one number.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class StepProducts<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly KernelContext context;
    private readonly int batch;
    private readonly IReadOnlyList<int> widths;
    private readonly Matrix<T>[] activations;
    private readonly Matrix<T>[] weights;
    private readonly Matrix<T>[] gradients;

    /// <summary>Allocates the activations, weights and gradients of <paramref name="architecture"/>
    /// (with bias columns) at <paramref name="batch"/> examples.</summary>
    public StepProducts(Architecture architecture, int batch, KernelContext context)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        this.context = context;
        this.batch = batch;
        widths = architecture.Widths;
        activations = new Matrix<T>[widths.Count];
        weights = new Matrix<T>[widths.Count - 1];
        gradients = new Matrix<T>[widths.Count - 1];
        for (int l = 0; l < widths.Count; l++)
        {
            activations[l] = Filled(batch, widths[l] + (l + 1 < widths.Count ? 1 : 0), (ulong)l);
        }

        for (int l = 0; l + 1 < widths.Count; l++)
        {
            weights[l] = Filled(widths[l + 1], widths[l] + 1, (ulong)(100 + l));
            gradients[l] = new Matrix<T>(widths[l + 1], widths[l] + 1);
            double a = widths[l] + 1, b = widths[l + 1];
            Flops += (4.0 * batch * a * b) + (l > 0 ? 2.0 * batch * b * widths[l] : 0);
        }
    }

    /// <summary>Forward 2Mab and gradient 2Mab per layer, propagation 2Mbn above the first.</summary>
    public double Flops { get; }

    /// <summary>Runs every product once.</summary>
    public void Run()
    {
        for (int l = 0; l + 1 < widths.Count; l++)
        {
            Gemm.Multiply(activations[l].ReadOnlySpan, MatrixOp.None, weights[l].ReadOnlySpan, MatrixOp.Transpose,
                T.One, T.Zero, activations[l + 1].Span.Slice(0, 0, batch, widths[l + 1]), context);
        }

        for (int l = widths.Count - 2; l >= 0; l--)
        {
            var errors = activations[l + 1].ReadOnlySpan.Slice(0, 0, batch, widths[l + 1]);
            Gemm.Multiply(errors, MatrixOp.Transpose, activations[l].ReadOnlySpan, MatrixOp.None, T.One, T.Zero,
                gradients[l].Span, context);
            if (l > 0)
            {
                Gemm.Multiply(errors, MatrixOp.None, weights[l].ReadOnlySpan.Slice(0, 0, widths[l + 1], widths[l]),
                    MatrixOp.None, T.One, T.Zero, activations[l].Span.Slice(0, 0, batch, widths[l]), context);
            }
        }
    }

    private static Matrix<T> Filled(int rows, int columns, ulong seed)
    {
        var matrix = new Matrix<T>(rows, columns);
        var random = new Xoshiro256(seed);
        Span<T> values = matrix.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateTruncating((2 * random.NextDouble()) - 1);
        }

        return matrix;
    }
}
