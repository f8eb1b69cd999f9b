using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using NgdKernel.CheckpointWriter;
using NgdKernel.Data;
using NgdKernel.Experiments;

namespace NgdKernel.Tests.Reliability;

/// <summary>
/// Seeded mutation fuzzing of checkpoint and IDX files: bit flips, byte overwrites, truncations,
/// extensions and huge declared sizes, half of the checkpoint cases re-sealed with fresh checksums
/// so that the parser behind the checksum is reached. Every case must load valid data or throw the
/// documented exception naming the file and an offset inside it; no other exception, no case over a
/// second, and no allocation beyond a small multiple of the file's length.
/// </summary>
public sealed class FileFuzzTests(ITestOutputHelper output)
{
    private const string Name = "fuzz.ckpt";

    /// <summary>CI-sized; NGD_FUZZ_SCALE multiplies the case counts.</summary>
    private static int Scale =>
        int.TryParse(Environment.GetEnvironmentVariable("NGD_FUZZ_SCALE"), CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 1;

    [Fact]
    public void Checkpoint_MutatedFiles_LoadOrThrowDocumentedException()
    {
        var bases = new List<(string Scenario, byte[] Bytes)>();
        foreach (string scenario in new[] { "sgd-momentum", "ngd-sherman-morrison", "ngd-cholesky-float", "exact" })
        {
            bases.Add((scenario, BaseCheckpoint(scenario)));
        }

        var fullCovariance = new Network<double>(new NetworkOptions
        {
            Widths = [3, 4, 2],
            Bias = true,
            OutputCovariance = OutputCovariance.Full(new double[,] { { 1, 0.3 }, { 0.3, 2 } }),
        });
        bases.Add(("weights-only", Checkpoint.ToBytes(fullCovariance, null)));

        var random = new Random(6);
        int cases = 6000 * Scale;
        var tally = new FuzzTally();
        for (int c = 0; c < cases; c++)
        {
            (string scenario, byte[] original) = bases[random.Next(bases.Count)];
            (byte[] bytes, string mutation) = Mutate(original, random, CheckpointFields);
            if (random.Next(2) == 0)
            {
                Checkpoint.Reseal(bytes);
                mutation += "+resealed";
            }

            int entry = random.Next(3);
            tally.Run<CheckpointFormatException>($"case {c} ({scenario}, {mutation}, entry {entry})", bytes, () =>
            {
                LoadInMemory(scenario, bytes, entry);
                return "loaded";
            });
        }

        ReportAndCheck(cases, tally);
        Assert.True(tally.Outcomes.GetValueOrDefault("checksum") > 0 && tally.Outcomes.Count > 8, "the mutations should reach many checks");
    }

    [Fact]
    public void Checkpoint_MutatedFilesOnDisk_LoadOrThrowDocumentedException()
    {
        using var folder = new TempFolder();
        string path = folder.File("c.ckpt");
        byte[] original = BaseCheckpoint("ngd-sherman-morrison");
        var random = new Random(7);
        int cases = 300 * Scale;
        int loaded = 0;
        for (int c = 0; c < cases; c++)
        {
            (byte[] bytes, string mutation) = Mutate(original, random, CheckpointFields);
            if (random.Next(2) == 0)
            {
                Checkpoint.Reseal(bytes);
            }

            File.WriteAllBytes(path, bytes);
            var target = new Scenario<double>("ngd-sherman-morrison");
            try
            {
                switch (c % 3)
                {
                    case 0:
                        Checkpoint.Load(path, target.Optimizer);
                        break;
                    case 1:
                        Checkpoint.LoadNetwork<double>(path);
                        break;
                    default:
                        Checkpoint.ReadInfo(path);
                        break;
                }

                loaded++;
            }
            catch (CheckpointFormatException e)
            {
                Assert.True(e.FilePath == path && e.Offset >= 0 && e.Offset <= bytes.Length, $"case {c} ({mutation}): {e.Message}");
                Assert.StartsWith($"{path}: at byte offset {e.Offset}: ", e.Message, StringComparison.Ordinal);
            }
        }

        output.WriteLine($"{cases} mutated checkpoint files on disk: {loaded} loaded, {cases - loaded} rejected with CheckpointFormatException.");
    }

    [Fact]
    public void Idx_MutatedFiles_LoadOrThrowDocumentedException()
    {
        byte[][] bases =
        [
            Idx([5, 4, 3], 17),  // images: count, rows, columns
            Idx([7], 3),         // labels
            Idx([2, 6], 29),
        ];
        var random = new Random(8);
        int cases = 4000 * Scale;
        var tally = new FuzzTally();
        for (int c = 0; c < cases; c++)
        {
            byte[] original = bases[random.Next(bases.Length)];
            (byte[] bytes, string mutation) = Mutate(original, random, IdxFields);
            int? rank = random.Next(3) == 0 ? original[3] : null;
            tally.Run<DataFileException>($"case {c} ({mutation})", bytes, () =>
            {
                using var stream = new MemoryStream(bytes, writable: false);
                IdxArray array = IdxReader.Read(stream, Name, rank);
                long product = array.Dimensions.Aggregate(1L, (p, d) => p * d);
                return product == array.Data.Length ? "loaded" : "WRONG shape";
            });
        }

        ReportAndCheck(cases, tally);
        Assert.DoesNotContain(tally.Outcomes.Keys, k => k.StartsWith("WRONG", StringComparison.Ordinal));
    }

    [Fact]
    public void Mnist_MutatedFileInFolder_LoadsOrThrowsDataFileException()
    {
        using var folder = new TempFolder();
        byte[] trainImages = Idx([6, 3, 2], 5);
        byte[] trainLabels = Labels(6);
        byte[] testImages = Idx([4, 3, 2], 6);
        byte[] testLabels = Labels(4);
        var files = new (string Name, byte[] Bytes)[]
        {
            (MnistData.TrainImagesFile, trainImages),
            (MnistData.TrainLabelsFile, trainLabels),
            (MnistData.TestImagesFile, testImages),
            (MnistData.TestLabelsFile, testLabels),
        };
        var random = new Random(9);
        int cases = 200 * Scale;
        int loaded = 0;
        for (int c = 0; c < cases; c++)
        {
            int victim = random.Next(files.Length);
            for (int f = 0; f < files.Length; f++)
            {
                byte[] bytes = f == victim ? Mutate(files[f].Bytes, random, IdxFields).Bytes : files[f].Bytes;
                File.WriteAllBytes(folder.File(files[f].Name), bytes);
            }

            try
            {
                MnistData data = MnistData.Load(folder.Path);
                Assert.Equal(data.Train.Count * data.Train.PixelCount, data.Train.Pixels.Length);
                loaded++;
            }
            catch (DataFileException e)
            {
                string victimPath = folder.File(files[victim].Name);
                Assert.True(e.Offset >= 0, e.Message);
                Assert.Contains(folder.Path, e.FilePath, StringComparison.Ordinal);
                Assert.StartsWith(e.FilePath, e.Message, StringComparison.Ordinal);
                _ = victimPath;
            }
        }

        output.WriteLine($"{cases} MNIST folders with one mutated file: {loaded} loaded, {cases - loaded} rejected with DataFileException.");
    }

    private static readonly int[] CheckpointFields = [8, 12, 16, 20, 24, 28, 32, 36, 40, 44];
    private static readonly int[] IdxFields = [0, 2, 3, 4, 8, 12];

    private static void LoadInMemory(string scenario, byte[] bytes, int entry)
    {
        switch (entry)
        {
            case 0 when scenario == "ngd-cholesky-float":
                LoadInto<float>(scenario, bytes);
                break;
            case 0 when scenario != "weights-only":
                LoadInto<double>(scenario, bytes);
                break;
            case 1:
                Checkpoint.FromBytes(bytes, Name, (payload, name, type) => type == CheckpointElementType.Float32
                    ? (object)CheckpointCodec.LoadNetwork<float>(payload, name, type, null)
                    : CheckpointCodec.LoadNetwork<double>(payload, name, type, null));
                break;
            default:
                Checkpoint.FromBytes(bytes, Name, (payload, name, type) => CheckpointCodec.Describe(payload, name, type));
                break;
        }
    }

    private static void LoadInto<T>(string scenario, byte[] bytes)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var target = new Scenario<T>(scenario);
        Checkpoint.FromBytes(bytes, Name, (payload, name, type) => CheckpointCodec.LoadInto(payload, name, type, target.Network, target.Optimizer));

        // Whatever loaded is usable: finite weights, and a step runs or fails as a step may (a mutated
        // weight can be finite but large enough that the natural gradient gives up: ArithmeticException).
        Assert.Null(target.Network.FindNonFiniteWeight());
        target.FillBatch(target.Optimizer.StepCount);
        try
        {
            target.Optimizer.Step(target.Inputs, target.Targets);
        }
        catch (ArithmeticException)
        {
        }
    }

    private static byte[] BaseCheckpoint(string scenario) => Scenarios.IsFloat(scenario)
        ? BaseCheckpoint<float>(scenario)
        : BaseCheckpoint<double>(scenario);

    private static byte[] BaseCheckpoint<T>(string scenario)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var run = new Scenario<T>(scenario);
        run.Train(4);
        return Checkpoint.ToBytes(run.Network, run.Optimizer, scenario == "sgd-momentum" ? "examples=64;order=17"u8 : default);
    }

    /// <summary>One random mutation; <paramref name="fields"/> are offsets of size fields worth hitting often.</summary>
    private static (byte[] Bytes, string Mutation) Mutate(byte[] original, Random random, int[] fields)
    {
        byte[] bytes = (byte[])original.Clone();
        switch (random.Next(7))
        {
            case 0:
                {
                    int flips = 1 + random.Next(4);
                    for (int i = 0; i < flips; i++)
                    {
                        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    return (bytes, $"{flips} bit flips");
                }

            case 1:
                {
                    int at = random.Next(bytes.Length);
                    bytes[at] = (byte)random.Next(256);
                    return (bytes, $"byte {at} overwritten");
                }

            case 2:
                {
                    int length = random.Next(bytes.Length);
                    return (bytes[..length], $"truncated to {length}");
                }

            case 3:
                {
                    int extra = 1 + random.Next(64);
                    var longer = new byte[bytes.Length + extra];
                    bytes.CopyTo(longer, 0);
                    random.NextBytes(longer.AsSpan(bytes.Length));
                    return (longer, $"extended by {extra}");
                }

            case 4:
            case 5:
                {
                    int[] huge = [int.MaxValue, int.MinValue, -1, 0, 1 << 24, (1 << 24) + 1, 1 << 30, 0x7FFFFFF0, random.Next()];
                    int value = huge[random.Next(huge.Length)];
                    int at = random.Next(2) == 0 ? fields[random.Next(fields.Length)] : random.Next(Math.Max(1, bytes.Length - 4));
                    if (at + 4 > bytes.Length)
                    {
                        return (bytes, "unchanged (short file)");
                    }

                    if (random.Next(2) == 0)
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value);
                    }
                    else
                    {
                        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at), value);
                    }

                    return (bytes, $"int {value} at {at}");
                }

            default:
                {
                    long[] huge = [long.MaxValue, -1, 1L << 40, int.MaxValue + 1L, bytes.Length * 2L];
                    long value = huge[random.Next(huge.Length)];
                    int at = random.Next(2) == 0 ? 16 : random.Next(Math.Max(1, bytes.Length - 8));
                    if (at + 8 > bytes.Length)
                    {
                        return (bytes, "unchanged (short file)");
                    }

                    BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), value);
                    return (bytes, $"long {value} at {at}");
                }
        }
    }

    private static byte[] Idx(int[] dimensions, int seed)
    {
        int count = dimensions.Aggregate(1, (p, d) => p * d);
        var bytes = new byte[4 + (4 * dimensions.Length) + count];
        bytes[2] = 0x08;
        bytes[3] = (byte)dimensions.Length;
        for (int d = 0; d < dimensions.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * d)), dimensions[d]);
        }

        new Random(seed).NextBytes(bytes.AsSpan(4 + (4 * dimensions.Length)));
        return bytes;
    }

    private static byte[] Labels(int count)
    {
        byte[] bytes = Idx([count], 1);
        for (int i = 8; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i % 10);
        }

        return bytes;
    }

    private static string Category(string reason)
    {
        string[] keys = ["checksum", "truncated", "unexpected bytes", "magic", "version", "element type", "padding", "not finite", "holds", "must be", "expected", "differs", "outside", "invalid", "dimension", "zero", "sizes"];
        foreach (string key in keys)
        {
            if (reason.Contains(key, StringComparison.Ordinal))
            {
                return key;
            }
        }

        return "other";
    }

    private void ReportAndCheck(int cases, FuzzTally tally)
    {
        output.WriteLine($"{cases} cases, slowest {Stopwatch.GetElapsedTime(0, tally.MaxTicks).TotalMilliseconds:F2} ms:");
        foreach ((string key, int count) in tally.Outcomes.OrderByDescending(p => p.Value))
        {
            output.WriteLine($"  {key}: {count}");
        }

        Assert.Empty(tally.Failures);
        Assert.True(Stopwatch.GetElapsedTime(0, tally.MaxTicks) < TimeSpan.FromSeconds(1), "a case took over a second");
    }

    /// <summary>Outcomes of in-memory fuzz cases by category, the slowest case's time and the first failures.</summary>
    private sealed class FuzzTally
    {
        public Dictionary<string, int> Outcomes { get; } = [];

        public List<string> Failures { get; } = [];

        public long MaxTicks { get; private set; }

        /// <summary>
        /// Runs one case: <paramref name="load"/> reads <paramref name="bytes"/> (named <see cref="Name"/>)
        /// and returns its outcome, or throws <typeparamref name="TDocumented"/> naming the file and an
        /// offset inside it. Any other exception, and an allocation over 64 KiB plus 8 bytes per byte of
        /// the file, is a failure reported with <paramref name="label"/>.
        /// </summary>
        public void Run<TDocumented>(string label, byte[] bytes, Func<string> load)
            where TDocumented : FileContentException
        {
            string outcome = "";
            Exception? wrong = null;
            long ticks = 0;
            long used = Allocations.Measure(() =>
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    outcome = load();
                }
                catch (TDocumented e) when (e.FilePath == Name && e.Offset >= 0 && e.Offset <= bytes.Length)
                {
                    outcome = Category(e.Reason);
                }
                catch (Exception e)
                {
                    outcome = "WRONG " + e.GetType().Name;
                    wrong = e;
                }

                ticks = Stopwatch.GetTimestamp() - start;
            });
            MaxTicks = Math.Max(MaxTicks, ticks);
            if (wrong is not null && Failures.Count < 10)
            {
                Failures.Add($"{label}: {wrong}");
            }

            if (used > (64 * 1024) + (8L * bytes.Length) && Failures.Count < 10)
            {
                Failures.Add($"{label}: allocated {used} bytes for a {bytes.Length}-byte file");
            }

            Outcomes[outcome] = Outcomes.GetValueOrDefault(outcome) + 1;
        }
    }
}
