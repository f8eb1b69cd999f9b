using System.Buffers.Binary;
using static NgdKernel.Tests.Networks.NetworkTestData;

namespace NgdKernel.Tests.Checkpoints;

/// <summary>
/// Checkpoints through a stream (the one state format, without the atomic file replacement): exact
/// resume, and every bad input rejected with <see cref="CheckpointFormatException"/> and the target unchanged.
/// </summary>
public sealed class CheckpointStreamTests
{
    public enum Kind
    {
        SgdMomentum,
        NgdCholesky,
        NgdShermanMorrison,
        ExactSampled,
    }

    private static NetworkOptions Options => new()
    {
        Widths = [6, 8, 4, 6],
        HiddenActivation = Activation.Tanh,
        Bias = true,
        OutputCovariance = OutputCovariance.Isotropic(0.3),
        Seed = 17,
    };

    private static IOptimizer<double> Create(Kind kind, Network<double> network) => kind switch
    {
        Kind.SgdMomentum => new SgdOptimizer<double>(network, new SgdOptions { LearningRate = 0.05, Momentum = 0.8 }),
        Kind.NgdCholesky => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { SampleCount = 2, Seed = 4 }),
        Kind.NgdShermanMorrison => new NaturalGradientOptimizer<double>(network, new NaturalGradientOptions { Inverse = CurvatureInverse.ShermanMorrison, Window = 30, RefreshInterval = 4, Seed = 4 }),
        Kind.ExactSampled => new ExactNaturalGradientOptimizer<double>(network, new ExactNaturalGradientOptions { ErrorCovariance = CovarianceSource.Samples, LearningRate = 0.2, Seed = 4 }),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static void Train(IOptimizer<double> optimizer, double[,] data, int from, int to)
    {
        for (int t = from; t < to; t++)
        {
            var batch = new ReadOnlySpan2D<double>(data).Slice((t % 5) * 12, 0, 12, 6);
            optimizer.Step(batch, batch);
        }
    }

    /// <summary>N steps, checkpoint to a stream, load into fresh objects, M more steps: bit-identical to N + M.</summary>
    [Theory]
    [InlineData(Kind.SgdMomentum)]
    [InlineData(Kind.NgdCholesky)]
    [InlineData(Kind.NgdShermanMorrison)]
    [InlineData(Kind.ExactSampled)]
    public void Checkpoint_StreamRoundTrip_ResumesBitIdentically(Kind kind)
    {
        double[,] data = Dense(60, 6);
        var straight = new Network<double>(Options);
        IOptimizer<double> straightOptimizer = Create(kind, straight);
        Train(straightOptimizer, data, 0, 15);

        var first = new Network<double>(Options);
        IOptimizer<double> firstOptimizer = Create(kind, first);
        Train(firstOptimizer, data, 0, 9);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, new GuardedOptimizer<double>(firstOptimizer), [1, 2, 3]);
        Train(firstOptimizer, data, 9, 11); // moves on; the checkpoint holds step 9

        stream.Position = 0;
        var resumed = new Network<double>(Options with { Seed = 99 });
        IOptimizer<double> resumedOptimizer = Create(kind, resumed);
        byte[] application = Checkpoint.Load(stream, resumedOptimizer);
        Assert.Equal([1, 2, 3], application);
        Assert.Equal(stream.Length, stream.Position);
        Assert.Equal(9, resumedOptimizer.StepCount);
        Train(resumedOptimizer, data, 9, 15);

        for (int l = 0; l < straight.LayerCount; l++)
        {
            Assert.True(straight.Weights(l).ToArray().Cast<double>().SequenceEqual(resumed.Weights(l).ToArray().Cast<double>()), $"layer {l}");
        }
    }

    [Fact]
    public void Checkpoint_Stream_SameBytesAsFile_AndReadsOneCheckpointAtATime()
    {
        var network = new Network<double>(Options);
        IOptimizer<double> sgd = Create(Kind.SgdMomentum, network);
        Train(sgd, Dense(60, 6), 0, 2);
        string path = Path.Combine(Path.GetTempPath(), $"ngd-stream-{Guid.NewGuid():N}.ckpt");
        try
        {
            Checkpoint.Save(path, sgd, [7]);
            using var stream = new MemoryStream();
            Checkpoint.Save(stream, sgd, [7]);
            Assert.Equal(File.ReadAllBytes(path), stream.ToArray());

            // Two checkpoints back to back: each load stops at the end of its own.
            Train(sgd, Dense(60, 6), 2, 3);
            Checkpoint.Save(stream, sgd, [8]);
            stream.Position = 0;
            IOptimizer<double> target = Create(Kind.SgdMomentum, new Network<double>(Options));
            Assert.Equal([7], Checkpoint.Load(stream, target));
            Assert.Equal(2, target.StepCount);
            Assert.Equal([8], Checkpoint.Load(stream, target));
            Assert.Equal(3, target.StepCount);
            Assert.Equal(stream.Length, stream.Position);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Checkpoint_StreamLoad_RejectsOtherOptimizerCorruptionAndTruncationWithoutChanges()
    {
        var network = new Network<double>(Options);
        IOptimizer<double> sm = Create(Kind.NgdShermanMorrison, network);
        double[,] data = Dense(60, 6);
        Train(sm, data, 0, 3);
        using var state = new MemoryStream();
        Checkpoint.Save(state, sm);
        byte[] bytes = state.ToArray();

        var cholesky = (NaturalGradientOptimizer<double>)Create(Kind.NgdCholesky, new Network<double>(Options));
        byte[] before = Snapshot(cholesky.Network);
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(new MemoryStream(bytes), cholesky));
        Assert.Equal("(stream)", e.FilePath);
        Assert.Equal(before, Snapshot(cholesky.Network));
        Assert.Equal(0, cholesky.StepCount);
        Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(new MemoryStream(bytes), Create(Kind.SgdMomentum, new Network<double>(Options))));

        IOptimizer<double> fresh = Create(Kind.NgdShermanMorrison, new Network<double>(Options));
        before = Snapshot(fresh.Network);
        e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(new MemoryStream(bytes[..^5]), fresh));
        Assert.Equal(bytes.Length - 5, e.Offset);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(new MemoryStream(bytes[..20]), fresh));
        Assert.Equal(20, e.Offset);

        byte[] flipped = (byte[])bytes.Clone();
        flipped[^3] ^= 0x10;
        e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(new MemoryStream(flipped), fresh));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);

        // A header that declares more payload than the stream holds allocates only what is there.
        byte[] huge = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(huge.AsSpan(16), int.MaxValue - 100);
        BinaryPrimitives.WriteUInt32LittleEndian(huge.AsSpan(28), Crc32C.Compute(huge.AsSpan(0, 28)));
        long allocated = Allocations.Measure(
            () => e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(new MemoryStream(huge), fresh)));
        Assert.True(allocated < (1 << 17) + (4L * bytes.Length), $"allocated {allocated} bytes from the declared length");
        Assert.Equal(bytes.Length, e.Offset);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        BinaryPrimitives.WriteInt64LittleEndian(huge.AsSpan(16), long.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(huge.AsSpan(28), Crc32C.Compute(huge.AsSpan(0, 28)));
        Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load(new MemoryStream(huge), fresh));

        Assert.Equal(0, fresh.StepCount);
        Assert.Equal(before, Snapshot(fresh.Network));
        Assert.Throws<ArgumentException>(() => Checkpoint.Load(new UnreadableStream(), fresh));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(new UnreadableStream(), fresh));
    }

    private static byte[] Snapshot(Network<double> network)
    {
        var bytes = new List<byte>();
        for (int l = 0; l < network.LayerCount; l++)
        {
            bytes.AddRange(System.Runtime.InteropServices.MemoryMarshal.AsBytes(network.WeightMatrix(l).AsSpan()).ToArray());
        }

        return [.. bytes];
    }

    private static double[,] Dense(int rows, int columns) => Gaussian(rows, columns, 23, 0.5);

    private sealed class UnreadableStream : MemoryStream
    {
        public override bool CanRead => false;

        public override bool CanWrite => false;
    }
}
