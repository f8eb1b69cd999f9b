namespace NgdKernel.Cli.Output;

/// <summary>
/// Writes an experiment's CSV, JSON and PNG so that no result is lost: a file that cannot be written in
/// the output folder (removed, made read-only or full during the run) goes to a fallback folder under the
/// system's temporary folder instead, and every such move is reported.
/// </summary>
internal static class ResultFiles
{
    /// <summary>Where the three files went.</summary>
    /// <param name="Written">Paths written, in order csv, json, png.</param>
    /// <param name="FellBack">Whether any file went to the fallback folder or could not be written at all.</param>
    public readonly record struct Outcome(IReadOnlyList<string> Written, bool FellBack);

    /// <summary>Writes the three files; reports each move or loss on <paramref name="error"/>.</summary>
    /// <param name="result">The results.</param>
    /// <param name="folder">The output folder (<c>--out</c>).</param>
    /// <param name="error">Where to report a file that went elsewhere.</param>
    /// <param name="fallbackRoot">The folder under which the fallback folder is made (tests); null for the system's temporary folder.</param>
    public static Outcome Write(ExperimentResult result, string folder, TextWriter error, string? fallbackRoot = null)
    {
        string id = result.Settings.Spec.Id;
        string? fallback = null;
        bool fellBack = false;
        var written = new List<string>();
        foreach ((string extension, Action<ExperimentResult, string> write) in new (string, Action<ExperimentResult, string>)[]
        {
            ("csv", CsvOutput.Write), ("json", SummaryJson.Write), ("png", PlotOutput.Write),
        })
        {
            string path = Path.Combine(folder, $"{id}.{extension}");
            if (TryWrite(write, result, path, out string? reason))
            {
                written.Add(path);
                continue;
            }

            fellBack = true;
            fallback ??= MakeFallback(fallbackRoot, id);
            string moved = fallback is null ? string.Empty : Path.Combine(fallback, $"{id}.{extension}");
            string? second = null;
            if (fallback is not null && TryWrite(write, result, moved, out second))
            {
                written.Add(moved);
                error.WriteLine($"ngd: could not write {path} ({reason}); wrote {moved} instead.");
            }
            else
            {
                error.WriteLine($"ngd: could not write {path} ({reason}) nor a copy in a temporary folder ({second ?? "none could be made"}).");
            }
        }

        return new Outcome(written, fellBack);
    }

    private static bool TryWrite(Action<ExperimentResult, string> write, ExperimentResult result, string path, out string? reason)
    {
        try
        {
            write(result, path);
            reason = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            reason = OneLine(e.Message);
            TryDelete(path + ".tmp");
            return false;
        }
    }

    private static string? MakeFallback(string? root, string id)
    {
        try
        {
            string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            return Directory.CreateDirectory(Path.Combine(root ?? Path.GetTempPath(), $"ngd-{id}-{stamp}-{Environment.ProcessId}")).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The partial temporary file stays; the real file was never replaced.
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
