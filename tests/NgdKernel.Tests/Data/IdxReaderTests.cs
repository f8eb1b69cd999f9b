using System.Buffers.Binary;
using NgdKernel.Data;
using NgdKernel.Experiments;

namespace NgdKernel.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("ngd-idx-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    internal static byte[] Idx(byte type, int[] dimensions, int dataLength, byte fill = 7)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + dataLength];
        bytes[2] = type;
        bytes[3] = (byte)dimensions.Length;
        for (int d = 0; d < dimensions.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * d)), dimensions[d]);
        }

        bytes.AsSpan(4 + (4 * dimensions.Length)).Fill(fill);
        return bytes;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Idx_ValidFile_RoundTrips()
    {
        byte[] bytes = Idx(0x08, [3, 2, 2], 12);
        for (int i = 0; i < 12; i++)
        {
            bytes[16 + i] = (byte)i;
        }

        IdxArray array = IdxReader.Read(Write("ok", bytes), expectedRank: 3);
        Assert.Equal([3, 2, 2], array.Dimensions);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (byte)i), array.Data);
    }

    public static TheoryData<string, byte[], int?, long, string> BadFiles() => new()
    {
        { "empty", [], null, 0, "4-byte magic" },
        { "short magic", [0, 0, 8], null, 3, "4-byte magic" },
        { "wrong magic", [0x12, 0x34, 0x08, 0x03, 0, 0, 0, 1], null, 0, "bad magic number 0x12340803" },
        { "float type", Idx(0x0D, [2], 8), null, 2, "float32" },
        { "unknown type", Idx(0x42, [2], 2), null, 2, "0x42" },
        { "wrong rank", Idx(0x08, [10], 10), 3, 3, "1 dimensions" },
        { "rank zero", [0, 0, 8, 0], null, 3, "0 dimensions" },
        { "truncated header", Idx(0x08, [3, 2, 2], 12)[..9], 3, 9, "inside the header" },
        { "zero size", Idx(0x08, [3, 0, 2], 0), 3, 8, "dimension 1 has size 0" },
        { "negative size", Idx(0x08, [3, -2, 2], 0), 3, 8, "dimension 1 has size -2" },
        { "truncated data", Idx(0x08, [3, 2, 2], 11), 3, 27, "truncated" },
        { "trailing bytes", Idx(0x08, [3, 2, 2], 13), 3, 28, "1 unexpected bytes" },
        { "huge declared size", Idx(0x08, [int.MaxValue, int.MaxValue, int.MaxValue], 100), 3, 116, "truncated" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Idx_BadFile_NamesFileAndOffset(string name, byte[] bytes, int? rank, long offset, string reason)
    {
        string path = Write(name.Replace(' ', '-'), bytes);
        DataFileException? e = null;
        long allocated = Allocations.Measure(() => e = Assert.Throws<DataFileException>(() => IdxReader.Read(path, rank)));
        Assert.NotNull(e);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(offset, e.Offset);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{path}: at byte offset {offset}: ", e.Message, StringComparison.Ordinal);

        // Never allocates by the declared size: only buffers and the message.
        Assert.True(allocated < (1 << 20), $"allocated {allocated} bytes");
    }

    [Fact]
    public void Mnist_SmallFolder_LoadsAndScales()
    {
        WriteMnist(trainCount: 3, testCount: 2, labelCount: 3, badLabel: false);
        MnistData data = MnistData.Load(folder);
        Assert.Equal(3, data.Train.Count);
        Assert.Equal(2, data.Test.Count);
        Assert.Equal((2, 2), (data.Train.Rows, data.Train.Columns));
        DataSet<float> set = data.Train.ToAutoencoderDataSet<float>();
        Assert.Equal(4, set.InputWidth);
        Assert.Equal(255 / 255f, set.Inputs[0, 0]);
        Assert.Equal(set.Inputs.ToArray(), set.Targets.ToArray());
    }

    [Fact]
    public void Mnist_LabelCountMismatch_NamesLabelsFile()
    {
        WriteMnist(trainCount: 3, testCount: 2, labelCount: 4, badLabel: false);
        var e = Assert.Throws<DataFileException>(() => MnistData.Load(folder));
        Assert.EndsWith(MnistData.TrainLabelsFile, e.FilePath, StringComparison.Ordinal);
        Assert.Equal(4, e.Offset);
    }

    [Fact]
    public void Mnist_LabelOutOfRange_NamesOffset()
    {
        WriteMnist(trainCount: 3, testCount: 2, labelCount: 3, badLabel: true);
        var e = Assert.Throws<DataFileException>(() => MnistData.Load(folder));
        Assert.Equal(8 + 1, e.Offset);
        Assert.Contains("label 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mnist_MissingFolderOrFile_SaysHowToFetch()
    {
        var missing = Assert.Throws<DirectoryNotFoundException>(() => MnistData.Load(Path.Combine(folder, "nope")));
        Assert.Contains(MnistData.FetchCommand, missing.Message, StringComparison.Ordinal);
        var file = Assert.Throws<FileNotFoundException>(() => MnistData.Load(folder));
        Assert.Contains(MnistData.TrainImagesFile, file.Message, StringComparison.Ordinal);
        Assert.Contains(MnistData.FetchCommand, file.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mnist_RealFiles_HaveStandardCounts()
    {
        string? directory = RepositoryPaths.MnistDirectory();
        if (directory is null)
        {
            return; // data/mnist not fetched (scripts/get-mnist.sh); nothing to check.
        }

        MnistData data = MnistData.Load(directory);
        Assert.Equal(60_000, data.Train.Count);
        Assert.Equal(10_000, data.Test.Count);
        Assert.Equal((28, 28), (data.Train.Rows, data.Train.Columns));
        Assert.Equal((28, 28), (data.Test.Rows, data.Test.Columns));
        Assert.Equal(60_000 * 784, data.Train.Pixels.Length);
        Assert.All(Enumerable.Range(0, 10), d => Assert.Contains((byte)d, data.Test.Labels));
        DataSet<float> test = data.Test.ToAutoencoderDataSet<float>(100);
        float[,] pixels = test.Inputs.ToArray();
        Assert.Equal(0f, pixels.Cast<float>().Min());
        Assert.Equal(1f, pixels.Cast<float>().Max());
    }

    private void WriteMnist(int trainCount, int testCount, int labelCount, bool badLabel)
    {
        Write(MnistData.TrainImagesFile, Idx(0x08, [trainCount, 2, 2], trainCount * 4, fill: 255));
        byte[] labels = Idx(0x08, [labelCount], labelCount, fill: 3);
        if (badLabel)
        {
            labels[8 + 1] = 10;
        }

        Write(MnistData.TrainLabelsFile, labels);
        Write(MnistData.TestImagesFile, Idx(0x08, [testCount, 2, 2], testCount * 4));
        Write(MnistData.TestLabelsFile, Idx(0x08, [testCount], testCount, fill: 1));
    }
}
