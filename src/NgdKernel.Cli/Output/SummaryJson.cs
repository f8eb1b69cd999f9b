using System.Text.Json;

namespace NgdKernel.Cli.Output;

/// <summary>
/// <c>&lt;experiment&gt;.json</c>, written with <see cref="Utf8JsonWriter"/> (no reflection):
/// <c>{"experiment", "precision", "minLoss", "optimizers": [{"name", "learningRate", "batch",
/// "examplesSeen", "seconds", "finalTestLoss", "examplesTo&lt;T&gt;", "secondsTo&lt;T&gt;", ...}]}</c>
/// with T = 10xMin, 2xMin (synthetic), Mse0.02, Mse0.015, Mse0.01 (MNIST autoencoder) or 97 (percent test
/// accuracy, classification, which also writes <c>"finalTestAccuracy"</c>); null where a threshold
/// was not reached, and <c>"status"</c>: "examples" or "seconds" (budget reached), "diverged", "failed" or
/// "interrupted". For SGD (and SGD with momentum, <c>"sgdm"</c>) the entry is the best learning rate of
/// the grid (diverged rates last).
/// <c>"runs"</c> lists every member of the grid, diverged ones included:
/// <c>{"name", "learningRate", "batch", "examplesSeen", "seconds", "finalTestLoss", "status"}</c>, with
/// <c>examplesSeen</c> the example count where the run stopped.
/// </summary>
internal static class SummaryJson
{
    public static void Write(ExperimentResult result, string path)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("experiment", result.Settings.Spec.Id);
            json.WriteString("precision", result.Settings.Precision == Precision.Float ? "float" : "double");
            WriteNumberOrNull(json, "minLoss", result.MinLoss);
            json.WriteStartArray("optimizers");
            foreach (OptimizerRun run in result.Summarized)
            {
                WriteRun(json, run, result.Thresholds);
            }

            json.WriteEndArray();
            json.WriteStartArray("runs");
            foreach (OptimizerRun run in result.Runs)
            {
                json.WriteStartObject();
                WriteOutcome(json, run);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        AtomicFile.WriteAllBytes(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static void WriteRun(Utf8JsonWriter json, OptimizerRun run, IReadOnlyList<Threshold> thresholds)
    {
        json.WriteStartObject();
        WriteOutcome(json, run);
        if (thresholds.Any(t => t.Accuracy))
        {
            WriteNumberOrNull(json, "finalTestAccuracy", run.FinalTestAccuracy);
        }

        foreach (Threshold threshold in thresholds)
        {
            EvaluationPoint? reached = run.FirstReaching(threshold);
            string examplesKey = "examplesTo" + threshold.KeySuffix;
            string secondsKey = "secondsTo" + threshold.KeySuffix;
            if (reached is EvaluationPoint p)
            {
                json.WriteNumber(examplesKey, p.Examples);
                json.WriteNumber(secondsKey, Math.Round(p.Seconds, 3));
            }
            else
            {
                json.WriteNull(examplesKey);
                json.WriteNull(secondsKey);
            }
        }

        json.WriteEndObject();
    }

    /// <summary>The keys every run entry has: name, learningRate, batch, examplesSeen, seconds, finalTestLoss, status.</summary>
    private static void WriteOutcome(Utf8JsonWriter json, OptimizerRun run)
    {
        json.WriteString("name", run.Name);
        json.WriteNumber("learningRate", run.LearningRate);
        json.WriteNumber("batch", run.Batch);
        json.WriteNumber("examplesSeen", run.ExamplesSeen);
        json.WriteNumber("seconds", Math.Round(run.Seconds, 3));
        WriteNumberOrNull(json, "finalTestLoss", run.FinalTestLoss);
        json.WriteString("status", run.StopReason);
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v && double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
