using System.Globalization;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NgdKernel.Tests.Data;

namespace NgdKernel.Tests.Packaging;

/// <summary>
/// Packs both libraries with scripts/package-check.sh, which restores them from a folder feed into
/// a copy of samples/Embedding (the README's example) and runs it; then checks what a package
/// consumer gets: licence, readme, metadata, symbols with deterministic paths and SourceLink.
/// </summary>
public sealed partial class PackageTests(ITestOutputHelper output)
{
    private const string RepositoryUrl = "https://github.com/ngdkernel/ngdkernel";

    // The portable PDB's SourceLink custom debug information.
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    [Fact]
    public void Package_PacksRestoresFromFolderFeedAndRunsTheReadmeExample()
    {
        string root = Root();
        string work = Path.Combine(Path.GetTempPath(), "ngd-package-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, log) = Script.Run(Path.Combine(root, "scripts", "package-check.sh"), [work], TimeSpan.FromMinutes(10));
            output.WriteLine(log);
            Assert.True(exitCode == 0, $"scripts/package-check.sh exited with {exitCode}:\n{log}");

            string feed = Path.Combine(work, "feed");
            string version = PackageVersion(feed);
            foreach (string id in new[] { "NgdKernel.Kernels", "NgdKernel" })
            {
                CheckPackage(root, Path.Combine(feed, $"{id}.{version}.nupkg"), id);
                CheckSymbols(Path.Combine(feed, $"{id}.{version}.snupkg"), id);
            }

            CheckRestoredFromFeed(work, feed, version);
            CheckSampleOutput(File.ReadAllText(Path.Combine(work, "output.txt")));
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static string Root() =>
        RepositoryPaths.Root() ?? throw new InvalidOperationException("NgdKernel.sln not found above the test binaries.");

    private static string PackageVersion(string feed)
    {
        string[] kernels = Directory.GetFiles(feed, "NgdKernel.Kernels.*.nupkg");
        Assert.True(kernels.Length == 1, $"expected one NgdKernel.Kernels package in {feed}, found {kernels.Length}");
        return Path.GetFileNameWithoutExtension(kernels[0])["NgdKernel.Kernels.".Length..];
    }

    private static void CheckPackage(string root, string path, string id)
    {
        Assert.True(File.Exists(path), $"{path} was not produced");
        using ZipArchive package = ZipFile.OpenRead(path);
        Assert.Equal(File.ReadAllText(Path.Combine(root, "LICENSE")), ReadEntry(package, "LICENSE"));
        Assert.Equal(File.ReadAllText(Path.Combine(root, "src", id, "README.md")), ReadEntry(package, "README.md"));
        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.xml"));

        XElement metadata = XDocument.Parse(ReadEntry(package, $"{id}.nuspec")).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value
            ?? throw new Xunit.Sdk.XunitException($"{id}.nuspec has no <{name}>");

        Assert.Equal("README.md", Field("readme"));
        Assert.Equal("MIT", Field("license"));
        Assert.Equal(RepositoryUrl, Field("projectUrl"));
        Assert.Equal("NgdKernel contributors", Field("authors"));
        Assert.False(string.IsNullOrWhiteSpace(Field("tags")), $"{id}.nuspec has no tags");
        Assert.True(Field("description").Length > 80 && Field("description") != "Package Description", $"{id}.nuspec description: '{Field("description")}'");
        XElement repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal(RepositoryUrl, (string?)repository.Attribute("url"));
        Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");
    }

    // Every source document under /_/ (ContinuousIntegrationBuild), and a SourceLink map from
    // /_/ to the canonical repository at one commit.
    private static void CheckSymbols(string path, string id)
    {
        Assert.True(File.Exists(path), $"{path} was not produced");
        using ZipArchive symbols = ZipFile.OpenRead(path);
        ZipArchiveEntry entry = symbols.GetEntry($"lib/net10.0/{id}.pdb") ?? throw new Xunit.Sdk.XunitException($"{path} has no lib/net10.0/{id}.pdb");
        using var pdb = new MemoryStream();
        using (Stream stream = entry.Open())
        {
            stream.CopyTo(pdb);
        }

        pdb.Position = 0;
        using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        MetadataReader reader = provider.GetMetadataReader();
        string[] documents = [.. reader.Documents.Select(h => reader.GetString(reader.GetDocument(h).Name))];
        Assert.NotEmpty(documents);
        string[] local = [.. documents.Where(d => !d.StartsWith("/_/", StringComparison.Ordinal))];
        Assert.True(local.Length == 0, $"{id}.pdb keeps machine paths: {string.Join(", ", local.Take(5))}");

        string? sourceLink = null;
        foreach (CustomDebugInformationHandle handle in reader.CustomDebugInformation)
        {
            CustomDebugInformation information = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(information.Kind) == SourceLinkKind)
            {
                sourceLink = Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value));
            }
        }

        Assert.True(sourceLink is not null, $"{id}.pdb has no SourceLink");
        Assert.Matches(@"""/_/\*"":\s*""https://raw\.githubusercontent\.com/ngdkernel/ngdkernel/[0-9a-f]{40}/\*""", sourceLink);
    }

    // The sample's NgdKernel packages came from the feed into the private cache.
    private static void CheckRestoredFromFeed(string work, string feed, string version)
    {
        foreach (string id in new[] { "ngdkernel", "ngdkernel.kernels" })
        {
            string metadata = Path.Combine(work, "packages", id, version, ".nupkg.metadata");
            Assert.True(File.Exists(metadata), $"{id} {version} was not restored into {Path.Combine(work, "packages")}");
            Assert.Contains(feed, File.ReadAllText(metadata), StringComparison.Ordinal);
        }
    }

    // The example prints "step N: loss X, ..." at steps 1, 51, 101, 151 and 200; the network learns.
    private static void CheckSampleOutput(string text)
    {
        MatchCollection steps = StepLine().Matches(text);
        Assert.True(steps.Count == 5, $"expected 5 step lines from the sample, got:\n{text}");
        double first = double.Parse(steps[0].Groups[2].Value, CultureInfo.InvariantCulture);
        double last = double.Parse(steps[^1].Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.Equal("200", steps[^1].Groups[1].Value);
        Assert.True(last < 0.01 * first, $"the sample's loss went from {first} to {last}:\n{text}");
    }

    private static string ReadEntry(ZipArchive archive, string name)
    {
        ZipArchiveEntry entry = archive.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"the package has no {name}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^step (\d+): loss ([0-9.eE+-]+),", RegexOptions.Multiline)]
    private static partial Regex StepLine();
}
