using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using NgdKernel.Tests.Data;

namespace NgdKernel.Tests.PublicApi;

/// <summary>
/// The public surface of each library assembly (every public type and every public or protected
/// member, with its signature, constraints and default values) is listed by reflection in a sorted,
/// deterministic text form and compared with the baseline file beside this one
/// (<c>tests/NgdKernel.Tests/PublicApi/&lt;assembly&gt;.txt</c>), so that every change to the
/// surface shows up in review as a change to that file.
/// </summary>
/// <remarks>
/// After a deliberate change, rewrite the baselines with one command from the repository root:
/// <code>NGD_UPDATE_PUBLIC_API=1 dotnet test -c Release tests/NgdKernel.Tests --filter PublicApi</code>
/// then review and commit the diff of the .txt files. Without the variable the test fails with the
/// lines removed (<c>-</c>) and added (<c>+</c>).
/// </remarks>
public class PublicApiTests
{
    /// <summary>Set to 1 to rewrite the baseline files instead of comparing with them.</summary>
    public const string UpdateVariable = "NGD_UPDATE_PUBLIC_API";

    public static TheoryData<string> Assemblies => ["NgdKernel.Kernels", "NgdKernel"];

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void PublicApi_MatchesBaseline(string assemblyName)
    {
        Assembly assembly = assemblyName == "NgdKernel"
            ? typeof(NgdKernel.Networks.Network<>).Assembly
            : typeof(NgdKernel.Kernels.Gemm).Assembly;
        Assert.Equal(assemblyName, assembly.GetName().Name);
        string actual = PublicApiListing.Of(assembly);
        string path = BaselinePath(assemblyName);

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"No baseline at {path}: run with {UpdateVariable}=1 to create it.");
        string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            Assert.Fail(
                $"The public API of {assemblyName} differs from {path}. If the change is deliberate, run " +
                $"'{UpdateVariable}=1 dotnet test -c Release tests/NgdKernel.Tests --filter PublicApi' and commit the baseline.\n" +
                Diff(expected, actual));
        }
    }

    [Fact]
    public void PublicApi_Listing_IsSortedAndShowsSignatures()
    {
        string listing = PublicApiListing.Of(typeof(NgdKernel.Kernels.Gemm).Assembly);
        string[] types = listing.Split('\n').Where(l => l.Length > 0 && l[0] != ' ')
            .Select(l => l[(l.IndexOf(" NgdKernel.", StringComparison.Ordinal) + 1)..]).ToArray();
        Assert.Equal(types.Order(StringComparer.Ordinal), types);
        Assert.Contains(
            "  static void Multiply<T>(ReadOnlySpan2D<T> a, MatrixOp opA, ReadOnlySpan2D<T> b, MatrixOp opB, T alpha, T beta, Span2D<T> c, KernelContext? context = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>\n",
            listing, StringComparison.Ordinal);
        Assert.Contains("public static class NgdKernel.Kernels.Gemm\n", listing, StringComparison.Ordinal);
        Assert.DoesNotContain("Internals", listing, StringComparison.Ordinal);
    }

    private static string BaselinePath(string assemblyName, [CallerFilePath] string thisFile = "")
    {
        // The source path is known at compile time; when the build maps paths, find the repository.
        string? directory = Path.GetDirectoryName(thisFile);
        if (directory is null || !Directory.Exists(directory))
        {
            string root = RepositoryPaths.Root() ?? throw new InvalidOperationException("Repository root (NgdKernel.sln) not found.");
            directory = Path.Combine(root, "tests", "NgdKernel.Tests", "PublicApi");
        }

        return Path.Combine(directory, assemblyName + ".txt");
    }

    /// <summary>
    /// Lines only in the baseline (-) and only in the current surface (+), in listing order; a member
    /// line is shown with its type, so a member moved between types shows as removed and added.
    /// </summary>
    private static string Diff(string expected, string actual)
    {
        List<string> before = Keyed(expected), after = Keyed(actual);
        var beforeSet = new HashSet<string>(before, StringComparer.Ordinal);
        var afterSet = new HashSet<string>(after, StringComparer.Ordinal);
        var diff = new StringBuilder();
        foreach (string line in before.Where(l => !afterSet.Contains(l)))
        {
            diff.Append("- ").Append(line).Append('\n');
        }

        foreach (string line in after.Where(l => !beforeSet.Contains(l)))
        {
            diff.Append("+ ").Append(line).Append('\n');
        }

        return diff.Length > 0 ? diff.ToString() : "(same lines, different order)";
    }

    private static List<string> Keyed(string listing)
    {
        var keyed = new List<string>();
        string type = "";
        foreach (string line in listing.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] != ' ')
            {
                type = line;
                keyed.Add(line);
            }
            else
            {
                keyed.Add($"[{type}] {line.Trim()}");
            }
        }

        return keyed;
    }
}
