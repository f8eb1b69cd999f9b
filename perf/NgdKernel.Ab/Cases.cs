using System.Numerics;
using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

namespace NgdKernel.Ab;

/// <summary>
/// The A/B cases, written against the public API only (so that any two builds with that API can be
/// compared). Runs inside a build's load context; see <see cref="Program"/>.
/// </summary>
public static partial class Cases
{
    /// <summary>GEMM shapes (m, n, k) and ops in float and double, then the MNIST NGD step.</summary>
    public static IReadOnlyList<string> Names { get; } = BuildNames();

    private static List<string> BuildNames()
    {
        var names = new List<string>();
        foreach (string type in (string[])["float", "double"])
        {
            foreach (string shape in (string[])["20x20x20", "32x32x33", "100x100x100", "1000x400x784"])
            {
                foreach (string ops in (string[])["NN", "NT", "TN"])
                {
                    names.Add($"gemm {type} {ops} {shape}");
                }
            }
        }

        names.Add("ngd mnist float M=1000 K=1");
        names.Add("ngd mnist double M=1000 K=1");

        // The MNIST step's components, at its shapes: covariances of 1000 examples, their factors, the solves.
        foreach (string type in (string[])["float", "double"])
        {
            foreach (int n in (int[])[784, 400, 50])
            {
                names.Add($"syrk {type} 1000x{n}");
                names.Add($"chol {type} {n}");
                names.Add($"solve {type} {n}x{n}");
            }

            names.Add($"tanhbackward {type} 1000x400");
            names.Add($"tanhforward {type} 1000x400");
        }

        names.AddRange(SamplerNames);
        return names;
    }

    /// <summary>Prepares case <paramref name="name"/> and returns one call of it.</summary>
    public static Action Create(string name)
    {
        string[] parts = name.Split(' ');
        // The element type is a word of the name, not always the second ("ngd mnist float ...").
        bool single = Array.IndexOf(parts, "float") >= 0;
        return (parts[0], single) switch
        {
            ("gemm", true) => Gemm<float>(parts[2], parts[3]),
            ("gemm", false) => Gemm<double>(parts[2], parts[3]),
            ("syrk", true) => SyrkCase<float>(parts[2]),
            ("syrk", false) => SyrkCase<double>(parts[2]),
            ("chol", true) => CholeskyCase<float>(int.Parse(parts[2])),
            ("chol", false) => CholeskyCase<double>(int.Parse(parts[2])),
            ("solve", true) => SolveCase<float>(parts[2]),
            ("solve", false) => SolveCase<double>(parts[2]),
            ("tanhbackward", true) => TanhBackwardCase<float>(parts[2]),
            ("tanhbackward", false) => TanhBackwardCase<double>(parts[2]),
            ("tanhforward", true) => TanhCase<float>(parts[2]),
            ("tanhforward", false) => TanhCase<double>(parts[2]),
            ("polar", true) => PolarRadiusCase<float>(),
            ("polar", false) => PolarRadiusCase<double>(),
            (_, true) => NgdStep<float>(),
            _ => NgdStep<double>(),
        };
    }

    /// <summary><c>C[m,n] = op(A)[m,k] op(B)[k,n]</c>, alpha 1, beta 0, one thread, the default path.</summary>
    private static Action Gemm<T>(string ops, string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] mnk = Dimensions(shape);
        (int m, int n, int k) = (mnk[0], mnk[1], mnk[2]);
        MatrixOp opA = ops[0] == 'T' ? MatrixOp.Transpose : MatrixOp.None;
        MatrixOp opB = ops[1] == 'T' ? MatrixOp.Transpose : MatrixOp.None;
        Memory2D<T> a = Fill<T>(opA == MatrixOp.None ? m : k, opA == MatrixOp.None ? k : m, 1);
        Memory2D<T> b = Fill<T>(opB == MatrixOp.None ? k : n, opB == MatrixOp.None ? n : k, 2);
        Memory2D<T> c = Aligned<T>(m, n);
        return () => Kernels.Gemm.Multiply<T>(a.Span, opA, b.Span, opB, T.One, T.Zero, c.Span);
    }

    /// <summary><c>C = A^T A / m</c> for A [m, n], as the step's input and error covariances.</summary>
    private static Action SyrkCase<T>(string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] mn = Dimensions(shape);
        Memory2D<T> a = Fill<T>(mn[0], mn[1], 4);
        Memory2D<T> c = Aligned<T>(mn[1], mn[1]);
        T scale = T.One / T.CreateChecked(mn[0]);
        return () => Syrk.Multiply<T>(a.Span, MatrixOp.Transpose, scale, T.Zero, c.Span);
    }

    /// <summary>A damped covariance of 1000 examples, copied in and factored (the copy is the same in both builds).</summary>
    private static Action CholeskyCase<T>(int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Memory2D<T> covariance = Covariance<T>(n);
        Memory2D<T> work = Aligned<T>(n, n);
        T damping = T.CreateTruncating(0.1);
        return () =>
        {
            covariance.Span.CopyTo(work.Span);
            Cholesky.Factor(work.Span, damping);
        };
    }

    /// <summary><c>X L L^T = B</c> for B [n, n] with the factor of a damped covariance (the copy is the same in both builds).</summary>
    private static Action SolveCase<T>(string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] mn = Dimensions(shape);
        Memory2D<T> factor = Covariance<T>(mn[1]);
        Cholesky.Factor(factor.Span, T.CreateTruncating(0.1));
        Memory2D<T> b = Fill<T>(mn[0], mn[1], 5);
        Memory2D<T> work = Aligned<T>(mn[0], mn[1]);
        return () =>
        {
            b.Span.CopyTo(work.Span);
            Cholesky.SolveRight<T>(factor.Span, work.Span);
        };
    }

    /// <summary>The tanh layers' backward pass (out of place, so that repeated calls do not drift into subnormals).</summary>
    private static Action TanhBackwardCase<T>(string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] mn = Dimensions(shape);
        Memory<T> output = Flat(Fill<T>(mn[0], mn[1], 6));
        Memory<T> error = Flat(Fill<T>(mn[0], mn[1], 7));
        Memory<T> destination = Flat(Aligned<T>(mn[0], mn[1]));
        return () => VectorMath.TanhBackward<T>(output.Span, error.Span, destination.Span);
    }

    /// <summary>The tanh layers' forward activation.</summary>
    private static Action TanhCase<T>(string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] mn = Dimensions(shape);
        Memory<T> x = Flat(Fill<T>(mn[0], mn[1], 9));
        Memory<T> destination = Flat(Aligned<T>(mn[0], mn[1]));
        return () => VectorMath.Tanh<T>(x.Span, destination.Span);
    }

    private static Memory<T> Flat<T>(Memory2D<T> a) => a.TryGetMemory(out Memory<T> memory) ? memory : throw new InvalidOperationException("not contiguous");

    private static int[] Dimensions(string shape) => [.. shape.Split('x').Select(int.Parse)];

    private static Memory2D<T> Covariance<T>(int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Memory2D<T> a = Fill<T>(1000, n, 8);
        Memory2D<T> c = Aligned<T>(n, n);
        Syrk.Multiply<T>(a.Span, MatrixOp.Transpose, T.One / T.CreateChecked(1000), T.Zero, c.Span);
        return c;
    }

    /// <summary>One NGD step (Cholesky inverse, one sample per example) of the MNIST autoencoder at M = 1000.</summary>
    private static Action NgdStep<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] widths = [784, 400, 200, 100, 50, 100, 200, 400, 784];
        var network = new Network<T>(new NetworkOptions
        {
            Widths = widths,
            HiddenActivation = Activation.Tanh,
            OutputActivation = Activation.Identity,
            Bias = true,
            OutputCovariance = OutputCovariance.Isotropic(1.0),
            Seed = 1,
        });
        var optimizer = new NaturalGradientOptimizer<T>(network, new NaturalGradientOptions { InitialDamping = 1.0, SampleCount = 1 });
        Memory2D<T> x = Fill<T>(1000, 784, 3);
        return () => optimizer.Step(x.Span, x.Span);
    }

    private static Memory2D<T> Fill<T>(int rows, int columns, int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        Memory2D<T> a = Aligned<T>(rows, columns);
        Span2D<T> span = a.Span;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                span[i, j] = T.CreateTruncating(random.NextDouble());
            }
        }

        return a;
    }

    /// <summary>
    /// A zeroed [rows, columns] matrix on the pinned heap whose first element is 64-byte aligned, so
    /// that every build sees its data at the same offset from a cache line (a Vector512 access that
    /// straddles two lines costs two: arrays placed at random 8-byte offsets gave one build a
    /// systematic edge over its own twin).
    /// </summary>
    private static unsafe Memory2D<T> Aligned<T>(int rows, int columns)
        where T : unmanaged
    {
        T[] array = GC.AllocateArray<T>((rows * columns) + (64 / sizeof(T)), pinned: true);
        int offset = (int)((64 - ((nuint)Unsafe.AsPointer(ref array[0]) % 64)) % 64) / sizeof(T);
        return new Memory2D<T>(array, offset, rows, columns, 0);
    }
}
