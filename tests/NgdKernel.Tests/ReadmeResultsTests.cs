using NgdKernel.Tests.Data;
using NgdKernel.Tests.Packaging;

namespace NgdKernel.Tests;

/// <summary>
/// The README quotes no figure by hand: its results region is what scripts/refresh-readme.sh
/// renders from the committed runs in docs/results/.
/// </summary>
public sealed class ReadmeResultsTests
{
    private static string Root() => RepositoryPaths.Root()
        ?? throw new InvalidOperationException("NgdKernel.sln not found above the test binaries.");

    [Fact]
    public void Readme_ResultsAreRenderedFromDocsResults()
    {
        var (exitCode, log) = Script.Run(Path.Combine(Root(), "scripts", "refresh-readme.sh"), ["--check"], TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, $"scripts/refresh-readme.sh --check exited with {exitCode}:\n{log}");
    }

    [Fact]
    public void Readme_IsAtMost250Lines()
    {
        int lines = File.ReadAllLines(Path.Combine(Root(), "README.md")).Length;
        Assert.True(lines <= 250, $"README.md has {lines} lines; keep it to 250 and move detail into docs/.");
    }
}
