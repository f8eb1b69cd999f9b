using System.Text.Json;

namespace NgdKernel.Cli.Bench;

/// <summary>One line of <c>ngd bench</c>'s table and JSON output (stable keys that result scripts read).</summary>
/// <param name="Kernel"><c>peak</c>, <c>gemm</c>, <c>syrk</c>, <c>chol</c> or <c>step</c>.</param>
/// <param name="Op">The variant: <c>NN</c>/<c>NT</c>/<c>TN</c>, <c>AtA</c>, <c>potrf+2potrs</c>, <c>V512</c>, <c>ngd-cholesky</c>...</param>
/// <param name="Precision"><c>float</c> or <c>double</c>.</param>
/// <param name="M">Rows of the result (GEMM), batch (step), n otherwise.</param>
/// <param name="N">Columns of the result, or n.</param>
/// <param name="K">Inner dimension, or n.</param>
/// <param name="Threads">Threads used.</param>
/// <param name="Gflops">NgdKernel's rate.</param>
/// <param name="OpenBlasGflops">OpenBLAS's rate on the same case, null without OpenBLAS or counterpart.</param>
/// <param name="PeakGflops">The measured FMA peak for this precision and thread count.</param>
/// <param name="Seconds">Median time of one call.</param>
internal sealed record BenchRow(string Kernel, string Op, string Precision, int M, int N, int K, int Threads,
    double Gflops, double? OpenBlasGflops, double PeakGflops, double Seconds)
{
    /// <summary><see cref="Gflops"/> / <see cref="PeakGflops"/>.</summary>
    public double FractionOfPeak => PeakGflops > 0 ? Gflops / PeakGflops : double.NaN;

    /// <summary>Writes the rows as a JSON array, by hand (no reflection-based serializer).</summary>
    public static void WriteJson(Stream stream, IReadOnlyList<BenchRow> rows)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (BenchRow row in rows)
        {
            json.WriteStartObject();
            json.WriteString("kernel", row.Kernel);
            json.WriteString("op", row.Op);
            json.WriteString("precision", row.Precision);
            json.WriteNumber("m", row.M);
            json.WriteNumber("n", row.N);
            json.WriteNumber("k", row.K);
            json.WriteNumber("threads", row.Threads);
            WriteNumberOrNull(json, "gflops", row.Gflops);
            if (row.OpenBlasGflops is double openBlas)
            {
                json.WriteNumber("openblasGflops", Math.Round(openBlas, 3));
            }
            else
            {
                json.WriteNull("openblasGflops");
            }

            WriteNumberOrNull(json, "peakGflops", row.PeakGflops);
            WriteNumberOrNull(json, "fractionOfPeak", row.FractionOfPeak, 4);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>JSON has no NaN: a rate without a flop count (Sherman-Morrison steps) is null.</summary>
    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value, int digits = 3)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, Math.Round(value, digits));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>A fixed-width text line for the console table.</summary>
    public string ToLine()
    {
        string shape = Kernel switch
        {
            "gemm" when Op == "step-shapes" => $"mnist M={M}", // every product of one step, not one GEMM
            "gemm" => $"{M}x{K}x{N}",
            "syrk" => $"{K}x{N}",
            "chol" => $"{N}",
            "step" => $"mnist M={M}",
            _ => "",
        };
        string openBlas = OpenBlasGflops is double o ? F(o) : "-";
        // The peak is measured on the kernels' path, so a fraction above 1 is a disturbed peak run,
        // shown as 100 % with a mark the table explains, never as a rate faster than the hardware.
        string peak = !double.IsFinite(FractionOfPeak) ? "-"
            : FractionOfPeak > 1 ? $"100 %{AbovePeakMark}"
            : FractionOfPeak.ToString("P0", CultureInfo.InvariantCulture);
        string ratio = OpenBlasGflops is double r && r > 0 ? (Gflops / r).ToString("F2", CultureInfo.InvariantCulture) : "-";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Kernel,-5} {Op,-20} {Precision,-6} {shape,-14} {Threads,3} {F(Gflops),9} {openBlas,9} {ratio,6} {peak,6} {Seconds * 1e3,10:F3}");
    }

    /// <summary>Marks a fraction of peak above 100 % (shown as 100 %).</summary>
    public const string AbovePeakMark = "*";

    /// <summary>The header matching <see cref="ToLine"/>.</summary>
    public static string Header =>
        $"{"kernel",-5} {"op",-20} {"prec",-6} {"shape",-14} {"thr",3} {"GFLOP/s",9} {"OpenBLAS",9} {"ratio",6} {"peak",6} {"ms/call",10}";

    private static string F(double value) => !double.IsFinite(value) ? "-" : value.ToString(value >= 100 ? "F1" : "F2", CultureInfo.InvariantCulture);
}
