using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.Networks;
using NgdKernel.Optimizers;

namespace NgdKernel.Ab;

/// <summary>
/// The A/B cases, written against the public API only (so that any two builds with that API can be
/// compared). Runs inside a build's load context; see <see cref="Program"/>.
/// </summary>
public static class Cases
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

        return names;
    }

    /// <summary>Prepares case <paramref name="name"/> and returns one call of it.</summary>
    public static Action Create(string name)
    {
        string[] parts = name.Split(' ');
        bool single = parts[1] == "float";
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
        T[,] a = Fill<T>(opA == MatrixOp.None ? m : k, opA == MatrixOp.None ? k : m, 1);
        T[,] b = Fill<T>(opB == MatrixOp.None ? k : n, opB == MatrixOp.None ? n : k, 2);
        var c = new T[m, n];
        return () => Kernels.Gemm.Multiply(new ReadOnlySpan2D<T>(a), opA, new ReadOnlySpan2D<T>(b), opB, T.One, T.Zero, new Span2D<T>(c));
    }

    /// <summary><c>C = A^T A / m</c> for A [m, n], as the step's input and error covariances.</summary>
    private static Action SyrkCase<T>(string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] mn = Dimensions(shape);
        T[,] a = Fill<T>(mn[0], mn[1], 4);
        var c = new T[mn[1], mn[1]];
        T scale = T.One / T.CreateChecked(mn[0]);
        return () => Syrk.Multiply(new ReadOnlySpan2D<T>(a), MatrixOp.Transpose, scale, T.Zero, new Span2D<T>(c));
    }

    /// <summary>A damped covariance of 1000 examples, copied in and factored (the copy is the same in both builds).</summary>
    private static Action CholeskyCase<T>(int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[,] covariance = Covariance<T>(n);
        var work = new T[n, n];
        T damping = T.CreateTruncating(0.1);
        return () =>
        {
            covariance.AsSpan2D().CopyTo(work.AsSpan2D());
            Cholesky.Factor(new Span2D<T>(work), damping);
        };
    }

    /// <summary><c>X L L^T = B</c> for B [n, n] with the factor of a damped covariance (the copy is the same in both builds).</summary>
    private static Action SolveCase<T>(string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] mn = Dimensions(shape);
        T[,] factor = Covariance<T>(mn[1]);
        Cholesky.Factor(new Span2D<T>(factor), T.CreateTruncating(0.1));
        T[,] b = Fill<T>(mn[0], mn[1], 5);
        var work = new T[mn[0], mn[1]];
        return () =>
        {
            b.AsSpan2D().CopyTo(work.AsSpan2D());
            Cholesky.SolveRight(new ReadOnlySpan2D<T>(factor), new Span2D<T>(work));
        };
    }

    /// <summary>The tanh layers' backward pass (out of place, so that repeated calls do not drift into subnormals).</summary>
    private static Action TanhBackwardCase<T>(string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] mn = Dimensions(shape);
        T[] output = Flat(Fill<T>(mn[0], mn[1], 6));
        T[] error = Flat(Fill<T>(mn[0], mn[1], 7));
        var destination = new T[error.Length];
        return () => VectorMath.TanhBackward<T>(output, error, destination);
    }

    /// <summary>The tanh layers' forward activation.</summary>
    private static Action TanhCase<T>(string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] mn = Dimensions(shape);
        T[] x = Flat(Fill<T>(mn[0], mn[1], 9));
        var destination = new T[x.Length];
        return () => VectorMath.Tanh<T>(x, destination);
    }

    private static T[] Flat<T>(T[,] a) => [.. a.Cast<T>()];

    private static int[] Dimensions(string shape) => [.. shape.Split('x').Select(int.Parse)];

    private static T[,] Covariance<T>(int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[,] a = Fill<T>(1000, n, 8);
        var c = new T[n, n];
        Syrk.Multiply(new ReadOnlySpan2D<T>(a), MatrixOp.Transpose, T.One / T.CreateChecked(1000), T.Zero, new Span2D<T>(c));
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
        T[,] x = Fill<T>(1000, 784, 3);
        return () => optimizer.Step(new ReadOnlySpan2D<T>(x), new ReadOnlySpan2D<T>(x));
    }

    private static T[,] Fill<T>(int rows, int columns, int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var a = new T[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                a[i, j] = T.CreateTruncating(random.NextDouble());
            }
        }

        return a;
    }
}
