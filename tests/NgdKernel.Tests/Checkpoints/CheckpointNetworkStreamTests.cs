using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NgdKernel.Tests.Checkpoints;

/// <summary>
/// A network alone through a stream, in the one checkpoint format (weights-only, optimizer kind 0):
/// bit-identical round trips, and every truncation, bit flip, re-sealed bad value, other element
/// type and other architecture rejected with a <see cref="CheckpointFormatException"/> that names
/// the stream and the byte offset, leaving the target network unchanged.
/// </summary>
public sealed class CheckpointNetworkStreamTests
{
    private const string StreamName = "(stream)";

    private static NetworkOptions Options => new()
    {
        Widths = [3, 4, 2],
        Activations = [Activation.Tanh, Activation.Logistic],
        Bias = true,
        OutputCovariance = OutputCovariance.Full(new double[,] { { 2, 0.5 }, { 0.5, 1 } }),
        Seed = 9,
    };

    /// <summary>
    /// Offset of the first weight in a checkpoint of <see cref="Options"/> (docs/checkpoint-format.md):
    /// 32-byte header, layer count, 3 widths, 2 activations, bias and covariance kind bytes (52),
    /// padded to 56, then the 2x2 float64 covariance (32 bytes).
    /// </summary>
    private const int FirstWeightOffset = 88;

    [Fact]
    public void Checkpoint_NetworkStream_RoundTripsBitIdentically_Float() => AssertRoundTrip<float>();

    [Fact]
    public void Checkpoint_NetworkStream_RoundTripsBitIdentically_Double() => AssertRoundTrip<double>();

    [Fact]
    public void Checkpoint_NetworkStream_IsotropicNoBiasNetwork_RoundTrips()
    {
        var network = new Network<double>(new NetworkOptions { Widths = [5, 1], Bias = false, OutputCovariance = OutputCovariance.Isotropic(0.25), Seed = 3 });
        byte[] bytes = Save(network);
        Network<double> loaded = Checkpoint.LoadNetwork<double>(new MemoryStream(bytes));
        Assert.False(loaded.HasBias);
        Assert.True(loaded.Options.OutputCovariance.IsIsotropic);
        Assert.Equal(0.25, loaded.Options.OutputCovariance.Variance);
        Assert.Equal(WeightBytes(network), WeightBytes(loaded));
        Assert.Equal(bytes, Save(loaded));
    }

    [Fact]
    public void Checkpoint_NetworkStream_SameBytesAsFile_AndReadsOnlyItsOwnLength()
    {
        var network = new Network<float>(Options);
        using var folder = new TempFolder();
        string path = folder.File("w.ckpt");
        Checkpoint.Save(path, network);
        byte[] bytes = Save(network);
        Assert.Equal(File.ReadAllBytes(path), bytes);
        Assert.Equal(CheckpointOptimizerKind.None, Checkpoint.ReadInfo(path).Optimizer);

        // Two checkpoints back to back in one stream, then other bytes: each load stops at its end.
        var second = new Network<float>(Options with { Seed = 10 });
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, network);
        Checkpoint.Save(stream, second);
        stream.WriteByte(0x5A);
        stream.Position = 0;
        Assert.Equal(WeightBytes(network), WeightBytes(Checkpoint.LoadNetwork<float>(stream)));
        Assert.Equal(bytes.Length, stream.Position);
        var target = new Network<float>(Options with { Seed = 11 });
        Checkpoint.Load(stream, target);
        Assert.Equal(WeightBytes(second), WeightBytes(target));
        Assert.Equal(0x5A, stream.ReadByte());
    }

    [Fact]
    public void Checkpoint_NetworkStream_RejectsEveryTruncation()
    {
        (byte[] bytes, Network<float> target, byte[] before) = SavedAndTarget<float>();
        for (int length = 0; length < bytes.Length; length++)
        {
            byte[] truncated = bytes[..length];
            CheckpointFormatException e = AssertRejected(() => Checkpoint.LoadNetwork<float>(new MemoryStream(truncated)), truncated.Length);
            Assert.True(e.Message.Contains("truncated", StringComparison.Ordinal), $"length {length}: {e.Message}");
            AssertRejected(() => Checkpoint.Load(new MemoryStream(truncated), target), truncated.Length);
        }

        Assert.Equal(before, WeightBytes(target));
    }

    /// <summary>
    /// CRC-32C detects every single-bit error, so each flip is caught by the first check that covers
    /// its byte: the magic, the version (read before the header checksum so that a newer file says
    /// so), the header checksum, or the payload checksum.
    /// </summary>
    [Fact]
    public void Checkpoint_NetworkStream_RejectsEveryBitFlip()
    {
        (byte[] bytes, Network<double> target, byte[] before) = SavedAndTarget<double>();
        for (int bit = 0; bit < 8 * bytes.Length; bit++)
        {
            byte[] flipped = (byte[])bytes.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            (long offset, string reason) = (bit / 8) switch
            {
                < 8 => (0L, "bad magic bytes"),
                < 12 => (8L, "format version"),
                < Checkpoint.HeaderLength => (28L, "header checksum mismatch"),
                _ => (Checkpoint.HeaderLength, "payload checksum mismatch"),
            };
            CheckpointFormatException e = AssertRejected(() => Checkpoint.Load(new MemoryStream(flipped), target), bytes.Length);
            Assert.True(e.Offset == offset && e.Reason.Contains(reason, StringComparison.Ordinal), $"bit {bit}: {e.Message}");
        }

        Assert.Equal(before, WeightBytes(target));
    }

    /// <summary>Corruption behind valid checksums (re-sealed) reaches the parser, which names the field.</summary>
    [Fact]
    public void Checkpoint_NetworkStream_ResealedBadValues_AreNamed()
    {
        var network = new Network<float>(Options);
        byte[] bytes = Save(network);
        Assert.Equal(network.Weights(0)[0, 0], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(FirstWeightOffset)));

        byte[] nan = (byte[])bytes.Clone();
        BinaryPrimitives.WriteSingleLittleEndian(nan.AsSpan(FirstWeightOffset + (4 * 5)), float.NaN); // layer 0 is 4x4: [1, 1]
        Checkpoint.Reseal(nan);
        CheckpointFormatException e = AssertRejected(() => Checkpoint.LoadNetwork<float>(new MemoryStream(nan)), nan.Length);
        Assert.Equal(FirstWeightOffset + (4 * 5), e.Offset);
        Assert.Contains("weights of layer 0 holds NaN at [1, 1]", e.Reason, StringComparison.Ordinal);

        byte[] activation = (byte[])bytes.Clone();
        activation[Checkpoint.HeaderLength + 4 + 12 + 1] = 9; // layer 1's activation code
        Checkpoint.Reseal(activation);
        e = AssertRejected(() => Checkpoint.LoadNetwork<float>(new MemoryStream(activation)), activation.Length);
        Assert.Equal(Checkpoint.HeaderLength + 4 + 12 + 1, e.Offset);
        Assert.Contains("activation of layer 1 has code 9", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_NetworkStream_RejectsOtherElementType()
    {
        byte[] single = Save(new Network<float>(Options));
        CheckpointFormatException e = AssertRejected(() => Checkpoint.LoadNetwork<double>(new MemoryStream(single)), single.Length);
        Assert.Equal(12, e.Offset);
        Assert.Contains("holds float32 elements but the network is float64", e.Reason, StringComparison.Ordinal);

        var target = new Network<double>(Options);
        byte[] before = WeightBytes(target);
        AssertRejected(() => Checkpoint.Load(new MemoryStream(single), target), single.Length);
        Assert.Equal(before, WeightBytes(target));

        byte[] twice = Save(target);
        e = AssertRejected(() => Checkpoint.LoadNetwork<float>(new MemoryStream(twice)), twice.Length);
        Assert.Contains("holds float64 elements but the network is float32", e.Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string> OtherArchitectures => new() { "widths", "bias", "activation", "covariance" };

    [Theory]
    [MemberData(nameof(OtherArchitectures))]
    public void Checkpoint_NetworkStream_RejectsOtherArchitecture(string change)
    {
        byte[] bytes = Save(new Network<double>(Options));
        NetworkOptions other = change switch
        {
            "widths" => Options with { Widths = [3, 5, 2] },
            "bias" => Options with { Bias = false },
            "activation" => Options with { Activations = [Activation.Tanh, Activation.Identity] },
            _ => Options with { OutputCovariance = OutputCovariance.Isotropic(1) },
        };
        var target = new Network<double>(other);
        byte[] before = WeightBytes(target);
        CheckpointFormatException e = AssertRejected(() => Checkpoint.Load(new MemoryStream(bytes), target), bytes.Length);
        string expected = change switch
        {
            "widths" => "widths [3, 4, 2] bias=True but the target has [3, 5, 2] bias=True",
            "bias" => "bias=True but the target has [3, 4, 2] bias=False",
            "activation" => "layer 1 has activation Logistic in the checkpoint but Identity in the target",
            _ => "the checkpoint's output covariance differs from the target's",
        };
        Assert.Contains(expected, e.Reason, StringComparison.Ordinal);
        Assert.Equal(before, WeightBytes(target));
    }

    [Fact]
    public void Checkpoint_NetworkStream_IsNotOptimizerState()
    {
        (byte[] bytes, Network<double> network, byte[] before) = SavedAndTarget<double>();
        CheckpointFormatException e = AssertRejected(
            () => Checkpoint.Load(new MemoryStream(bytes), new SgdOptimizer<double>(network, new SgdOptions())), bytes.Length);
        Assert.Contains("holds None optimizer state but the optimizer is a SgdOptimizer", e.Reason, StringComparison.Ordinal);
        Assert.Equal(before, WeightBytes(network));
    }

    [Fact]
    public void Checkpoint_NetworkStream_BadArguments()
    {
        var network = new Network<float>(Options);
        Assert.Throws<ArgumentNullException>(() => Checkpoint.Save((Stream)null!, network));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.Save(new MemoryStream(), (Network<float>)null!));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.LoadNetwork<float>((Stream)null!));
        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => Checkpoint.Save(new MemoryStream([], writable: false), network)).ParamName);
        using var unreadable = new UnreadableStream();
        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => Checkpoint.LoadNetwork<float>(unreadable)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => Checkpoint.Load(unreadable, network)).ParamName);

        // A non-finite weight is named and nothing is written.
        network.Weights(1)[1, 4] = float.PositiveInfinity;
        using var stream = new MemoryStream();
        var e = Assert.Throws<InvalidOperationException>(() => Checkpoint.Save(stream, network));
        Assert.Contains("weights of layer 1 holds Infinity at [1, 4]. Nothing was written.", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
    }

    private static void AssertRoundTrip<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var network = new Network<T>(Options);
        byte[] bytes = Save(network);
        Assert.Equal(Checkpoint.ToBytes(network, null), bytes);

        Network<T> loaded = Checkpoint.LoadNetwork<T>(new MemoryStream(bytes));
        Assert.Equal(network.Widths.ToArray(), loaded.Widths.ToArray());
        Assert.True(loaded.HasBias);
        Assert.Equal(Activation.Tanh, loaded.ActivationOf(0));
        Assert.Equal(Activation.Logistic, loaded.ActivationOf(1));
        Assert.Equal(network.Options.OutputCovariance.ToDense(2), loaded.Options.OutputCovariance.ToDense(2));
        Assert.Equal(WeightBytes(network), WeightBytes(loaded));
        Assert.Equal(bytes, Save(loaded));

        var other = new Network<T>(Options with { Seed = 10 });
        Assert.NotEqual(WeightBytes(network), WeightBytes(other));
        var stream = new MemoryStream(bytes);
        Checkpoint.Load(stream, other);
        Assert.Equal(bytes.Length, stream.Position);
        Assert.Equal(WeightBytes(network), WeightBytes(other));
    }

    /// <summary>
    /// The saved bytes of a network with <see cref="Options"/>, and a target of the same architecture
    /// with other weights (seed 10) together with a copy of those weights.
    /// </summary>
    private static (byte[] Bytes, Network<T> Target, byte[] TargetWeights) SavedAndTarget<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var target = new Network<T>(Options with { Seed = 10 });
        return (Save(new Network<T>(Options)), target, WeightBytes(target));
    }

    private static byte[] Save<T>(Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, network);
        return stream.ToArray();
    }

    /// <summary>Every layer's weights as raw bytes: equality is bit equality (NaN payloads, signed zeros).</summary>
    private static byte[] WeightBytes<T>(Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        [.. Enumerable.Range(0, network.LayerCount).SelectMany(l => MemoryMarshal.AsBytes(network.WeightMatrix(l).AsSpan()).ToArray())];

    private static CheckpointFormatException AssertRejected(Action load, long length)
    {
        var e = Assert.Throws<CheckpointFormatException>(load);
        Assert.Equal(StreamName, e.FilePath);
        Assert.InRange(e.Offset, 0, length);
        Assert.StartsWith($"{StreamName}: at byte offset {e.Offset}: ", e.Message, StringComparison.Ordinal);
        return e;
    }

    private sealed class UnreadableStream : MemoryStream
    {
        public override bool CanRead => false;
    }
}
