using FsCheck;
using FsCheck.Fluent;

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
    /// <summary>Checks <paramref name="verify"/> on <paramref name="maxTest"/> generated cases (replayable, see <see cref="PropertyConfig"/>).</summary>
    public static void ForAll<TCase>(Gen<TCase> cases, int maxTest, Action<TCase> verify) =>
        Check.One(PropertyConfig.Quick(maxTest), Prop.ForAll(Arb.From(cases), verify));

    /// <summary>As above, each case verified with a context of <paramref name="threads"/> threads on <paramref name="path"/>.</summary>
    public static void ForAll<TCase>(Gen<TCase> cases, int maxTest, KernelPath path, int threads, Action<TCase, KernelContext> verify)
    {
        using var context = new KernelContext(threads, path);
        ForAll(cases, maxTest, test => verify(test, context));
    }

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

    /// <summary>
    /// A GEMM case on strided views with guard cells around them (each operand's layout as its op
    /// stores it), values from <paramref name="seed"/> and the three seeds after it.
    /// </summary>
    public static GemmCase StridedCase(int m, int n, int k, MatrixOp opA, MatrixOp opB, double alpha, double beta, int seed) =>
        new(
            m, n, k, opA, opB, alpha, beta,
            opA == MatrixOp.None ? new ViewLayout(m, k, 3, 1, 2, seed) : new ViewLayout(k, m, 1, 2, 1, seed + 1),
            opB == MatrixOp.None ? new ViewLayout(k, n, 2, 3, 1, seed + 2) : new ViewLayout(n, k, 5, 0, 2, seed + 3),
            new ViewLayout(m, n, 1, 2, 3, seed));

    /// <summary>Runs one GEMM case in float and in double and checks results and guards.</summary>
    public static void VerifyGemm(GemmCase test, KernelContext context)
    {
        VerifyGemm<float>(test, context);
        VerifyGemm<double>(test, context);
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
