using NgdKernel.Tests.Data;

namespace NgdKernel.Tests;

/// <summary>
/// The README's Example is samples/Embedding/Program.cs verbatim, usings included, so the code a
/// reader pastes is the code that <see cref="Packaging.PackageTests"/> builds against the packed
/// packages and runs.
/// </summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void ReadmeExample_IsTheEmbeddingSampleVerbatim()
    {
        string root = RepositoryPaths.Root()
            ?? throw new InvalidOperationException("NgdKernel.sln not found above the test binaries.");
        string[] sample = File.ReadAllLines(Path.Combine(root, "samples", "Embedding", "Program.cs"));
        string[] shown = ReadmeExample(File.ReadAllLines(Path.Combine(root, "README.md")));

        Assert.Contains(shown, l => l.StartsWith("using NgdKernel.", StringComparison.Ordinal));
        Assert.Equal(sample, shown);
    }

    // The first ```csharp block after the "## Example" heading.
    private static string[] ReadmeExample(string[] lines)
    {
        int heading = Array.FindIndex(lines, l => l.StartsWith("## Example", StringComparison.Ordinal));
        Assert.True(heading >= 0, "README.md has no '## Example' section.");
        int begin = Array.FindIndex(lines, heading, l => l.StartsWith("```csharp", StringComparison.Ordinal));
        int end = Array.FindIndex(lines, begin + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        Assert.True(begin > heading && end > begin, "README.md's Example has no closed ```csharp block.");
        return lines[(begin + 1)..end];
    }
}
