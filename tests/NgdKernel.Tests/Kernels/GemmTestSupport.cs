using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.Tests.Generators;
using NgdKernel.Tests.Reference;

namespace NgdKernel.Tests.Kernels;

/// <summary>
/// The GEMM/SYRK tests allocate many large reference arrays (large-object heap) and start threads with
/// their own packing workspaces, which triggers process-wide gen-2 collections. They run on their own,
/// after the parallel tests, so that tests counting collections (the soak tests) measure only themselves.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DenseKernelTestCollection
{
    public const string Name = "Dense kernels, run alone";
}

/// <summary>Shared checks of the GEMM/SYRK tests: paths × thread counts, and reference comparison.</summary>
internal static class GemmTestSupport
{
    /// <summary>Every supported path with 1 and 2 threads.</summary>
    public static TheoryData<KernelPath, int> PathsAndThreads()
    {
        var data = new TheoryData<KernelPath, int>();
        foreach (KernelPath path in KernelPaths.Supported)
        {
            data.Add(path, 1);
            data.Add(path, 2);
        }

        return data;
    }

    /// <summary>Every supported path.</summary>
    public static TheoryData<KernelPath> Paths() => [.. KernelPaths.Supported];

    /// <summary>
    /// Asserts <c>|actual_ij - expected_ij| ≤ Tolerances.GemmElement(k, magnitude_ij)</c> for every element.
    /// </summary>
    public static void AssertWithinGemmBound<T>(
        ReadOnlySpan2D<T> actual, double[,] expected, double[,] magnitude, int k, object context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < actual.Height; i++)
        {
            for (int j = 0; j < actual.Width; j++)
            {
                double value = double.CreateTruncating(actual[i, j]);
                double error = Math.Abs(value - expected[i, j]);
                double bound = Tolerances.GemmElement<T>(k, magnitude[i, j]);
                if (!(error <= bound))
                {
                    Assert.Fail(
                        $"{typeof(T).Name} {context}: C[{i},{j}] = {value:R}, reference {expected[i, j]:R}, " +
                        $"error {error:E3} > bound {bound:E3}.");
                }
            }
        }
    }

    /// <summary>Runs one generated GEMM case in <typeparamref name="T"/> and checks result and guards.</summary>
    public static void VerifyGemm<T>(GemmCase test, KernelContext context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        GuardedMatrix<T> a = test.A.Create<T>(), b = test.B.Create<T>(), c = test.C.Create<T>();
        T alpha = T.CreateTruncating(test.Alpha), beta = T.CreateTruncating(test.Beta);
        (double[,] expected, double[,] magnitude) =
            ReferenceGemm.Multiply(a.ReadOnlySpan, test.OpA, b.ReadOnlySpan, test.OpB, alpha, beta, c.ReadOnlySpan);
        if (T.IsZero(beta))
        {
            c.Fill(T.NaN); // beta = 0 must not read C
        }

        Gemm.Multiply(a.ReadOnlySpan, test.OpA, b.ReadOnlySpan, test.OpB, alpha, beta, c.Span, context);
        AssertWithinGemmBound(c.ReadOnlySpan, expected, magnitude, test.K, test);
        a.AssertGuardsUntouched();
        b.AssertGuardsUntouched();
        c.AssertGuardsUntouched();
    }

    /// <summary>Random values in [-1, 1) as a dense array.</summary>
    public static T[,] RandomArray<T>(int rows, int columns, int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        ViewLayout.Dense(rows, columns, seed).Create<T>().ToArray();
}
