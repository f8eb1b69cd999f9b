using System.Numerics;
using System.Runtime.InteropServices;
using NgdKernel.Kernels;

namespace NgdKernel.Ab;

// The sampled output errors of the MNIST step: Gaussian draws for 1000 x 784 outputs by the polar
// method, whose radius is computed per 128 accepted pairs. PolarTransform is public only in builds
// after 030744e: compare two such builds (a case's method is compiled only when it runs).
public static partial class Cases
{
    private const int PolarChunk = 128;

    private static IEnumerable<string> SamplerNames => ["polar float 1000x784", "polar double 1000x784"];

    /// <summary>
    /// The radii of one MNIST step's 392,000 accepted pairs, in the sampler's chunks of 128 (each chunk
    /// copied in first, the same in both builds, since the radius overwrites its argument).
    /// </summary>
    private static Action PolarRadiusCase<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int pairs = 1000 * 784 / 2;
        var random = new Random(10);
        T[] accepted = new T[pairs];
        for (int i = 0; i < pairs; i++)
        {
            // s = v1^2 + v2^2 of an accepted pair: in (0, 1), and a normal number.
            accepted[i] = T.CreateTruncating(Math.Max(random.NextDouble(), 1e-6));
        }

        T[] work = new T[PolarChunk];
        KernelPath path = KernelContext.Default.Path;
        return () =>
        {
            for (int start = 0; start < pairs; start += PolarChunk)
            {
                Span<T> chunk = work.AsSpan(0, Math.Min(PolarChunk, pairs - start));
                accepted.AsSpan(start, chunk.Length).CopyTo(chunk);
                if (typeof(T) == typeof(float))
                {
                    PolarTransform.Radius(MemoryMarshal.Cast<T, float>(chunk), 1f, path);
                }
                else
                {
                    PolarTransform.Radius(MemoryMarshal.Cast<T, double>(chunk), 1.0, path);
                }
            }
        };
    }
}
