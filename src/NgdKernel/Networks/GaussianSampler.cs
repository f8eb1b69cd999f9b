using System.Numerics;
using System.Numerics.Tensors;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;

namespace NgdKernel.Networks;

/// <summary>
/// Standard normal draws for the sampled backward passes (paper Eq. 20, <c>y ~ N(x_L, SigmaT)</c>),
/// by Box-Muller on blocks: the uniforms come from the generator one by one, the logarithm, square
/// root, sine and cosine run as whole-block vector operations in the element type.
/// </summary>
/// <remarks>
/// <para><see cref="Xoshiro256.FillGaussian{T}"/> evaluates <c>ln</c>, <c>sqrt</c>, <c>cos</c> and
/// <c>sin</c> per pair in scalar double: about 25 ns a value, 12 ms of the MNIST autoencoder's
/// 784 x 1000 output draws per step, more than a tenth of the whole NGD step. Here a value costs a
/// few nanoseconds.</para>
/// <para>Each pair <c>(u1, u2)</c> gives <c>r = sqrt(-2 ln u1)</c> with <c>u1</c> in <c>(0, 1]</c> and
/// the two values <c>r sin(2 pi u2)</c>, <c>r cos(2 pi u2)</c>, independent N(0, 1). A block of
/// <c>p</c> pairs fills <c>2p</c> consecutive destination values (row-major, across rows): first the
/// <c>p</c> sines, then the <c>p</c> cosines; i.i.d. draws make any order valid. For float, one
/// 64-bit word gives both 24-bit uniforms of a pair (the tail is cut at <c>sqrt(2 ln 2^24)</c> = 5.8
/// sigma, probability 2e-8); for double, each uniform takes a word's top 53 bits. The generator's
/// state after a call depends only on the number of values, so a saved state replays exactly.</para>
/// </remarks>
internal static class GaussianSampler
{
    /// <summary>Pairs per block; the scratch holds four blocks.</summary>
    public const int BlockPairs = 256;

    /// <summary>Length of the scratch <see cref="Fill{T}"/> needs.</summary>
    public const int ScratchLength = 4 * BlockPairs;

    /// <summary>Fills <paramref name="destination"/> with N(0, <paramref name="standardDeviation"/>^2) draws.</summary>
    public static void Fill<T>(ref Xoshiro256 rng, Span2D<T> destination, T standardDeviation, Span<T> scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int width = destination.Width;
        long remaining = (long)destination.Height * width;
        if (remaining == 0)
        {
            return;
        }

        Span<T> radius = scratch[..BlockPairs];
        Span<T> angle = scratch.Slice(BlockPairs, BlockPairs);
        Span<T> values = scratch.Slice(2 * BlockPairs, 2 * BlockPairs);
        T minusTwoVariance = T.CreateChecked(-2) * standardDeviation * standardDeviation;
        T twoPi = T.CreateChecked(2 * Math.PI);
        int row = 0;
        int column = 0;
        Xoshiro256 local = rng; // a local copy keeps the state in registers through the loop
        while (remaining > 0)
        {
            int pairs = (int)Math.Min(BlockPairs, (remaining + 1) / 2);
            Span<T> u1 = radius[..pairs];
            Span<T> u2 = angle[..pairs];
            Uniforms(ref local, u1, u2);

            // r = sd sqrt(-2 ln u1); u1 = 1 gives r = 0, never ln 0.
            TensorPrimitives.Log<T>(u1, u1);
            TensorPrimitives.Multiply<T>(u1, minusTwoVariance, u1);
            TensorPrimitives.Sqrt<T>(u1, u1);
            TensorPrimitives.Multiply<T>(u2, twoPi, u2);

            // Separate Sin and Cos: both vectorize, SinCos does not (System.Numerics.Tensors 11).
            Span<T> sines = values[..pairs];
            Span<T> cosines = values.Slice(pairs, pairs);
            TensorPrimitives.Sin<T>(u2, sines);
            TensorPrimitives.Cos<T>(u2, cosines);
            TensorPrimitives.Multiply<T>(sines, u1, sines);
            TensorPrimitives.Multiply<T>(cosines, u1, cosines);

            int count = (int)Math.Min(2L * pairs, remaining);
            ReadOnlySpan<T> source = values[..count];
            while (!source.IsEmpty)
            {
                Span<T> target = destination.GetRowSpan(row)[column..];
                int n = Math.Min(target.Length, source.Length);
                source[..n].CopyTo(target);
                source = source[n..];
                column += n;
                if (column == width)
                {
                    column = 0;
                    row++;
                }
            }

            remaining -= count;
        }

        rng = local;
    }

    private static void Uniforms<T>(ref Xoshiro256 rng, Span<T> u1, Span<T> u2)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            const float scale = 1.0f / (1 << 24);
            for (int i = 0; i < u1.Length; i++)
            {
                ulong bits = rng.NextUInt64();
                u1[i] = T.CreateTruncating(1.0f - ((int)(bits >> 40) * scale)); // (0, 1], exact in float
                u2[i] = T.CreateTruncating((int)((bits >> 16) & 0xFFFFFF) * scale);
            }
        }
        else
        {
            const double scale = 1.0 / (1UL << 53);
            for (int i = 0; i < u1.Length; i++)
            {
                u1[i] = T.CreateTruncating(1.0 - ((rng.NextUInt64() >> 11) * scale));
                u2[i] = T.CreateTruncating((rng.NextUInt64() >> 11) * scale);
            }
        }
    }
}
