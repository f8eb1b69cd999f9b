using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;

namespace NgdKernel.Tests.Reference;

/// <summary>
/// Marsaglia's polar method one pair at a time, each pair transformed as soon as it is accepted:
/// the plain loop that the batched <c>NgdKernel.Networks.GaussianSampler</c> must reproduce bit
/// for bit (same generator words, same expressions).
/// </summary>
internal static class ReferencePolarSampler
{
    private const float FloatScale = 2f / (1 << 24);

    public static void Fill<T>(ref Xoshiro256 rng, Span2D<T> destination, T standardDeviation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const double scale = 2.0 / (1UL << 53); // 53-bit uniforms on [-1, 1)
        double sd = double.CreateTruncating(standardDeviation);
        Xoshiro256 local = rng; // a local copy keeps the state in registers through the loop
        bool pending = false;
        double spare = 0;
        for (int r = 0; r < destination.Height; r++)
        {
            Span<T> row = destination.GetRowSpan(r);
            int c = 0;
            if (pending && row.Length > 0)
            {
                row[c++] = T.CreateTruncating(spare);
                pending = false;
            }

            while (c < row.Length)
            {
                double v1, v2, factor;
                if (typeof(T) == typeof(float))
                {
                    // One word gives both 24-bit uniforms, and float's logarithm is enough for float draws.
                    float f1, f2, fs;
                    do
                    {
                        ulong bits = local.NextUInt64();
                        f1 = ((int)(bits >> 40) * FloatScale) - 1f;
                        f2 = ((int)((bits >> 16) & 0xFFFFFF) * FloatScale) - 1f;
                        fs = (f1 * f1) + (f2 * f2);
                    }
                    while (fs >= 1f || fs == 0f);

                    v1 = f1;
                    v2 = f2;
                    factor = sd * MathF.Sqrt(-2f * MathF.Log(fs) / fs);
                }
                else
                {
                    double s;
                    do
                    {
                        v1 = ((local.NextUInt64() >> 11) * scale) - 1.0;
                        v2 = ((local.NextUInt64() >> 11) * scale) - 1.0;
                        s = (v1 * v1) + (v2 * v2);
                    }
                    while (s >= 1.0 || s == 0.0);

                    factor = sd * Math.Sqrt(-2.0 * Math.Log(s) / s);
                }

                row[c++] = T.CreateTruncating(v1 * factor);
                if (c < row.Length)
                {
                    row[c++] = T.CreateTruncating(v2 * factor);
                }
                else
                {
                    spare = v2 * factor;
                    pending = true;
                }
            }
        }

        rng = local;
    }
}
