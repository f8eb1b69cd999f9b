using FsCheck;
using FsCheck.Fluent;

namespace NgdKernel.Tests.Generators;

/// <summary>
/// Matrix dimensions that stress blocked SIMD kernels: tiny sizes, primes, one either side of every
/// vector width W, micro-tile Mr/Nr and cache block Kc used by the kernels, plus random sizes up to
/// about three blocks. Shared by every kernel's property tests.
/// </summary>
public static class Sizes
{
    /// <summary>Vector widths in elements: Vector256/Vector512 × double/float.</summary>
    public static readonly int[] VectorWidths = [4, 8, 16];

    /// <summary>Micro-tile rows and columns (Mr, Nr) over all paths and types (see BlockSizes).</summary>
    public static readonly int[] TileSizes = [4, 6, 8, 12, 16, 32];

    /// <summary>
    /// Cache-block depths Kc of the GEMM over paths and types (scalar, Vector512 double, Vector512 float):
    /// one more forces a second k block. Use <see cref="Depth"/> to reach them.
    /// </summary>
    public static readonly int[] BlockDepths = [256, 512, 1024];

    /// <summary>Largest depth <see cref="Depth"/> produces (past the largest Kc).</summary>
    public const int MaxDepth = 1100;

    /// <summary>Largest random size (about three Mr/Nr-sized blocks of the L2 block Mc).</summary>
    public const int MaxRandom = 300;

    /// <summary>Every special positive size, sorted: 1, 2, 3, 5, 7, primes, w±1, w, 2w±1, Mr±1, Nr±1, Kc±1.</summary>
    public static readonly int[] Special = BuildSpecial();

    /// <summary>Positive sizes: a special size 3 times out of 4, otherwise uniform in [1, <paramref name="max"/>].</summary>
    public static Gen<int> Positive(int max = MaxRandom) =>
        Gen.Frequency(
            (3, Gen.Elements(Special.Where(s => s <= max).ToArray())),
            (1, Gen.Choose(1, max)));

    /// <summary>Like <see cref="Positive"/>, and 0 (an empty dimension) one time in 20.</summary>
    public static Gen<int> NonNegative(int max = MaxRandom) =>
        Gen.Frequency((1, Gen.Constant(0)), (19, Positive(max)));

    /// <summary>
    /// Inner (summed) dimensions: 0 one time in 20, otherwise like <see cref="Positive"/> up to
    /// <see cref="MaxDepth"/>, so that every Kc ± 1 occurs and sums span several k blocks.
    /// </summary>
    public static Gen<int> Depth() => NonNegative(MaxDepth);

    /// <summary>
    /// Like <see cref="Positive"/>, but small (≤ <paramref name="smallMax"/>) most of the time: for the
    /// dimensions of a problem whose other dimensions may be large, to keep the reference loops fast.
    /// </summary>
    public static Gen<int> MostlySmall(int smallMax = 40, int max = MaxRandom) =>
        Gen.Frequency((3, Positive(smallMax)), (1, Positive(max)));

    private static int[] BuildSpecial()
    {
        var sizes = new SortedSet<int> { 1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 61, 67, 97, 127 };
        foreach (int w in VectorWidths)
        {
            sizes.UnionWith([w - 1, w, w + 1, (2 * w) - 1, 2 * w, (2 * w) + 1]);
        }

        foreach (int t in TileSizes)
        {
            sizes.UnionWith([t - 1, t, t + 1]);
        }

        foreach (int kc in BlockDepths)
        {
            sizes.UnionWith([kc - 1, kc, kc + 1]);
        }

        sizes.Remove(0);
        return [.. sizes];
    }
}
