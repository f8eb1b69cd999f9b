using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Optimizers;

/// <summary>
/// The one-thread Cholesky layer loop factors every layer's covariances interleaved: its
/// directions and factors must be those of each layer's own <see cref="LayerCurvature{T}.CholeskyDirection"/>
/// on the same statistics, bit for bit, with frozen layers, both damping forms, K &gt; 1 and
/// layers wider than the interleaved block (factored alone), on every kernel path.
/// </summary>
public sealed class InterleavedDirectionsTests
{
    [Theory, Combinations]
    public void Directions_EqualLayerByLayer_BitForBit(KernelPath path)
    {
        Check<float>(path, [32, 32, 32, 32, 32], rows: 32, new NaturalGradientOptions { Seed = 3 });
        Check<double>(path, [32, 32, 32, 32, 32], rows: 32, new NaturalGradientOptions { Seed = 3 });
        Check<double>(path, [5, 17, 64, 9], rows: 70,
            new NaturalGradientOptions { Seed = 4, SampleCount = 2, DampingForm = DampingForm.Factored, FrozenLayers = [1] });
        Check<float>(path, [7, 70, 3], rows: 90, new NaturalGradientOptions { Seed = 5, DampingForm = DampingForm.Factored });
    }

    private static void Check<T>(KernelPath path, int[] widths, int rows, NaturalGradientOptions options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var context = new KernelContext(1, path);
        var network = new Network<T>(new NetworkOptions { Widths = widths, HiddenActivation = Activation.Tanh, Bias = true, Seed = 8 }, context);
        var optimizer = new NaturalGradientOptimizer<T>(network, options);
        T[,] inputs = Convert<T>(Gaussian(rows, widths[0], 1, 0.7));
        T[,] targets = Convert<T>(Gaussian(rows, widths[^1], 2, 0.7));
        optimizer.Step(new ReadOnlySpan2D<T>(inputs), new ReadOnlySpan2D<T>(targets));
        optimizer.ComputeDirections(new ReadOnlySpan2D<T>(inputs), new ReadOnlySpan2D<T>(targets));

        NetworkWorkspace<T> workspace = optimizer.Workspace!;
        T damping = T.CreateChecked(Math.Sqrt(optimizer.Damping));
        int samples = rows * options.SampleCount;
        int checkedLayers = 0;
        for (int l = 0; l < network.LayerCount; l++)
        {
            if (options.FrozenLayers?.Contains(l) == true)
            {
                continue;
            }

            LayerCurvature<T> actual = optimizer.Curvature(l);
            Assert.False(actual.InputInSampleSpace || actual.ErrorInSampleSpace, "the case must be in covariance space on both sides");
            var expected = new LayerCurvature<T>(actual.OutputWidth, actual.InputWidth, CurvatureInverse.Cholesky);
            ReadOnlySpan2D<T> x = workspace.Activations[l].ReadOnlySpan.Slice(0, 0, rows, actual.InputWidth);
            ReadOnlySpan2D<T> e = workspace.Errors[l].ReadOnlySpan.Slice(rows, 0, samples, actual.OutputWidth);
            (T inputDamping, T errorDamping) = expected.SideDamping(x, e, damping, options.DampingForm);
            Assert.True(expected.CholeskyDirection(x, e, workspace.Gradients[l].ReadOnlySpan, inputDamping, errorDamping,
                options.SampleSpace, context, out _));
            string label = $"{typeof(T).Name} {path} widths [{string.Join(',', widths)}] layer {l}";
            AssertSameBits(expected.Direction.AsSpan(), actual.Direction.AsSpan(), label + " direction");
            AssertSameBits(expected.InputFactor.AsSpan(), actual.InputFactor.AsSpan(), label + " input factor");
            AssertSameBits(expected.ErrorFactor.AsSpan(), actual.ErrorFactor.AsSpan(), label + " error factor");
            checkedLayers++;
        }

        Assert.True(checkedLayers > 0);
    }

    private static void AssertSameBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string label)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].Equals(actual[i]), $"{label}: element {i} is {actual[i]}, layer by layer {expected[i]}");
        }
    }
}
