using NgdKernel.Tests.Data;

namespace NgdKernel.Tests;

/// <summary>
/// The README's Example must be the code <see cref="ReadmeExampleTests"/> compiles and runs, so
/// the documentation can never drift from what works.
/// </summary>
public sealed class ReadmeSyncTests
{
    [Fact]
    public void Readme_ExampleIsTheTestedCode()
    {
        string root = RepositoryPaths.Root()
            ?? throw new InvalidOperationException("NgdKernel.sln not found above the test binaries.");
        string[] tested = TestedExample(File.ReadAllLines(Path.Combine(root, "tests", "NgdKernel.Tests", "ReadmeExampleTests.cs")));
        string[] shown = ReadmeExample(File.ReadAllLines(Path.Combine(root, "README.md")));

        Assert.NotEmpty(tested);
        Assert.Equal(tested, shown);
    }

    // Lines between the markers, with the method body's 8-space indent removed.
    private static string[] TestedExample(string[] lines)
    {
        int begin = Array.FindIndex(lines, l => l.Contains("--- README Example begins ---", StringComparison.Ordinal));
        int end = Array.FindIndex(lines, l => l.Contains("--- README Example ends ---", StringComparison.Ordinal));
        Assert.True(begin >= 0 && end > begin, "ReadmeExampleTests.cs lost its README markers.");
        return [.. lines[(begin + 1)..end].Select(l => l.Length >= 8 ? l[8..] : l.TrimStart())];
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
