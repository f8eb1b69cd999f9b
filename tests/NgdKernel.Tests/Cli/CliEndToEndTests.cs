using System.Globalization;
using System.Text.Json;

namespace NgdKernel.Tests.Cli;

public sealed class CliEndToEndTests
{
    [Fact]
    public void Cli_Fig1aTinyBudget_WritesCsvPngJson_AndNgdLossDecreases()
    {
        using var folder = new TempFolder();
        (int code, string output, string error) = CliArgumentTests.Run(
            "fig1a", "--examples", "6000", "--eval-every", "1000", "--batch", "500",
            "--sgd-lr", "0.01,0.04", "--seconds", "20", "--out", folder.Path);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Equal(string.Empty, error);
        Assert.Contains("wrote ", output, StringComparison.Ordinal);

        // CSV: the documented columns, one row per evaluation of every run.
        string[] lines = File.ReadAllLines(folder.File("fig1a.csv"));
        Assert.Equal("optimizer,learningRate,examplesSeen,seconds,trainLoss,testLoss,lambda,status", lines[0]);
        string[][] rows = [.. lines.Skip(1).Select(l => l.Split(','))];
        Assert.All(rows, r => Assert.Equal(8, r.Length));
        Assert.All(rows, r => Assert.Equal(string.Empty, r[7]));
        double[] ngdTest = [.. rows.Where(r => r[0] == "ngd").Select(r => double.Parse(r[5], CultureInfo.InvariantCulture))];
        long[] ngdExamples = [.. rows.Where(r => r[0] == "ngd").Select(r => long.Parse(r[2], CultureInfo.InvariantCulture))];
        Assert.Equal(7, ngdTest.Length);
        Assert.Equal([0, 1000, 2000, 3000, 4000, 5000, 6000], ngdExamples);
        Assert.True(ngdTest[^1] < 0.5 * ngdTest[0], $"NGD test loss {ngdTest[0]} -> {ngdTest[^1]} did not decrease");
        Assert.All(rows.Where(r => r[0] == "ngd"), r => Assert.NotEqual(string.Empty, r[6]));
        Assert.Equal(2, rows.Where(r => r[0] == "sgd").Select(r => r[1]).Distinct().Count());

        // JSON: exactly the documented keys.
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(folder.File("fig1a.json")));
        JsonElement root = json.RootElement;
        Assert.Equal(["experiment", "precision", "minLoss", "optimizers", "runs"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, root.GetProperty("runs").GetArrayLength());
        Assert.Equal("fig1a", root.GetProperty("experiment").GetString());
        Assert.Equal("double", root.GetProperty("precision").GetString());
        Assert.InRange(root.GetProperty("minLoss").GetDouble(), 9, 11);
        JsonElement[] optimizers = [.. root.GetProperty("optimizers").EnumerateArray()];
        Assert.Equal(["ngd", "sgd"], optimizers.Select(o => o.GetProperty("name").GetString()));
        string[] keys =
        [
            "name", "learningRate", "batch", "examplesSeen", "seconds", "finalTestLoss", "status",
            "examplesTo10xMin", "secondsTo10xMin", "examplesTo2xMin", "secondsTo2xMin",
        ];
        Assert.All(optimizers, o => Assert.Equal(keys, o.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(500, optimizers[0].GetProperty("batch").GetInt32());
        Assert.Equal(6000, optimizers[0].GetProperty("examplesSeen").GetInt64());
        Assert.Equal(ngdTest[^1], optimizers[0].GetProperty("finalTestLoss").GetDouble());

        // PNG: a real image with both panels.
        byte[] png = File.ReadAllBytes(folder.File("fig1a.png"));
        Assert.True(png.Length > 10_000, $"PNG is only {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        int width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
        Assert.Equal(1280, width);
    }
}
