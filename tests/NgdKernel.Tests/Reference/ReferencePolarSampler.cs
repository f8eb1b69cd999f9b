using NgdKernel.Kernels.Internals;

namespace NgdKernel.Tests.Reference;

/// <summary>
/// Marsaglia's polar method one pair at a time, each pair transformed as soon as it is accepted:
/// the plain loop that the batched <c>NgdKernel.Networks.GaussianSampler</c> must reproduce bit
/// for bit (same generator words, same expressions). The logarithm is the scalar one of
/// <c>PolarTransform</c>, tested on its own against <see cref="Math.Log(double)"/>.
/// </summary>
internal static class ReferencePolarSampler
{
    private const float FloatScale = 2f / (1 << 24);

    public static void Fill<T>(ref Xoshiro256 rng, Span2D<T> destination, T standardDeviation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const double scale = 2.0 / (1UL << 53); // 53-bit uniforms on [-1, 1)
        Xoshiro256 local = rng; // a local copy keeps the state in registers through the loop
        bool pending = false;
        T spare = T.Zero;
        for (int r = 0; r < destination.Height; r++)
        {
            Span<T> row = destination.GetRowSpan(r);
            int c = 0;
            if (pending && row.Length > 0)
            {
                row[c++] = spare;
                pending = false;
            }

            while (c < row.Length)
            {
                T first, second;
                if (typeof(T) == typeof(float))
                {
                    // One word gives both 24-bit uniforms.
                    float f1, f2, fs;
                    do
                    {
                        ulong bits = local.NextUInt64();
                        f1 = ((int)(bits >> 40) * FloatScale) - 1f;
                        f2 = ((int)((bits >> 16) & 0xFFFFFF) * FloatScale) - 1f;
                        fs = (f1 * f1) + (f2 * f2);
                    }
                    while (fs >= 1f || fs == 0f);

                    float factor = MathF.Sqrt(PolarTransform.Log(fs) * -2f / fs) * float.CreateTruncating(standardDeviation);
                    first = T.CreateTruncating(f1 * factor);
                    second = T.CreateTruncating(f2 * factor);
                }
                else
                {
                    double v1, v2, s;
                    do
                    {
                        v1 = ((local.NextUInt64() >> 11) * scale) - 1.0;
                        v2 = ((local.NextUInt64() >> 11) * scale) - 1.0;
                        s = (v1 * v1) + (v2 * v2);
                    }
                    while (s >= 1.0 || s == 0.0);

                    double factor = Math.Sqrt(PolarTransform.Log(s) * -2.0 / s) * double.CreateTruncating(standardDeviation);
                    first = T.CreateTruncating(v1 * factor);
                    second = T.CreateTruncating(v2 * factor);
                }

                row[c++] = first;
                if (c < row.Length)
                {
                    row[c++] = second;
                }
                else
                {
                    spare = second;
                    pending = true;
                }
            }
        }

        rng = local;
    }
}
