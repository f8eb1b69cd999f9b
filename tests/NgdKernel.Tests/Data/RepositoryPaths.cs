namespace NgdKernel.Tests.Data;

/// <summary>Locates the repository (the folder holding NgdKernel.sln) from the test binaries.</summary>
internal static class RepositoryPaths
{
    public static string? Root()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "NgdKernel.sln")))
            {
                return d.FullName;
            }
        }

        return null;
    }

    /// <summary>data/mnist when it holds the training images, else null.</summary>
    public static string? MnistDirectory()
    {
        string? root = Root();
        if (root is null)
        {
            return null;
        }

        string directory = Path.Combine(root, "data", "mnist");
        return File.Exists(Path.Combine(directory, "train-images-idx3-ubyte")) ? directory : null;
    }
}
