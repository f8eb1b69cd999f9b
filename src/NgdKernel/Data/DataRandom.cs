using NgdKernel.Kernels;

namespace NgdKernel.Data;

/// <summary>
/// The data generator's Gaussian source: standard normal deviates by the polar Box-Muller method
/// (both values of each accepted pair used, the second kept as a spare) over a
/// <see cref="Xoshiro256"/> stream. Kept private to the data layer so that a data set depends only
/// on its seed, never on how the optimizers sample.
/// </summary>
internal sealed class DataRandom(ulong seed)
{
    private Xoshiro256 generator = new(seed);
    private double spare;
    private bool hasSpare;

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
            u = (2 * generator.NextDouble()) - 1;
            v = (2 * generator.NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);

        double factor = Math.Sqrt(-2 * Math.Log(s) / s);
        spare = v * factor;
        hasSpare = true;
        return u * factor;
    }
}
