using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;
using NgdKernel.Networks;

namespace NgdKernel.Perf.Cases;

/// <summary>Deterministic training data for a step benchmark.</summary>
public static class StepData
{
    /// <summary>
    /// Inputs N(0, 1) (MNIST: uniform [0, 1] pixels, with targets = inputs as in the autoencoder);
    /// otherwise targets from a teacher of the same architecture (seed 2), as in Fig. 1A-C.
    /// </summary>
    public static (Matrix<T> Inputs, Matrix<T> Targets) Create<T>(Architecture architecture, int batch, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var inputs = new Matrix<T>(batch, architecture.Widths[0]);
        var targets = new Matrix<T>(batch, architecture.Widths[^1]);
        var random = new Xoshiro256(3);
        if (architecture.Name == "mnist")
        {
            Span<T> values = inputs.AsSpan();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = T.CreateTruncating(random.NextDouble());
            }

            inputs.CopyTo(targets);
        }
        else
        {
            random.FillGaussian(inputs.AsSpan(), T.Zero, T.One);
            var teacher = new Network<T>(architecture.Options(seed: 2), context);
            NetworkWorkspace<T> workspace = teacher.CreateWorkspace(batch);
            ReadOnlySpan2D<T> output = teacher.Forward(inputs.ReadOnlySpan, workspace);
            output.CopyTo(targets.Span);
        }

        return (inputs, targets);
    }
}
