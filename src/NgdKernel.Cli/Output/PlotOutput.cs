using ScottPlot;
using SkiaSharp;

namespace NgdKernel.Cli.Output;

/// <summary>
/// <c>&lt;experiment&gt;.png</c>: the paper's Fig. 1 layout in two panels, test loss against examples
/// seen (left) and against training wall-clock seconds (right), log y axis; NGD red, the best SGD of
/// the grid black, the other grid values thin grey, the minimum achievable loss dashed grey. For
/// classification the y axis is the test error (1 - accuracy) and the best SGD with momentum is blue.
/// </summary>
internal static class PlotOutput
{
    public const int PanelWidth = 640;
    public const int PanelHeight = 480;

    public static void Write(ExperimentResult result, string path)
    {
        using Plot byExamples = CreatePanel(result, useSeconds: false);
        using Plot bySeconds = CreatePanel(result, useSeconds: true);
        var info = new SKImageInfo(2 * PanelWidth, PanelHeight);
        using SKSurface surface = SKSurface.Create(info);
        surface.Canvas.Clear(SKColors.White);
        DrawPanel(byExamples, surface.Canvas, 0);
        DrawPanel(bySeconds, surface.Canvas, PanelWidth);
        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, png.AsSpan());
    }

    // Each panel is rendered on its own surface: Plot.Render clears the whole canvas it is given.
    private static void DrawPanel(Plot plot, SKCanvas canvas, int left)
    {
        using SKSurface panel = SKSurface.Create(new SKImageInfo(PanelWidth, PanelHeight));
        plot.Render(panel.Canvas, PanelWidth, PanelHeight);
        using SKImage image = panel.Snapshot();
        canvas.DrawImage(image, left, 0);
    }

    private static string FormatPowerOfTen(double exponent)
    {
        int k = (int)Math.Round(exponent);
        return k is >= -3 and <= 4
            ? Math.Pow(10, k).ToString("G", System.Globalization.CultureInfo.InvariantCulture)
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"1e{k}");
    }

    private static Plot CreatePanel(ExperimentResult result, bool useSeconds)
    {
        var plot = new Plot();
        bool error = result.Settings.Spec.IsClassification;
        OptimizerRun? best = result.BestSgd;
        OptimizerRun? bestMomentum = result.BestSgdMomentum;
        string? gridLabel = "SGD, other grid rates";
        foreach (OptimizerRun run in result.Runs.Where(r => r.Name is "sgd" or "sgdm" && !ReferenceEquals(r, best) && !ReferenceEquals(r, bestMomentum)))
        {
            AddCurve(plot, run, useSeconds, error, Colors.Gray.WithAlpha(0.45), 1, gridLabel);
            gridLabel = null;
        }

        if (best is not null)
        {
            AddCurve(plot, best, useSeconds, error, Colors.Black, 2, FormattableString.Invariant($"SGD (M={best.Batch}, lr={best.LearningRate:G3})"));
        }

        if (bestMomentum is not null)
        {
            AddCurve(plot, bestMomentum, useSeconds, error, Colors.Blue, 2,
                FormattableString.Invariant($"SGD momentum {result.Settings.SgdMomentum:G3} (M={bestMomentum.Batch}, lr={bestMomentum.LearningRate:G3})"));
        }

        if (result.Ngd is OptimizerRun ngd)
        {
            AddCurve(plot, ngd, useSeconds, error, Colors.Red, 2, FormattableString.Invariant($"NGD (M={ngd.Batch}, alpha={ngd.LearningRate:G3})"));
        }

        if (result.MinLoss is double floor && floor > 0)
        {
            var line = plot.Add.HorizontalLine(Math.Log10(floor));
            line.Color = Colors.Gray;
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1.5f;
            line.LegendText = "minimum loss";
        }

        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = FormatPowerOfTen,
        };
        plot.Axes.Left.TickGenerator = ticks;
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.15);
        plot.Grid.MinorLineColor = Colors.Black.WithOpacity(0.05);
        plot.Grid.MinorLineWidth = 1;
        string quantity = error ? "test error (1 - accuracy)" : result.LossName;
        plot.Title($"{result.Settings.Spec.Id}: {quantity} vs {(useSeconds ? "time" : "examples")}");
        plot.XLabel(useSeconds ? "wall-clock seconds (training)" : "training examples seen");
        plot.YLabel(quantity);
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.AutoScale();
        return plot;
    }

    private static void AddCurve(Plot plot, OptimizerRun run, bool useSeconds, bool error, Color color, float width, string? label)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (EvaluationPoint p in run.Points)
        {
            double y = error ? 1 - (p.TestAccuracy ?? double.NaN) : p.TestLoss;
            if (double.IsFinite(y) && y > 0)
            {
                xs.Add(useSeconds ? p.Seconds : p.Examples);
                ys.Add(Math.Log10(y));
            }
        }

        if (xs.Count == 0)
        {
            return;
        }

        var scatter = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
        scatter.Color = color;
        scatter.LineWidth = width;
        if (label is not null)
        {
            scatter.LegendText = label;
        }
    }
}
