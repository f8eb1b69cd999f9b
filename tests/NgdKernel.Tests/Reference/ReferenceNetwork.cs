namespace NgdKernel.Tests.Reference;

/// <summary>
/// A naive double-precision copy of a <see cref="Network{T}"/>: per-example loops for Eq. 1 (forward),
/// Eq. 6 (loss), Eq. 7-8 (backprop), the Jacobian of the output and the full Fisher matrix
/// <c>F = &lt;J^T SigmaT^-1 J&gt;</c>. Parameters are vectorised layer by layer, each weight matrix
/// row-major (bias last in each row), matching the library's layout.
/// </summary>
internal sealed class ReferenceNetwork
{
    public ReferenceNetwork(double[][,] weights, Activation[] activations, bool bias, double[,] precision)
    {
        Weights = weights;
        Activations = activations;
        Bias = bias;
        Precision = precision;
    }

    public double[][,] Weights { get; }

    public Activation[] Activations { get; }

    public bool Bias { get; }

    /// <summary><c>S = SigmaT^-1</c>.</summary>
    public double[,] Precision { get; }

    public int LayerCount => Weights.Length;

    public int ParameterCount => Weights.Sum(w => w.Length);

    public int OutputSize => Weights[^1].Rows();

    public static ReferenceNetwork From<T>(Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var weights = new double[network.LayerCount][,];
        var activations = new Activation[network.LayerCount];
        for (int l = 0; l < network.LayerCount; l++)
        {
            var w = network.Weights(l);
            weights[l] = new double[w.Height, w.Width];
            for (int r = 0; r < w.Height; r++)
            {
                for (int c = 0; c < w.Width; c++)
                {
                    weights[l][r, c] = double.CreateChecked(w[r, c]);
                }
            }

            activations[l] = network.ActivationOf(l);
        }

        int n = network.OutputSize;
        double[] s = network.Options.OutputCovariance.PrecisionDense(n);
        var precision = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                precision[i, j] = s[(i * n) + j];
            }
        }

        return new ReferenceNetwork(weights, activations, network.HasBias, precision);
    }

    public static double Phi(Activation a, double z) => a switch
    {
        Activation.Identity => z,
        Activation.Tanh => Math.Tanh(z),
        Activation.Logistic => 1 / (1 + Math.Exp(-z)),
        Activation.Relu => Math.Max(z, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    public static double PhiPrime(Activation a, double z) => a switch
    {
        Activation.Identity => 1,
        Activation.Tanh => 1 - (Math.Tanh(z) * Math.Tanh(z)),
        Activation.Logistic => Phi(a, z) * (1 - Phi(a, z)),
        Activation.Relu => z > 0 ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    /// <summary>Eq. 1 for one example; returns the inputs of every layer (with the bias 1) and pre-activations.</summary>
    public (double[][] Inputs, double[][] PreActivations, double[] Output) Forward(double[] x)
    {
        var inputs = new double[LayerCount][];
        var pre = new double[LayerCount][];
        double[] current = x;
        for (int l = 0; l < LayerCount; l++)
        {
            double[,] w = Weights[l];
            double[] input = Bias ? [.. current, 1.0] : current;
            inputs[l] = input;
            var z = new double[w.Rows()];
            var next = new double[w.Rows()];
            for (int r = 0; r < w.Rows(); r++)
            {
                double s = 0;
                for (int c = 0; c < w.Cols(); c++)
                {
                    s += w[r, c] * input[c];
                }

                z[r] = s;
                next[r] = Phi(Activations[l], s);
            }

            pre[l] = z;
            current = next;
        }

        return (inputs, pre, current);
    }

    public static double[] Row(double[,] a, int r) => [.. Enumerable.Range(0, a.Cols()).Select(c => a[r, c])];

    /// <summary>Eq. 6: mean over rows of <c>0.5 (y - x_L)^T S (y - x_L)</c>.</summary>
    public double Loss(double[,] inputs, double[,] targets)
    {
        double total = 0;
        for (int m = 0; m < inputs.Rows(); m++)
        {
            double[] x = Forward(Row(inputs, m)).Output;
            double[] d = [.. Row(targets, m).Select((y, k) => y - x[k])];
            for (int i = 0; i < d.Length; i++)
            {
                for (int j = 0; j < d.Length; j++)
                {
                    total += 0.5 * d[i] * Precision[i, j] * d[j];
                }
            }
        }

        return total / inputs.Rows();
    }

    /// <summary>Eq. 7-8: <c>G_l = &lt;e_l x_{l-1}^T&gt;</c> (the negative gradient) per layer.</summary>
    public double[][,] NegativeGradient(double[,] inputs, double[,] targets)
    {
        var g = Weights.Select(w => new double[w.Rows(), w.Cols()]).ToArray();
        int rows = inputs.Rows();
        for (int m = 0; m < rows; m++)
        {
            (double[][] ins, double[][] pre, double[] output) = Forward(Row(inputs, m));
            double[] y = Row(targets, m);
            var e = new double[output.Length];
            for (int i = 0; i < e.Length; i++)
            {
                double s = 0;
                for (int j = 0; j < e.Length; j++)
                {
                    s += Precision[i, j] * (y[j] - output[j]);
                }

                e[i] = PhiPrime(Activations[^1], pre[^1][i]) * s;
            }

            for (int l = LayerCount - 1; l >= 0; l--)
            {
                for (int r = 0; r < e.Length; r++)
                {
                    for (int c = 0; c < ins[l].Length; c++)
                    {
                        g[l][r, c] += e[r] * ins[l][c] / rows;
                    }
                }

                if (l > 0)
                {
                    e = ErrorBelow(l, e, pre[l - 1]);
                }
            }
        }

        return g;
    }

    /// <summary>
    /// Eq. 8: the error of layer <c>l - 1</c> from that of layer <c>l</c>,
    /// <c>e_{l-1} = phi'(z_{l-1}) o (W_l^T e_l)</c>, with <paramref name="preBelow"/> = <c>z_{l-1}</c>
    /// (a bias column of <c>W_l</c> sends nothing down).
    /// </summary>
    private double[] ErrorBelow(int l, double[] e, double[] preBelow)
    {
        var below = new double[preBelow.Length];
        for (int c = 0; c < below.Length; c++)
        {
            double s = 0;
            for (int r = 0; r < e.Length; r++)
            {
                s += Weights[l][r, c] * e[r];
            }

            below[c] = PhiPrime(Activations[l - 1], preBelow[c]) * s;
        }

        return below;
    }

    /// <summary>Jacobian <c>d x_L / d theta</c>, <c>[n_L, P]</c>, for one example.</summary>
    public double[,] Jacobian(double[] x)
    {
        (double[][] ins, double[][] pre, double[] output) = Forward(x);
        var j = new double[output.Length, ParameterCount];
        for (int k = 0; k < output.Length; k++)
        {
            var e = new double[output.Length];
            e[k] = PhiPrime(Activations[^1], pre[^1][k]);
            for (int l = LayerCount - 1; l >= 0; l--)
            {
                int offset = Weights.Take(l).Sum(w => w.Length);
                for (int r = 0; r < e.Length; r++)
                {
                    for (int c = 0; c < ins[l].Length; c++)
                    {
                        j[k, offset + (r * ins[l].Length) + c] = e[r] * ins[l][c];
                    }
                }

                if (l > 0)
                {
                    e = ErrorBelow(l, e, pre[l - 1]);
                }
            }
        }

        return j;
    }

    /// <summary>Full Fisher matrix <c>F = (1/M) sum_m J_m^T S J_m</c> over the rows of <paramref name="inputs"/> (Eq. 5 with Gaussian output).</summary>
    public double[,] Fisher(double[,] inputs)
    {
        int p = ParameterCount;
        var f = new double[p, p];
        for (int m = 0; m < inputs.Rows(); m++)
        {
            double[,] j = Jacobian(Row(inputs, m));
            double[,] sj = Dense.Multiply(Precision, j);
            for (int a = 0; a < p; a++)
            {
                for (int b = 0; b < p; b++)
                {
                    double s = 0;
                    for (int k = 0; k < j.Rows(); k++)
                    {
                        s += j[k, a] * sj[k, b];
                    }

                    f[a, b] += s / inputs.Rows();
                }
            }
        }

        return f;
    }

    /// <summary>Concatenates per-layer matrices (row-major) into one parameter vector.</summary>
    public static double[] Flatten(double[][,] blocks) => [.. blocks.SelectMany(b => b.Cast<double>())];

    /// <summary>Splits a parameter vector into blocks shaped like the weights.</summary>
    public double[][,] Unflatten(double[] theta)
    {
        var blocks = new double[LayerCount][,];
        int offset = 0;
        for (int l = 0; l < LayerCount; l++)
        {
            blocks[l] = new double[Weights[l].Rows(), Weights[l].Cols()];
            for (int r = 0; r < Weights[l].Rows(); r++)
            {
                for (int c = 0; c < Weights[l].Cols(); c++)
                {
                    blocks[l][r, c] = theta[offset++];
                }
            }
        }

        return blocks;
    }

    /// <summary><c>W_{L-1} ... W_{l+1}</c> (layers above <paramref name="layer"/>), identity when none (no-bias networks).</summary>
    public double[,] Above(int layer)
    {
        double[,] a = Dense.Identity(OutputSize);
        for (int k = LayerCount - 1; k > layer; k--)
        {
            a = Dense.Multiply(a, Weights[k]);
        }

        return a;
    }

    /// <summary><c>W_{l-1} ... W_0</c> (layers below <paramref name="layer"/>), identity when none (no-bias networks).</summary>
    public double[,] Below(int layer)
    {
        double[,] b = Dense.Identity(Weights[0].Cols());
        for (int k = 0; k < layer; k++)
        {
            b = Dense.Multiply(Weights[k], b);
        }

        return b;
    }

    /// <summary>End-to-end product <c>W = W_{L-1} ... W_0</c> (linear, no bias).</summary>
    public double[,] Product() => Dense.Multiply(Above(0), Weights[0]);

    /// <summary>First-order change of the product under per-layer changes (Eq. 17).</summary>
    public double[,] ProductChange(double[][,] changes)
    {
        double[,] total = new double[OutputSize, Weights[0].Cols()];
        for (int l = 0; l < LayerCount; l++)
        {
            total = Dense.Add(total, Dense.Multiply(Above(l), changes[l], Below(l)));
        }

        return total;
    }
}
