using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace NgdKernel.Tests.Kernels;

/// <summary>
/// Golden results: SHA-256 of the exact bytes every kernel and 100 training steps produce on fixed
/// inputs, per <see cref="KernelPath"/>. They freeze the arithmetic, so that a restructuring of the
/// kernels is proven to leave every bit of every result unchanged on every path.
/// </summary>
/// <remarks>
/// <para>
/// The recorded hashes hold for the hardware class they were taken on: AMD Zen 5 with AVX-512
/// (<see cref="KernelPaths.Widest"/> = Vector512). A forced narrower path still calls helpers
/// (TensorPrimitives, Math) that pick their own width from the hardware, so another hardware class
/// may legitimately give other bits; there the table has no entry and only the recorded classes run.
/// A deliberate change of arithmetic (a new summation order, a new kernel) changes these hashes:
/// re-record them with <see cref="HashesOf"/>'s output and say why in the commit.
/// </para>
/// <para>
/// Inputs come from a splitmix64 sequence mapped to multiples of 2^-20 in [-1, 1), so they are the
/// same bits on every runtime and in both float and double.
/// </para>
/// </remarks>
[Collection(DenseKernelTestCollection.Name)]
public sealed class GoldenHashTests(ITestOutputHelper output)
{
    /// <summary>The hardware class the table below was recorded on.</summary>
    private const KernelPath RecordedWidest = KernelPath.Vector512;

    public static TheoryData<KernelPath, string> Cases()
    {
        var data = new TheoryData<KernelPath, string>();
        foreach (KernelPath path in KernelPaths.Supported)
        {
            foreach (string name in CaseNames)
            {
                data.Add(path, name);
            }
        }

        return data;
    }

    private static readonly string[] CaseNames =
    [
        "gemm-float-NN-t1", "gemm-float-NT-t1", "gemm-float-TN-t1",
        "gemm-float-NN-t2", "gemm-float-NT-t2", "gemm-float-TN-t2",
        "gemm-double-NN-t1", "gemm-double-NT-t1", "gemm-double-TN-t1",
        "gemm-double-NN-t2", "gemm-double-NT-t2", "gemm-double-TN-t2",
        "syrk-float-t1", "syrk-float-t2", "syrk-double-t1", "syrk-double-t2",
        "cholesky-float-t1", "cholesky-float-t2", "cholesky-double-t1", "cholesky-double-t2",
        "trsm-float", "trsm-double",
        "sherman-morrison-float", "sherman-morrison-double",
        "ngd-cholesky-float", "ngd-cholesky-double", "ngd-cholesky-float-t2",
        "ngd-sample-space-float", "ngd-sample-space-double",
        "ngd-sherman-morrison-float", "ngd-sherman-morrison-double",
        "sgd-float", "sgd-double",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Golden_ResultHashesUnchanged(KernelPath path, string name)
    {
        string actual = HashesOf(path, name);
        output.WriteLine($"[\"{path}/{name}\"] = \"{actual}\",");
        if (KernelPaths.Widest != RecordedWidest)
        {
            output.WriteLine($"Hashes were recorded with widest path {RecordedWidest}; this machine's is {KernelPaths.Widest}: not compared.");
            return;
        }

        Assert.True(Expected.TryGetValue($"{path}/{name}", out string? expected), $"no golden hash for {path}/{name}");
        Assert.Equal(expected, actual);
    }

    /// <summary>Runs one case on <paramref name="path"/> and returns the SHA-256 of all its results.</summary>
    private static string HashesOf(KernelPath path, string name)
    {
        string[] parts = name.Split('-');
        int threads = parts[^1] == "t2" ? 2 : 1;
        bool single = name.Contains("-float", StringComparison.Ordinal);
        using var context = new KernelContext(threads, path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (single)
        {
            Run<float>(name, context, hash);
        }
        else
        {
            Run<double>(name, context, hash);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static void Run<T>(string name, KernelContext context, IncrementalHash hash)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Action<KernelContext, IncrementalHash> run = name.Split('-')[0] switch
        {
            "gemm" => (c, h) => GemmCases<T>(Enum.Parse<Ops>(name.Split('-')[2]), c, h),
            "syrk" => SyrkCases<T>,
            "cholesky" => CholeskyCases<T>,
            "trsm" => TrsmCases<T>,
            "sherman" => ShermanMorrisonCases<T>,
            _ => (c, h) => TrainingCase<T>(name, c, h),
        };
        run(context, hash);
    }

    private enum Ops
    {
        NN,
        NT,
        TN,
    }

    // (m, n, k): the trainer's small shapes, vector width ± 1, odd and prime sizes, the tall and short
    // unpacked special cases, and packed shapes crossing Mc, Kc and Nc.
    private static readonly (int M, int N, int K)[] GemmShapes =
    [
        (1, 1, 1), (20, 20, 20), (32, 33, 32), (32, 32, 33), (7, 13, 5), (17, 31, 15), (33, 17, 65),
        (100, 100, 100), (61, 37, 129), (1000, 100, 50), (50, 1000, 100), (250, 140, 300), (130, 1100, 1030),
    ];

    private static readonly (double Alpha, double Beta)[] Scales = [(1, 0), (0.75, -1.25), (1, 1), (0, 0.5), (-2, 0)];

    private static void GemmCases<T>(Ops ops, KernelContext context, IncrementalHash hash)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        MatrixOp opA = ops == Ops.TN ? MatrixOp.Transpose : MatrixOp.None;
        MatrixOp opB = ops == Ops.NT ? MatrixOp.Transpose : MatrixOp.None;
        for (int s = 0; s < GemmShapes.Length; s++)
        {
            (int m, int n, int k) = GemmShapes[s];
            (double alpha, double beta) = Scales[s % Scales.Length];
            int pitch = s % 2 == 0 ? 0 : 3; // every other shape is a strided view
            (int ra, int ca) = opA == MatrixOp.None ? (m, k) : (k, m);
            (int rb, int cb) = opB == MatrixOp.None ? (k, n) : (n, k);
            T[] a = Values<T>(ra * (ca + pitch), 10 + (ulong)s);
            T[] b = Values<T>(rb * (cb + pitch), 20 + (ulong)s);
            T[] c = Values<T>(m * (n + pitch), 30 + (ulong)s);
            Gemm.Multiply(
                new ReadOnlySpan2D<T>(a, 0, ra, ca, pitch), opA, new ReadOnlySpan2D<T>(b, 0, rb, cb, pitch), opB,
                T.CreateTruncating(alpha), T.CreateTruncating(beta), new Span2D<T>(c, 0, m, n, pitch), context);
            Append(hash, c);
        }
    }

    private static void SyrkCases<T>(KernelContext context, IncrementalHash hash)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        (int N, int K)[] shapes = [(1, 1), (20, 20), (32, 33), (33, 32), (17, 100), (64, 64), (100, 1000), (300, 200)];
        for (int s = 0; s < shapes.Length; s++)
        {
            (int n, int k) = shapes[s];
            foreach (MatrixOp op in (ReadOnlySpan<MatrixOp>)[MatrixOp.None, MatrixOp.Transpose])
            {
                (double alpha, double beta) = Scales[s % Scales.Length];
                int pitch = s % 2;
                (int ra, int ca) = op == MatrixOp.None ? (n, k) : (k, n);
                T[] a = Values<T>(ra * (ca + pitch), 40 + (ulong)s);
                T[] c = Values<T>(n * (n + pitch), 50 + (ulong)s);
                Syrk.Multiply(
                    new ReadOnlySpan2D<T>(a, 0, ra, ca, pitch), op, T.CreateTruncating(alpha), T.CreateTruncating(beta),
                    new Span2D<T>(c, 0, n, n, pitch), context);
                Append(hash, c);
            }
        }
    }

    /// <summary>Factor (with and without damping), a failing factor's pivot, both solves, the inverse.</summary>
    private static void CholeskyCases<T>(KernelContext context, IncrementalHash hash)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] sizes = [1, 7, 33, 64, 65, 130, 300];
        for (int s = 0; s < sizes.Length; s++)
        {
            int n = sizes[s];
            foreach (double damping in (ReadOnlySpan<double>)[0, 0.5])
            {
                T[] a = Spd<T>(n, 60 + (ulong)s);
                T[] factor = (T[])a.Clone();
                Assert.True(Cholesky.TryFactor(new Span2D<T>(factor, n, n), T.CreateTruncating(damping), out _, context));
                Append(hash, factor);

                int m = n * 3 + 1;
                T[] left = Values<T>(n * m, 70 + (ulong)s);
                Cholesky.SolveLeft(new ReadOnlySpan2D<T>(factor, n, n), new Span2D<T>(left, n, m), context);
                Append(hash, left);
                T[] right = Values<T>(m * n, 80 + (ulong)s);
                Cholesky.SolveRight(new ReadOnlySpan2D<T>(factor, n, n), new Span2D<T>(right, m, n), context);
                Append(hash, right);

                Cholesky.Invert(new Span2D<T>(factor, n, n), context);
                Append(hash, factor);
            }

            // Indefinite: the reported pivot and its value are results too.
            T[] bad = Spd<T>(n, 90 + (ulong)s);
            bad[(n / 2 * n) + (n / 2)] = -T.One;
            bool ok = Cholesky.TryFactor(new Span2D<T>(bad, n, n), T.Zero, out CholeskyFailure failure, context);
            Append(hash, [T.CreateTruncating(ok ? 1 : 0), T.CreateTruncating(failure.PivotIndex), T.CreateTruncating(failure.PivotValue)]);
        }
    }

    private static void TrsmCases<T>(KernelContext context, IncrementalHash hash)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] sizes = [1, 5, 16, 33, 100, 257];
        for (int s = 0; s < sizes.Length; s++)
        {
            int n = sizes[s], m = (s * 7) + 3;
            T[] spd = Spd<T>(n, 100 + (ulong)s);
            Assert.True(Cholesky.TryFactor(new Span2D<T>(spd, n, n), T.Zero, out _, context));
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    spd[(i * n) + j] = spd[(j * n) + i]; // the upper triangle mirrors the factor
                }
            }

            foreach (TrsmTriangle part in (ReadOnlySpan<TrsmTriangle>)[TrsmTriangle.Lower, TrsmTriangle.Upper])
            {
                foreach (MatrixOp op in (ReadOnlySpan<MatrixOp>)[MatrixOp.None, MatrixOp.Transpose])
                {
                    foreach (TrsmSide side in (ReadOnlySpan<TrsmSide>)[TrsmSide.Left, TrsmSide.Right])
                    {
                        (int rows, int columns) = side == TrsmSide.Left ? (n, m) : (m, n);
                        T[] b = Values<T>(rows * (columns + 2), 110 + (ulong)s);
                        Trsm.Solve(new ReadOnlySpan2D<T>(spd, n, n), part, op, side, new Span2D<T>(b, 0, rows, columns, 2), context);
                        Append(hash, b);
                    }
                }
            }
        }
    }

    private static void ShermanMorrisonCases<T>(KernelContext context, IncrementalHash hash)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] sizes = [1, 7, 16, 33, 100, 201];
        for (int s = 0; s < sizes.Length; s++)
        {
            int n = sizes[s];
            T[] inverse = Spd<T>(n, 120 + (ulong)s);
            Assert.True(Cholesky.TryFactor(new Span2D<T>(inverse, n, n), T.Zero, out _, context));
            Cholesky.Invert(new Span2D<T>(inverse, n, n), context);
            var workspace = new T[2 * n];
            for (int step = 0; step < 10; step++)
            {
                T[] u = Values<T>(n, 130 + (ulong)((s * 10) + step));
                T[] v = Values<T>(n, 140 + (ulong)((s * 10) + step));
                bool updated = step % 2 == 0
                    ? ShermanMorrison.TryUpdate(new Span2D<T>(inverse, n, n), u, v, T.CreateTruncating(0.125), workspace, out T denominator, context)
                    : ShermanMorrison.TryUpdateMovingAverage(new Span2D<T>(inverse, n, n), u, T.CreateTruncating(0.9), workspace, out denominator, context);
                Append(hash, [T.CreateTruncating(updated ? 1 : 0), denominator]);
                Append(hash, inverse);
            }
        }
    }

    /// <summary>100 optimizer steps on a small tanh network, cycling through five fixed minibatches of 20.</summary>
    private static void TrainingCase<T>(string name, KernelContext context, IncrementalHash hash)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var network = new Network<T>(
            new NetworkOptions
            {
                Widths = [20, 33, 17, 20],
                HiddenActivation = Activation.Tanh,
                Bias = true,
                OutputCovariance = OutputCovariance.Isotropic(0.5),
                Seed = 13,
            },
            context);
        IOptimizer<T> optimizer = name switch
        {
            _ when name.StartsWith("ngd-cholesky", StringComparison.Ordinal) => new NaturalGradientOptimizer<T>(
                network, new NaturalGradientOptions { SampleSpace = SampleSpacePolicy.Never, SampleCount = 2, Seed = 5 }),
            _ when name.StartsWith("ngd-sample-space", StringComparison.Ordinal) => new NaturalGradientOptimizer<T>(
                network, new NaturalGradientOptions { SampleSpace = SampleSpacePolicy.Always, Seed = 5 }),
            _ when name.StartsWith("ngd-sherman-morrison", StringComparison.Ordinal) => new NaturalGradientOptimizer<T>(
                network, new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison, RefreshInterval = 3, Window = 30, Seed = 5 }),
            _ => new SgdOptimizer<T>(network, new SgdOptions { LearningRate = 0.01, Momentum = 0.9 }),
        };

        T[] x = Values<T>(100 * 20, 150);
        T[] y = Values<T>(100 * 20, 151);
        for (int step = 0; step < 100; step++)
        {
            int batch = step % 5;
            optimizer.Step(
                new ReadOnlySpan2D<T>(x, batch * 20 * 20, 20, 20, 0),
                new ReadOnlySpan2D<T>(y, batch * 20 * 20, 20, 20, 0));
        }

        for (int layer = 0; layer < network.LayerCount; layer++)
        {
            Append(hash, network.Weights(layer).ToArray().Cast<T>().ToArray());
        }
    }

    /// <summary>A symmetric, diagonally dominant (so positive definite) n×n matrix, both triangles filled.</summary>
    private static T[] Spd<T>(int n, ulong seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] r = Values<T>(n * n, seed);
        var a = new T[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                a[(i * n) + j] = a[(j * n) + i] = r[(i * n) + j];
            }

            a[(i * n) + i] = T.CreateTruncating(n + 1);
        }

        return a;
    }

    /// <summary>Multiples of 2^-20 in [-1, 1) from splitmix64: exact in float and double.</summary>
    private static T[] Values<T>(int length, ulong seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var values = new T[length];
        ulong state = seed * 0x9E3779B97F4A7C15UL;
        for (int i = 0; i < length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            values[i] = T.CreateTruncating(((long)(z >> 43) - (1L << 20)) / (double)(1L << 20));
        }

        return values;
    }

    private static void Append<T>(IncrementalHash hash, ReadOnlySpan<T> values)
        where T : unmanaged => hash.AppendData(MemoryMarshal.AsBytes(values));

    /// <summary>Recorded on AMD Zen 5 (AVX-512) from the kernels as they stood before they were restructured.</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["Scalar/gemm-float-NN-t1"] = "4D715786371F867F232242A00CE4FAA4F88B75156DF2C59B8A8E4D6763D20919",
        ["Scalar/gemm-float-NT-t1"] = "904768208CEDC41BF79A77E4D75F433F164686220D022433BF2CBFB0F07E58A7",
        ["Scalar/gemm-float-TN-t1"] = "E1C44CE1EB78AFB9055CF0458E68A1F4F7EC97419AAC1B8CBC1C0F055E92BD64",
        ["Scalar/gemm-float-NN-t2"] = "4D715786371F867F232242A00CE4FAA4F88B75156DF2C59B8A8E4D6763D20919",
        ["Scalar/gemm-float-NT-t2"] = "904768208CEDC41BF79A77E4D75F433F164686220D022433BF2CBFB0F07E58A7",
        ["Scalar/gemm-float-TN-t2"] = "E1C44CE1EB78AFB9055CF0458E68A1F4F7EC97419AAC1B8CBC1C0F055E92BD64",
        ["Scalar/gemm-double-NN-t1"] = "9E84B0306B47B46D0D7377272152CF17C404B6F53AF0533A6DC1A77DDE9DBE93",
        ["Scalar/gemm-double-NT-t1"] = "9AAE381BD164472361D3911933DA3F20C8556DE497B33B0538C6B219C9919F08",
        ["Scalar/gemm-double-TN-t1"] = "0C5F8BC4C869736879D2590BEE1FFF773E6EE11E4C1A735EC317F3F83ECFCD91",
        ["Scalar/gemm-double-NN-t2"] = "9E84B0306B47B46D0D7377272152CF17C404B6F53AF0533A6DC1A77DDE9DBE93",
        ["Scalar/gemm-double-NT-t2"] = "9AAE381BD164472361D3911933DA3F20C8556DE497B33B0538C6B219C9919F08",
        ["Scalar/gemm-double-TN-t2"] = "0C5F8BC4C869736879D2590BEE1FFF773E6EE11E4C1A735EC317F3F83ECFCD91",
        ["Scalar/syrk-float-t1"] = "F15F67C06A5C24A266E853C9A611A40F23E5F573C8D833DE907CA817F7846414",
        ["Scalar/syrk-float-t2"] = "F15F67C06A5C24A266E853C9A611A40F23E5F573C8D833DE907CA817F7846414",
        ["Scalar/syrk-double-t1"] = "BF2076C467E5347CBC344C687EF6972F518048CFB352D9D4839901F29F409A4C",
        ["Scalar/syrk-double-t2"] = "BF2076C467E5347CBC344C687EF6972F518048CFB352D9D4839901F29F409A4C",
        ["Scalar/cholesky-float-t1"] = "BB9312B341213FD769E021BC1C15C0781963F812442B1CE6A8449AD1039819D3",
        ["Scalar/cholesky-float-t2"] = "BB9312B341213FD769E021BC1C15C0781963F812442B1CE6A8449AD1039819D3",
        ["Scalar/cholesky-double-t1"] = "6F46001C205639BFB1813322EB93B72B53005831A2A646C661787DFFE4761FDA",
        ["Scalar/cholesky-double-t2"] = "6F46001C205639BFB1813322EB93B72B53005831A2A646C661787DFFE4761FDA",
        ["Scalar/trsm-float"] = "08C3A9D7E23FEAA3A724E1BADE24D2E4BAE14B34996F6B9BC75E6A9B25E6623D",
        ["Scalar/trsm-double"] = "0C292F56C3BD337AE2BA7F55A75F61C1254CC6E8972613DC2F6A43E34DCEB979",
        ["Scalar/sherman-morrison-float"] = "0EE987EC59EEFD8934D3C5AF9D31C36DDFC34D506D4240CD903C3022E3E24DE5",
        ["Scalar/sherman-morrison-double"] = "F81D8788CCBC48F8F6B6E9E62C17F56382413D91716DD8AA5143DBD8998BA0AD",
        ["Scalar/ngd-cholesky-float"] = "BBE34D0FA798EB32E3C05F44ACC69BB39CED89EB363535809E562634D2458F4E",
        ["Scalar/ngd-cholesky-double"] = "BF1DE71DF2AC41A046225B13CDBF9550A564BA6CEB041E385E81E7E399DF5548",
        ["Scalar/ngd-cholesky-float-t2"] = "BBE34D0FA798EB32E3C05F44ACC69BB39CED89EB363535809E562634D2458F4E",
        ["Scalar/ngd-sample-space-float"] = "A72F4865C63A1C42EE1C80C8371AA06F35521AA4CCD17EF96A4B2B50CD82BFD7",
        ["Scalar/ngd-sample-space-double"] = "CDDAA205A30260CE248729CDDF05FCDA3F9985DE11B844FFCC9002F320B1FCC8",
        ["Scalar/ngd-sherman-morrison-float"] = "EDF19B2E75424141403143137CB68672B75D26E423C9FB0E3896247B39540C73",
        ["Scalar/ngd-sherman-morrison-double"] = "979AEF4AC4801C55C742826082A271D8561155459AC64EFD3ADF9D39D45086DD",
        ["Scalar/sgd-float"] = "F0B1CE1C5C3D07A53A1E31E826EB01CE1A76464A17E3B74DAA5E408CFDFD39C7",
        ["Scalar/sgd-double"] = "5BC6369868E7D7AADE89DD3D4D84496234A41F04C2E110D21EBF5163E7F27D5E",
        ["Vector256/gemm-float-NN-t1"] = "5C61898120BB4DC410D94AFAD6726FCC6B58CC11C56BA2EC876BFACA1F3F2617",
        ["Vector256/gemm-float-NT-t1"] = "630C438AE389F1FC5CA5FF3BA83FAC91EED29196ED747140B2D4DE7622055BDB",
        ["Vector256/gemm-float-TN-t1"] = "3C929974013A426B0D42F2B656EA8674962A8F9A4D40DA8F6654823B5FB2B9D2",
        ["Vector256/gemm-float-NN-t2"] = "5C61898120BB4DC410D94AFAD6726FCC6B58CC11C56BA2EC876BFACA1F3F2617",
        ["Vector256/gemm-float-NT-t2"] = "630C438AE389F1FC5CA5FF3BA83FAC91EED29196ED747140B2D4DE7622055BDB",
        ["Vector256/gemm-float-TN-t2"] = "3C929974013A426B0D42F2B656EA8674962A8F9A4D40DA8F6654823B5FB2B9D2",
        ["Vector256/gemm-double-NN-t1"] = "9E84B0306B47B46D0D7377272152CF17C404B6F53AF0533A6DC1A77DDE9DBE93",
        ["Vector256/gemm-double-NT-t1"] = "9AAE381BD164472361D3911933DA3F20C8556DE497B33B0538C6B219C9919F08",
        ["Vector256/gemm-double-TN-t1"] = "0C5F8BC4C869736879D2590BEE1FFF773E6EE11E4C1A735EC317F3F83ECFCD91",
        ["Vector256/gemm-double-NN-t2"] = "9E84B0306B47B46D0D7377272152CF17C404B6F53AF0533A6DC1A77DDE9DBE93",
        ["Vector256/gemm-double-NT-t2"] = "9AAE381BD164472361D3911933DA3F20C8556DE497B33B0538C6B219C9919F08",
        ["Vector256/gemm-double-TN-t2"] = "0C5F8BC4C869736879D2590BEE1FFF773E6EE11E4C1A735EC317F3F83ECFCD91",
        ["Vector256/syrk-float-t1"] = "2248ACA20412499AB6CDF80586E3424087055ECF1CD9F3C9FA3C698E387D9940",
        ["Vector256/syrk-float-t2"] = "2248ACA20412499AB6CDF80586E3424087055ECF1CD9F3C9FA3C698E387D9940",
        ["Vector256/syrk-double-t1"] = "BF2076C467E5347CBC344C687EF6972F518048CFB352D9D4839901F29F409A4C",
        ["Vector256/syrk-double-t2"] = "BF2076C467E5347CBC344C687EF6972F518048CFB352D9D4839901F29F409A4C",
        ["Vector256/cholesky-float-t1"] = "AEC86E375E4721D2B5BFCCF9F0A21E999DE517C208F42F8559F559773465DD97",
        ["Vector256/cholesky-float-t2"] = "AEC86E375E4721D2B5BFCCF9F0A21E999DE517C208F42F8559F559773465DD97",
        ["Vector256/cholesky-double-t1"] = "948EA47CAD1E908951F6C6E84C90A9DEE0387F035A76DFBFF8E4BD295B036A50",
        ["Vector256/cholesky-double-t2"] = "948EA47CAD1E908951F6C6E84C90A9DEE0387F035A76DFBFF8E4BD295B036A50",
        ["Vector256/trsm-float"] = "B33CD7FF87D295C235EFCC61DA776A99D97AA8CF4FD03C6773D155FC668C7A07",
        ["Vector256/trsm-double"] = "956D0C025538BFEAA59CA2FC5E6D706CAEA5A1AB44C2814FCB3DAF1EBBD15689",
        ["Vector256/sherman-morrison-float"] = "637757B9F10812EFEE96B8B5F51F771E85AEDD6CDDAB1EAC3605888C6352A77C",
        ["Vector256/sherman-morrison-double"] = "7A4091925526AC24249876559CDA4962F37C70107BB86712275A8ED281EBE414",
        ["Vector256/ngd-cholesky-float"] = "8939A3287DB9CB6924BCE08A565EDFB6C8E1E857E8BF50CB6A49AA218C7199D2",
        ["Vector256/ngd-cholesky-double"] = "AB32A5EF91A3A0F0BB373B18649FD0B591C6D826167A93C44134D3F17CEE41F5",
        ["Vector256/ngd-cholesky-float-t2"] = "8939A3287DB9CB6924BCE08A565EDFB6C8E1E857E8BF50CB6A49AA218C7199D2",
        ["Vector256/ngd-sample-space-float"] = "8F5C9C132E9CA627E22810D5F1CBB0DCF230B62C310D36C761F48E99A789F43E",
        ["Vector256/ngd-sample-space-double"] = "86A5BA004C8B1196BB8E01E8A9F5E726A018253184B8E31E63239D7B99E4D1DA",
        ["Vector256/ngd-sherman-morrison-float"] = "0835982FDBAC0F75D465E9BC99D22028E13C536E5E65526417EC635591441163",
        ["Vector256/ngd-sherman-morrison-double"] = "5437DC5CE018C00792300FB2C822118881059D5B522815774069ED2F592B6710",
        ["Vector256/sgd-float"] = "00A85B98C689189C835D48BC7128278656A456362ECD7399054852E1D02DCD1B",
        ["Vector256/sgd-double"] = "8733C12E4A62791FFB93098DC22B80DF156171E04C12D0B6EA1CBA1649B9C6C5",
        ["Vector512/gemm-float-NN-t1"] = "5C61898120BB4DC410D94AFAD6726FCC6B58CC11C56BA2EC876BFACA1F3F2617",
        ["Vector512/gemm-float-NT-t1"] = "630C438AE389F1FC5CA5FF3BA83FAC91EED29196ED747140B2D4DE7622055BDB",
        ["Vector512/gemm-float-TN-t1"] = "3C929974013A426B0D42F2B656EA8674962A8F9A4D40DA8F6654823B5FB2B9D2",
        ["Vector512/gemm-float-NN-t2"] = "5C61898120BB4DC410D94AFAD6726FCC6B58CC11C56BA2EC876BFACA1F3F2617",
        ["Vector512/gemm-float-NT-t2"] = "630C438AE389F1FC5CA5FF3BA83FAC91EED29196ED747140B2D4DE7622055BDB",
        ["Vector512/gemm-float-TN-t2"] = "3C929974013A426B0D42F2B656EA8674962A8F9A4D40DA8F6654823B5FB2B9D2",
        ["Vector512/gemm-double-NN-t1"] = "9E84B0306B47B46D0D7377272152CF17C404B6F53AF0533A6DC1A77DDE9DBE93",
        ["Vector512/gemm-double-NT-t1"] = "9AAE381BD164472361D3911933DA3F20C8556DE497B33B0538C6B219C9919F08",
        ["Vector512/gemm-double-TN-t1"] = "0C5F8BC4C869736879D2590BEE1FFF773E6EE11E4C1A735EC317F3F83ECFCD91",
        ["Vector512/gemm-double-NN-t2"] = "9E84B0306B47B46D0D7377272152CF17C404B6F53AF0533A6DC1A77DDE9DBE93",
        ["Vector512/gemm-double-NT-t2"] = "9AAE381BD164472361D3911933DA3F20C8556DE497B33B0538C6B219C9919F08",
        ["Vector512/gemm-double-TN-t2"] = "0C5F8BC4C869736879D2590BEE1FFF773E6EE11E4C1A735EC317F3F83ECFCD91",
        ["Vector512/syrk-float-t1"] = "2248ACA20412499AB6CDF80586E3424087055ECF1CD9F3C9FA3C698E387D9940",
        ["Vector512/syrk-float-t2"] = "2248ACA20412499AB6CDF80586E3424087055ECF1CD9F3C9FA3C698E387D9940",
        ["Vector512/syrk-double-t1"] = "BF2076C467E5347CBC344C687EF6972F518048CFB352D9D4839901F29F409A4C",
        ["Vector512/syrk-double-t2"] = "BF2076C467E5347CBC344C687EF6972F518048CFB352D9D4839901F29F409A4C",
        ["Vector512/cholesky-float-t1"] = "AEC86E375E4721D2B5BFCCF9F0A21E999DE517C208F42F8559F559773465DD97",
        ["Vector512/cholesky-float-t2"] = "AEC86E375E4721D2B5BFCCF9F0A21E999DE517C208F42F8559F559773465DD97",
        ["Vector512/cholesky-double-t1"] = "948EA47CAD1E908951F6C6E84C90A9DEE0387F035A76DFBFF8E4BD295B036A50",
        ["Vector512/cholesky-double-t2"] = "948EA47CAD1E908951F6C6E84C90A9DEE0387F035A76DFBFF8E4BD295B036A50",
        ["Vector512/trsm-float"] = "B33CD7FF87D295C235EFCC61DA776A99D97AA8CF4FD03C6773D155FC668C7A07",
        ["Vector512/trsm-double"] = "956D0C025538BFEAA59CA2FC5E6D706CAEA5A1AB44C2814FCB3DAF1EBBD15689",
        ["Vector512/sherman-morrison-float"] = "52481E6B0039222E5F60249495535B234BCE627B1F07A5F652A5D388711D24CF",
        ["Vector512/sherman-morrison-double"] = "1D3C9413C46F7152AE4A0FA7CBE31F5754808AD302616B3ED2CDE49887268D20",
        ["Vector512/ngd-cholesky-float"] = "8939A3287DB9CB6924BCE08A565EDFB6C8E1E857E8BF50CB6A49AA218C7199D2",
        ["Vector512/ngd-cholesky-double"] = "AB32A5EF91A3A0F0BB373B18649FD0B591C6D826167A93C44134D3F17CEE41F5",
        ["Vector512/ngd-cholesky-float-t2"] = "8939A3287DB9CB6924BCE08A565EDFB6C8E1E857E8BF50CB6A49AA218C7199D2",
        ["Vector512/ngd-sample-space-float"] = "8F5C9C132E9CA627E22810D5F1CBB0DCF230B62C310D36C761F48E99A789F43E",
        ["Vector512/ngd-sample-space-double"] = "86A5BA004C8B1196BB8E01E8A9F5E726A018253184B8E31E63239D7B99E4D1DA",
        ["Vector512/ngd-sherman-morrison-float"] = "0835982FDBAC0F75D465E9BC99D22028E13C536E5E65526417EC635591441163",
        ["Vector512/ngd-sherman-morrison-double"] = "5437DC5CE018C00792300FB2C822118881059D5B522815774069ED2F592B6710",
        ["Vector512/sgd-float"] = "00A85B98C689189C835D48BC7128278656A456362ECD7399054852E1D02DCD1B",
        ["Vector512/sgd-double"] = "8733C12E4A62791FFB93098DC22B80DF156171E04C12D0B6EA1CBA1649B9C6C5",
    };
}
