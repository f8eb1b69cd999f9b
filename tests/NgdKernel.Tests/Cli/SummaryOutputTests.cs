using System.Text.Json;
using NgdKernel.Cli.Experiments;
using NgdKernel.Cli.Output;

namespace NgdKernel.Tests.Cli;

public sealed class SummaryOutputTests
{
    [Fact]
    public void SummaryJson_Mnist_UsesMseKeysNullMinLossAndBestSgd()
    {
        using var folder = new TempFolder();
        var ngd = new OptimizerRun("ngd", 1, 1000);
        ngd.Points.Add(new EvaluationPoint(0, 0, 0.1, 0.1, 1));
        ngd.Points.Add(new EvaluationPoint(1000, 2.5, 0.018, 0.017, 0.5));
        ngd.Points.Add(new EvaluationPoint(2000, 5.0, 0.013, 0.012, 0.25));
        var sgdWorse = new OptimizerRun("sgd", 0.01, 20);
        sgdWorse.Points.Add(new EvaluationPoint(0, 0, 0.1, 0.1, null));
        sgdWorse.Points.Add(new EvaluationPoint(2000, 1, 0.05, 0.05, null));
        var sgdBest = new OptimizerRun("sgd", 0.02, 20);
        sgdBest.Points.Add(new EvaluationPoint(0, 0, 0.1, 0.1, null));
        sgdBest.Points.Add(new EvaluationPoint(2000, 1, 0.019, 0.019, null));
        var result = new ExperimentResult
        {
            Settings = CliSettings.Parse("mnist", "--precision", "float"),
            MinLoss = null,
            LossName = "test MSE",
            Runs = [ngd, sgdWorse, sgdBest],
            Thresholds = ExperimentRunner.Thresholds(ExperimentSpec.Get("mnist"), null),
        };

        string path = folder.File("mnist.json");
        SummaryJson.Write(result, path);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = json.RootElement;
        Assert.Equal("float", root.GetProperty("precision").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("minLoss").ValueKind);
        JsonElement[] optimizers = [.. root.GetProperty("optimizers").EnumerateArray()];
        Assert.Equal(
            [
                "name", "learningRate", "batch", "examplesSeen", "seconds", "finalTestLoss", "status",
                "examplesToMse0.02", "secondsToMse0.02", "examplesToMse0.015", "secondsToMse0.015",
                "examplesToMse0.01", "secondsToMse0.01",
            ],
            optimizers[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(1000, optimizers[0].GetProperty("examplesToMse0.02").GetInt64());
        Assert.Equal(2.5, optimizers[0].GetProperty("secondsToMse0.02").GetDouble());
        Assert.Equal(2000, optimizers[0].GetProperty("examplesToMse0.015").GetInt64());
        Assert.Equal(JsonValueKind.Null, optimizers[0].GetProperty("examplesToMse0.01").ValueKind);
        Assert.Equal(0.02, optimizers[1].GetProperty("learningRate").GetDouble());
        Assert.Equal(2000, optimizers[1].GetProperty("examplesToMse0.02").GetInt64());

        string csv = folder.File("mnist.csv");
        CsvOutput.Write(result, csv);
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(CsvOutput.Header, lines[0]);
        Assert.Equal(8, lines.Length);
        Assert.Equal("ngd,1,1000,2.5,0.018,0.017,0.5,", lines[2]);
        Assert.Equal("sgd,0.02,2000,1,0.019,0.019,,", lines[^1]);
    }

    [Fact]
    public void Thresholds_Synthetic_AreMultiplesOfMinimum()
    {
        IReadOnlyList<Threshold> thresholds = ExperimentRunner.Thresholds(ExperimentSpec.Get("fig1c"), 100);
        Assert.Equal([new Threshold("10xMin", 1000), new Threshold("2xMin", 200)], thresholds);
    }
}
