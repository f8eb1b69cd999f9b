using System.Runtime.InteropServices;
using NgdKernel.Optimizers;

namespace NgdKernel.Checkpoints;

/// <summary>
/// The payload of a checkpoint (docs/checkpoint-format.md): architecture, weights, optimizer state.
/// One routine writes (measuring first), one routine parses; parsing runs twice when loading into
/// existing objects, first to validate everything and then to copy, so a failed load changes nothing.
/// </summary>
internal static class CheckpointCodec
{
    /// <summary>
    /// The architecture's output byte: the Gaussian's covariance form, or a non-Gaussian density, which
    /// has no covariance, in the same byte.
    /// </summary>
    private enum OutputKind : byte
    {
        IsotropicGaussian = 0,
        FullGaussian = 1,
        Categorical = 2,
        Bernoulli = 3,
    }

    /// <summary>
    /// Bit of the natural gradient's inverse-mode byte set when momentum buffers follow its state, so
    /// that a state without momentum keeps the bytes it always had.
    /// </summary>
    private const byte VelocityFlag = 0x80;

    public static CheckpointOptimizerKind KindOf<T>(IOptimizer<T>? optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => optimizer switch
        {
            null => CheckpointOptimizerKind.None,
            SgdOptimizer<T> => CheckpointOptimizerKind.Sgd,
            NaturalGradientOptimizer<T> => CheckpointOptimizerKind.NaturalGradient,
            ExactNaturalGradientOptimizer<T> => CheckpointOptimizerKind.ExactNaturalGradient,
            _ => throw new ArgumentException(
                $"'optimizer' is a {optimizer.GetType().Name}; checkpoints hold the state of SgdOptimizer, NaturalGradientOptimizer and ExactNaturalGradientOptimizer.",
                nameof(optimizer)),
        };

    // ---------------------------------------------------------------------------------- writing

    public static void Write<T>(ref PayloadWriter writer, Network<T> network, IOptimizer<T>? optimizer, ReadOnlySpan<byte> applicationData)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int layers = network.LayerCount;
        writer.WriteInt32(layers);
        foreach (int width in network.Widths)
        {
            writer.WriteInt32(width);
        }

        for (int l = 0; l < layers; l++)
        {
            writer.WriteByte((byte)network.ActivationOf(l));
        }

        writer.WriteBoolean(network.HasBias);
        OutputCovariance covariance = network.Options.OutputCovariance;
        if (network.OutputDensity != OutputDensity.Gaussian)
        {
            writer.WriteByte((byte)(network.OutputDensity == OutputDensity.Categorical ? OutputKind.Categorical : OutputKind.Bernoulli));
        }
        else if (covariance.IsIsotropic)
        {
            writer.WriteByte((byte)OutputKind.IsotropicGaussian);
            writer.WriteElements<double>([covariance.Variance]);
        }
        else
        {
            writer.WriteByte((byte)OutputKind.FullGaussian);
            writer.WriteElements<double>(covariance.ToDense(network.OutputSize));
        }

        for (int l = 0; l < layers; l++)
        {
            writer.WriteElements<T>(network.WeightMatrix(l).AsSpan());
        }

        writer.WriteByte((byte)KindOf(optimizer));
        writer.WriteInt64(optimizer?.StepCount ?? 0);
        Span<ulong> generator = stackalloc ulong[4];
        switch (optimizer)
        {
            case SgdOptimizer<T> sgd:
                writer.WriteBoolean(sgd.Velocity is not null);
                if (sgd.Velocity is not null)
                {
                    foreach (Matrix<T> v in sgd.Velocity)
                    {
                        writer.WriteElements<T>(v.AsSpan());
                    }
                }

                break;

            case NaturalGradientOptimizer<T> ngd:
                bool running = ngd.HasRunningCurvature;
                writer.WriteByte((byte)(ngd.CheckpointMode | (ngd.Velocity is null ? 0 : VelocityFlag)));
                writer.WriteDouble(ngd.Damping);
                ngd.GetGeneratorState(generator);
                WriteGenerator(ref writer, generator);
                if (running)
                {
                    (double refreshed, int steps, long examples) = ngd.RefreshState;
                    writer.WriteDouble(refreshed);
                    writer.WriteInt32(steps);
                    writer.WriteInt64(examples);
                    for (int l = 0; l < ngd.CurvatureLayerCount; l++)
                    {
                        LayerCurvature<T> layer = ngd.Curvature(l);
                        writer.WriteBoolean(layer.Initialized);
                        writer.WriteDouble(layer.InputEffectiveDamping);
                        writer.WriteDouble(layer.ErrorEffectiveDamping);
                        if (layer.Initialized)
                        {
                            writer.WriteElements<T>(layer.InputCovariance.AsSpan());
                            writer.WriteElements<T>(layer.ErrorCovariance.AsSpan());
                            writer.WriteElements<T>(layer.InputFactor.AsSpan());
                            writer.WriteElements<T>(layer.ErrorFactor.AsSpan());
                        }
                    }
                }

                foreach (Matrix<T> v in ngd.Velocity ?? [])
                {
                    writer.WriteElements<T>(v.AsSpan());
                }

                break;

            case ExactNaturalGradientOptimizer<T> exact:
                exact.GetGeneratorState(generator);
                WriteGenerator(ref writer, generator);
                break;
        }

        writer.WriteInt64(applicationData.Length);
        writer.WriteElements(applicationData);
    }

    /// <summary>Refuses to write a poisoned state over a good checkpoint.</summary>
    public static void CheckFinite<T>(Network<T> network, IOptimizer<T>? optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int l = 0; l < network.LayerCount; l++)
        {
            CheckFinite(network.WeightMatrix(l), "weights of layer", l);
        }

        switch (optimizer)
        {
            case SgdOptimizer<T> { Velocity: { } velocity }:
                CheckFiniteVelocity(velocity);
                break;
            case NaturalGradientOptimizer<T> { Velocity: { } velocity }:
                CheckFiniteVelocity(velocity);
                break;
            case NaturalGradientOptimizer<T> ngd when ngd.HasRunningCurvature:
                for (int l = 0; l < ngd.CurvatureLayerCount; l++)
                {
                    LayerCurvature<T> layer = ngd.Curvature(l);
                    if (layer.Initialized)
                    {
                        CheckFinite(layer.InputCovariance, "running input covariance of layer", l);
                        CheckFinite(layer.ErrorCovariance, "running error covariance of layer", l);
                        CheckFinite(layer.InputFactor, "running input inverse of layer", l);
                        CheckFinite(layer.ErrorFactor, "running error inverse of layer", l);
                    }
                }

                break;
        }
    }

    private static void CheckFiniteVelocity<T>(Matrix<T>[] velocity)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int l = 0; l < velocity.Length; l++)
        {
            CheckFinite(velocity[l], "momentum buffer of layer", l);
        }
    }

    private static void CheckFinite<T>(Matrix<T> matrix, string what, int layer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> values = matrix.AsSpan();
        if (!TensorPrimitives.IsFiniteAll(values))
        {
            int index = FirstNonFinite(values);
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Not saving a checkpoint: the {what} {layer} holds {values[index]} at [{index / matrix.Columns}, {index % matrix.Columns}]. Nothing was written."));
        }
    }

    private static void WriteGenerator(ref PayloadWriter writer, scoped ReadOnlySpan<ulong> state)
    {
        foreach (ulong word in state)
        {
            writer.WriteUInt64(word);
        }
    }

    // ---------------------------------------------------------------------------------- reading

    /// <summary>Validates everything against the targets, then copies (two passes over the same bytes).</summary>
    /// <returns>The application data stored with the checkpoint (empty when none).</returns>
    public static byte[] LoadInto<T>(ReadOnlySpan<byte> payload, string name, CheckpointElementType type, Network<T> network, IOptimizer<T>? optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckElementType<T>(type, name);
        var target = new Target<T>(network, optimizer);
        ParseAll(payload, name, target, apply: false);
        return ParseAll(payload, name, target, apply: true).ApplicationData;
    }

    public static Network<T> LoadNetwork<T>(ReadOnlySpan<byte> payload, string name, CheckpointElementType type, KernelContext? context)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckElementType<T>(type, name);
        Architecture architecture = ParseAll(payload, name, new Target<T>(null, null), apply: false);

        // Every size in the architecture has now been checked against the bytes present.
        var network = new Network<T>(architecture.ToOptions(), context);
        var target = new Target<T>(network, null);
        ParseAll(payload, name, target, apply: true);
        return network;
    }

    public static CheckpointInfo Describe(ReadOnlySpan<byte> payload, string name, CheckpointElementType type)
    {
        Architecture architecture = type == CheckpointElementType.Float32
            ? ParseAll(payload, name, new Target<float>(null, null), apply: false)
            : ParseAll(payload, name, new Target<double>(null, null), apply: false);
        return new CheckpointInfo(name, Checkpoint.FormatVersion, type, architecture.Widths, architecture.Activations,
            architecture.Bias, architecture.Optimizer, architecture.StepCount, architecture.ApplicationDataLength,
            Checkpoint.HeaderLength + (long)payload.Length)
        {
            OutputDensity = architecture.ToOptions().OutputDensity,
        };
    }

    private static void CheckElementType<T>(CheckpointElementType type, string name)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckpointElementType expected = Checkpoint.ElementTypeOf<T>();
        if (type != expected)
        {
            throw new CheckpointFormatException(name, 12,
                $"the checkpoint holds {Describe(type)} elements but the network is {Describe(expected)}: load it with the same precision it was saved in.");
        }
    }

    private static string Describe(CheckpointElementType type) => type == CheckpointElementType.Float32 ? "float32" : "float64";

    private static Architecture ParseAll<T>(ReadOnlySpan<byte> payload, string name, Target<T> target, bool apply)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var reader = new PayloadReader(payload, Checkpoint.HeaderLength, name);
        Architecture architecture = ParseArchitecture(ref reader);
        Network<T>? network = target.Network;
        if (network is not null)
        {
            architecture.CheckMatches(network, ref reader);
        }

        for (int l = 0; l < architecture.LayerCount; l++)
        {
            Span<T> destination = apply ? network!.WeightMatrix(l).AsSpan() : default;
            ReadMatrix(ref reader, architecture.Widths[l + 1], architecture.InputWidth(l), "weights of layer", l, destination);
        }

        long kindOffset = reader.Offset;
        int kindCode = reader.ReadByte("optimizer kind");
        if (kindCode > (int)CheckpointOptimizerKind.ExactNaturalGradient)
        {
            throw reader.ErrorAt(kindOffset, string.Create(CultureInfo.InvariantCulture,
                $"optimizer kind {kindCode} is unknown; expected 0 (none), 1 (SGD), 2 (natural gradient) or 3 (exact natural gradient)."));
        }

        var kind = (CheckpointOptimizerKind)kindCode;
        IOptimizer<T>? optimizer = target.Optimizer;
        if (optimizer is not null && KindOf(optimizer) != kind)
        {
            throw reader.ErrorAt(kindOffset,
                $"the checkpoint holds {kind} optimizer state but the optimizer is a {optimizer.GetType().Name.Split('`')[0]}.");
        }

        long stepOffset = reader.Offset;
        long steps = reader.ReadInt64("step count");
        if (steps < 0)
        {
            throw reader.ErrorAt(stepOffset, string.Create(CultureInfo.InvariantCulture, $"step count is {steps}; it must be >= 0."));
        }

        architecture.Optimizer = kind;
        architecture.StepCount = steps;
        switch (kind)
        {
            case CheckpointOptimizerKind.Sgd:
                ParseSgd(ref reader, architecture, optimizer as SgdOptimizer<T>, steps, apply);
                break;
            case CheckpointOptimizerKind.NaturalGradient:
                ParseNaturalGradient(ref reader, architecture, optimizer as NaturalGradientOptimizer<T>, steps, apply);
                break;
            case CheckpointOptimizerKind.ExactNaturalGradient:
                Span<ulong> generator = stackalloc ulong[4];
                ReadGenerator(ref reader, generator);
                if (apply && optimizer is ExactNaturalGradientOptimizer<T> exact)
                {
                    exact.RestoreState(steps, generator);
                }

                break;
        }

        long lengthOffset = reader.Offset;
        long applicationLength = reader.ReadInt64("application data length");
        if (applicationLength < 0 || applicationLength > reader.Remaining)
        {
            throw reader.ErrorAt(lengthOffset, string.Create(CultureInfo.InvariantCulture,
                $"application data length is {applicationLength} but {reader.Remaining} bytes remain: the file is truncated or the length is corrupt."));
        }

        ReadOnlySpan<byte> application = reader.ReadElements<byte>(applicationLength, "application data", out _);
        architecture.ApplicationDataLength = applicationLength;
        if (apply)
        {
            architecture.ApplicationData = application.ToArray();
        }

        if (reader.Remaining != 0)
        {
            throw reader.Error(string.Create(CultureInfo.InvariantCulture,
                $"{reader.Remaining} unexpected bytes after the end of the checkpoint (after the application data)."));
        }

        return architecture;
    }

    private static Architecture ParseArchitecture(ref PayloadReader reader)
    {
        int layers = reader.ReadInt32("layer count", 1, Checkpoint.MaxLayers);
        long widthsOffset = reader.Offset;
        if (reader.Remaining < 4L * (layers + 1))
        {
            throw reader.Error(string.Create(CultureInfo.InvariantCulture,
                $"{layers + 1} widths need {4 * (layers + 1)} bytes but only {reader.Remaining} remain: the file is truncated or the layer count is corrupt."));
        }

        var widths = new int[layers + 1];
        for (int l = 0; l <= layers; l++)
        {
            widths[l] = reader.ReadInt32(string.Create(CultureInfo.InvariantCulture, $"width n_{l}"), 1, Checkpoint.MaxWidth);
        }

        long activationsOffset = reader.Offset;
        var activations = new Activation[layers];
        for (int l = 0; l < layers; l++)
        {
            long offset = reader.Offset;
            byte code = reader.ReadByte("activation");
            if (code > (byte)Activation.Relu)
            {
                throw reader.ErrorAt(offset, string.Create(CultureInfo.InvariantCulture,
                    $"activation of layer {l} has code {code}; expected 0 (identity), 1 (tanh), 2 (logistic) or 3 (ReLU)."));
            }

            activations[l] = (Activation)code;
        }

        bool bias = reader.ReadBoolean("bias flag");
        long covarianceOffset = reader.Offset;
        var covarianceKind = (OutputKind)reader.ReadByte("output covariance kind");
        OutputCovariance covariance = OutputCovariance.Identity;
        OutputDensity density = OutputDensity.Gaussian;
        if (covarianceKind is OutputKind.Categorical or OutputKind.Bernoulli)
        {
            density = covarianceKind == OutputKind.Categorical ? OutputDensity.Categorical : OutputDensity.Bernoulli;
            if (density == OutputDensity.Categorical && widths[layers] < 2)
            {
                throw reader.ErrorAt(covarianceOffset, string.Create(CultureInfo.InvariantCulture,
                    $"output density is categorical but the output width is {widths[layers]}; it needs at least 2 classes."));
            }
        }
        else if (covarianceKind == OutputKind.IsotropicGaussian)
        {
            ReadOnlySpan<double> variance = reader.ReadElements<double>(1, "output variance", out long offset);
            if (!double.IsFinite(variance[0]) || !(variance[0] > 0))
            {
                throw reader.ErrorAt(offset, string.Create(CultureInfo.InvariantCulture,
                    $"output variance sigma^2 is {variance[0]}; it must be finite and > 0."));
            }

            covariance = OutputCovariance.Isotropic(variance[0]);
        }
        else if (covarianceKind == OutputKind.FullGaussian)
        {
            int n = widths[layers];
            ReadOnlySpan<double> dense = reader.ReadElements<double>((long)n * n, "output covariance", out long offset);
            var matrix = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    matrix[i, j] = dense[(i * n) + j];
                }
            }

            try
            {
                covariance = OutputCovariance.Full(matrix);
            }
            catch (ArgumentException e)
            {
                throw reader.ErrorAt(offset, "output covariance is invalid: " + e.Message);
            }
        }
        else
        {
            throw reader.ErrorAt(covarianceOffset, string.Create(CultureInfo.InvariantCulture,
                $"output covariance kind is {covarianceKind}; expected 0 (isotropic Gaussian), 1 (full Gaussian), 2 (categorical) or 3 (Bernoulli)."));
        }

        return new Architecture(widths, activations, bias, covariance, density, widthsOffset, activationsOffset, covarianceOffset);
    }

    private static void ParseSgd<T>(ref PayloadReader reader, Architecture architecture, SgdOptimizer<T>? sgd, long steps, bool apply)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        long offset = reader.Offset;
        bool hasVelocity = reader.ReadBoolean("momentum flag");
        if (sgd is not null && hasVelocity != sgd.Velocity is not null)
        {
            throw reader.ErrorAt(offset, hasVelocity
                ? "the checkpoint holds momentum buffers but the SGD optimizer has no momentum."
                : "the checkpoint has no momentum buffers but the SGD optimizer uses momentum.");
        }

        if (hasVelocity)
        {
            for (int l = 0; l < architecture.LayerCount; l++)
            {
                Span<T> destination = apply && sgd is not null ? sgd.Velocity![l].AsSpan() : default;
                ReadMatrix(ref reader, architecture.Widths[l + 1], architecture.InputWidth(l), "momentum buffer of layer", l, destination);
            }
        }

        if (apply && sgd is not null)
        {
            sgd.RestoreState(steps);
        }
    }

    private static void ParseNaturalGradient<T>(ref PayloadReader reader, Architecture architecture, NaturalGradientOptimizer<T>? ngd, long steps, bool apply)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        long modeOffset = reader.Offset;
        byte modeByte = reader.ReadByte("inverse mode");
        bool hasVelocity = (modeByte & VelocityFlag) != 0;
        byte mode = (byte)(modeByte & ~VelocityFlag);
        if (mode > NaturalGradientOptimizer<T>.AmortizedCheckpointMode)
        {
            throw reader.ErrorAt(modeOffset, string.Create(CultureInfo.InvariantCulture,
                $"inverse mode is {mode}; expected 0 (Cholesky), 1 (Sherman-Morrison) or 2 (amortized Cholesky)."));
        }

        if (ngd is not null && ngd.CheckpointMode != mode)
        {
            throw reader.ErrorAt(modeOffset,
                $"the checkpoint holds {ModeName(mode)} state but the optimizer uses {ModeName(ngd.CheckpointMode)} inverses.");
        }

        if (ngd is not null && hasVelocity != ngd.Velocity is not null)
        {
            throw reader.ErrorAt(modeOffset, hasVelocity
                ? "the checkpoint holds momentum buffers but the natural-gradient optimizer has no momentum."
                : "the checkpoint has no momentum buffers but the natural-gradient optimizer uses momentum.");
        }

        long dampingOffset = reader.Offset;
        double damping = reader.ReadDouble("damping");
        if (!double.IsFinite(damping) || !(damping > 0))
        {
            throw reader.ErrorAt(dampingOffset, string.Create(CultureInfo.InvariantCulture,
                $"damping lambda is {damping}; it must be finite and > 0."));
        }

        if (ngd is not null && (damping < ngd.Options.MinDamping || damping > ngd.Options.MaxDamping))
        {
            throw reader.ErrorAt(dampingOffset, string.Create(CultureInfo.InvariantCulture,
                $"damping lambda is {damping}, outside the optimizer's bounds [MinDamping, MaxDamping] = [{ngd.Options.MinDamping}, {ngd.Options.MaxDamping}]."));
        }

        Span<ulong> generator = stackalloc ulong[4];
        ReadGenerator(ref reader, generator);
        double refreshed = double.NaN;
        int stepsSinceRefresh = 0;
        long examplesSinceRefresh = 0;
        if (mode != (byte)CurvatureInverse.Cholesky)
        {
            long offset = reader.Offset;
            refreshed = reader.ReadDouble("refresh damping");
            if (!double.IsNaN(refreshed) && !(double.IsFinite(refreshed) && refreshed > 0))
            {
                throw reader.ErrorAt(offset, string.Create(CultureInfo.InvariantCulture,
                    $"damping of the last refresh is {refreshed}; it must be NaN (never refreshed) or finite and > 0."));
            }

            stepsSinceRefresh = reader.ReadInt32("steps since refresh", 0, int.MaxValue);
            offset = reader.Offset;
            examplesSinceRefresh = reader.ReadInt64("examples since refresh");
            if (examplesSinceRefresh < 0)
            {
                throw reader.ErrorAt(offset, string.Create(CultureInfo.InvariantCulture,
                    $"examples since refresh is {examplesSinceRefresh}; it must be >= 0."));
            }

            for (int l = 0; l < architecture.LayerCount; l++)
            {
                bool initialized = reader.ReadBoolean(string.Create(CultureInfo.InvariantCulture, $"initialized flag of layer {l}"));
                double right = ReadEffectiveDamping(ref reader, "input", l);
                double left = ReadEffectiveDamping(ref reader, "error", l);
                int input = architecture.InputWidth(l);
                int output = architecture.Widths[l + 1];
                LayerCurvature<T>? layer = apply ? ngd?.Curvature(l) : null;
                if (initialized)
                {
                    ReadMatrix(ref reader, input, input, "running input covariance of layer", l, layer is null ? default : layer.InputCovariance.AsSpan());
                    ReadMatrix(ref reader, output, output, "running error covariance of layer", l, layer is null ? default : layer.ErrorCovariance.AsSpan());
                    ReadMatrix(ref reader, input, input, "running input inverse of layer", l, layer is null ? default : layer.InputFactor.AsSpan());
                    ReadMatrix(ref reader, output, output, "running error inverse of layer", l, layer is null ? default : layer.ErrorFactor.AsSpan());
                }

                layer?.RestoreRunningFlags(initialized, right, left);
            }
        }

        if (hasVelocity)
        {
            for (int l = 0; l < architecture.LayerCount; l++)
            {
                Span<T> destination = apply && ngd is not null ? ngd.Velocity![l].AsSpan() : default;
                ReadMatrix(ref reader, architecture.Widths[l + 1], architecture.InputWidth(l), "momentum buffer of layer", l, destination);
            }
        }

        if (apply && ngd is not null)
        {
            ngd.RestoreState(steps, damping, generator, refreshed, stepsSinceRefresh, examplesSinceRefresh);
        }
    }

    private static string ModeName(byte mode) =>
        mode == NaturalGradientOptimizer<double>.AmortizedCheckpointMode ? "amortized Cholesky (InverseUpdatePeriod > 1)" : ((CurvatureInverse)mode).ToString();

    private static double ReadEffectiveDamping(ref PayloadReader reader, string side, int layer)
    {
        long offset = reader.Offset;
        double value = reader.ReadDouble("effective damping");
        if (!double.IsFinite(value) || value < 0)
        {
            throw reader.ErrorAt(offset, string.Create(CultureInfo.InvariantCulture,
                $"effective damping of the running {side} inverse of layer {layer} is {value}; it must be finite and >= 0."));
        }

        return value;
    }

    private static void ReadGenerator(ref PayloadReader reader, scoped Span<ulong> state)
    {
        long offset = reader.Offset;
        for (int i = 0; i < 4; i++)
        {
            state[i] = reader.ReadUInt64("generator state");
        }

        if ((state[0] | state[1] | state[2] | state[3]) == 0)
        {
            throw reader.ErrorAt(offset, "generator state is all zero, which xoshiro256** never reaches.");
        }
    }

    /// <summary>Reads a <c>[rows, columns]</c> block, checks every element is finite, copies it when a destination is given.</summary>
    private static void ReadMatrix<T>(ref PayloadReader reader, int rows, int columns, string what, int layer, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string label = string.Create(CultureInfo.InvariantCulture, $"{what} {layer} ([{rows}, {columns}])");
        ReadOnlySpan<T> values = reader.ReadElements<T>((long)rows * columns, label, out long offset);
        if (!TensorPrimitives.IsFiniteAll(values))
        {
            int index = FirstNonFinite(values);
            throw reader.ErrorAt(offset + ((long)index * Marshal.SizeOf<T>()), string.Create(CultureInfo.InvariantCulture,
                $"{what} {layer} holds {values[index]} at [{index / columns}, {index % columns}]; checkpoints hold finite values only."));
        }

        if (!destination.IsEmpty)
        {
            values.CopyTo(destination);
        }
    }

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or -1.</summary>
    internal static int FirstNonFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private readonly record struct Target<T>(Network<T>? Network, IOptimizer<T>? Optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>The architecture section, with the offsets that errors about it point at.</summary>
    private sealed class Architecture(int[] widths, Activation[] activations, bool bias, OutputCovariance covariance,
        OutputDensity density, long widthsOffset, long activationsOffset, long covarianceOffset)
    {
        public int[] Widths { get; } = widths;

        public Activation[] Activations { get; } = activations;

        public bool Bias { get; } = bias;

        public int LayerCount => Activations.Length;

        public CheckpointOptimizerKind Optimizer { get; set; }

        public long StepCount { get; set; }

        public long ApplicationDataLength { get; set; }

        public byte[] ApplicationData { get; set; } = [];

        public int InputWidth(int layer) => Widths[layer] + (Bias ? 1 : 0);

        public NetworkOptions ToOptions() => new()
        {
            Widths = Widths,
            Activations = Activations,
            Bias = Bias,
            OutputCovariance = covariance,
            OutputDensity = density,
            InitScale = 0,
        };

        public void CheckMatches<T>(Network<T> network, ref PayloadReader reader)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            if (!network.Widths.SequenceEqual(Widths) || network.HasBias != Bias)
            {
                throw reader.ErrorAt(widthsOffset, string.Create(CultureInfo.InvariantCulture,
                    $"the checkpoint's network has widths [{string.Join(", ", Widths)}] bias={Bias} but the target has [{string.Join(", ", network.Widths.ToArray())}] bias={network.HasBias}."));
            }

            for (int l = 0; l < LayerCount; l++)
            {
                if (network.ActivationOf(l) != Activations[l])
                {
                    throw reader.ErrorAt(activationsOffset + l, string.Create(CultureInfo.InvariantCulture,
                        $"layer {l} has activation {Activations[l]} in the checkpoint but {network.ActivationOf(l)} in the target."));
                }
            }

            if (network.OutputDensity != density)
            {
                throw reader.ErrorAt(covarianceOffset, string.Create(CultureInfo.InvariantCulture,
                    $"the checkpoint's output density is {density} but the target's is {network.OutputDensity}."));
            }

            OutputCovariance mine = network.Options.OutputCovariance;
            bool same = mine.IsIsotropic == covariance.IsIsotropic
                && (mine.IsIsotropic
                    ? mine.Variance.Equals(covariance.Variance)
                    : mine.ToDense(network.OutputSize).AsSpan().SequenceEqual(covariance.ToDense(network.OutputSize)));
            if (!same)
            {
                throw reader.ErrorAt(covarianceOffset, mine.IsIsotropic && covariance.IsIsotropic
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"the checkpoint's output variance is {covariance.Variance} but the target's is {mine.Variance}.")
                    : "the checkpoint's output covariance differs from the target's.");
            }
        }
    }
}
