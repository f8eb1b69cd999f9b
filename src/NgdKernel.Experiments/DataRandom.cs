using NgdKernel.Kernels;

namespace NgdKernel.Experiments;

/// <summary>
/// The data generator's seedable source: a <see cref="Xoshiro256"/> stream of its own, Gaussians
/// by the polar Box-Muller method in double with a cached spare (not the optimizers' sampler), so
/// that a data set depends only on its seed.
/// </summary>
internal sealed class DataRandom
{
    private Xoshiro256 generator;
    private double spare;
    private bool hasSpare;

    public DataRandom(ulong seed) => generator = new Xoshiro256(seed);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => generator.NextDouble();

    /// <summary>Standard normal deviate.</summary>
    public double NextGaussian()
    {
        if (hasSpare)
        {
            hasSpare = false;
            return spare;
        }

        double u, v, s;
        do
        {
            u = (2 * NextDouble()) - 1;
            v = (2 * NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);

        double factor = Math.Sqrt(-2 * Math.Log(s) / s);
        spare = v * factor;
        hasSpare = true;
        return u * factor;
    }
}
