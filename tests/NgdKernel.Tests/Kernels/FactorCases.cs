using FsCheck;
using FsCheck.Fluent;

namespace NgdKernel.Tests.Kernels;

/// <summary>One random case for the factorization properties: size, view layout, seed, conditioning.</summary>
public sealed record FactorCase(int N, int M, int Pitch, int Offset, int Seed, double Log10Condition)
{
    public override string ToString() => $"n={N} m={M} pitch={Pitch} offset={Offset} seed={Seed} log10κ={Log10Condition:F1}";
}

/// <summary>Generators and runners shared by the factorization tests.</summary>
internal static class FactorCases
{
    public static readonly int[] Sizes = [.. SpdGenerators.InterestingSizes, 0];

    /// <summary>Sizes from the interesting list most of the time, a random size up to <paramref name="maxSize"/> otherwise.</summary>
    public static Gen<int> Size(int maxSize) =>
        Gen.Frequency(
            (3, Gen.Elements(Sizes.Where(s => s <= maxSize).ToArray())),
            (1, Gen.Choose(1, maxSize)));

    public static Arbitrary<FactorCase> Cases(int maxSize, double maxLog10Condition = 6) =>
        (from n in Size(maxSize)
         from m in Gen.Elements(0, 1, 2, 3, 5, 8, 9, 15, 16, 17, 33, 64, 65, 130)
         from pitch in Gen.Elements(0, 0, 1, 3, 8)
         from offset in Gen.Choose(0, 9)
         from seed in Gen.Choose(0, int.MaxValue)
         from logK in Gen.Choose(0, (int)(maxLog10Condition * 10))
         select new FactorCase(n, m, pitch, offset, seed, logK / 10.0)).ToArbitrary();

    public static void Check(Arbitrary<FactorCase> cases, Func<FactorCase, bool> property, int maxTest) =>
        FsCheck.Check.One(PropertyConfig.Quick(maxTest), Prop.ForAll(cases, property));

    /// <summary>
    /// Checks the property in the element type <paramref name="precision"/> names on
    /// <paramref name="path"/>: one generic body serves float and double.
    /// </summary>
    public static void Check(
        KernelPath path,
        Precision precision,
        Arbitrary<FactorCase> cases,
        Func<FactorCase, KernelPath, bool> inSingle,
        Func<FactorCase, KernelPath, bool> inDouble,
        int maxTest)
    {
        Func<FactorCase, KernelPath, bool> property = precision.Pick(inSingle, inDouble);
        Check(cases, c => property(c, path), maxTest);
    }
}
