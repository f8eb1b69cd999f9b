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
            (_, true) => NgdStep<float>(),
            _ => NgdStep<double>(),
        };
    }

    /// <summary><c>C[m,n] = op(A)[m,k] op(B)[k,n]</c>, alpha 1, beta 0, one thread, the default path.</summary>
    private static Action Gemm<T>(string ops, string shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int[] mnk = [.. shape.Split('x').Select(int.Parse)];
        (int m, int n, int k) = (mnk[0], mnk[1], mnk[2]);
        MatrixOp opA = ops[0] == 'T' ? MatrixOp.Transpose : MatrixOp.None;
        MatrixOp opB = ops[1] == 'T' ? MatrixOp.Transpose : MatrixOp.None;
        T[,] a = Fill<T>(opA == MatrixOp.None ? m : k, opA == MatrixOp.None ? k : m, 1);
        T[,] b = Fill<T>(opB == MatrixOp.None ? k : n, opB == MatrixOp.None ? n : k, 2);
        var c = new T[m, n];
        return () => Kernels.Gemm.Multiply(new ReadOnlySpan2D<T>(a), opA, new ReadOnlySpan2D<T>(b), opB, T.One, T.Zero, new Span2D<T>(c));
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
