using System.Globalization;

namespace NgdKernel.Tests.Cli;

/// <summary>
/// <c>--damping-form factored</c> makes Fig. 1A train with the paper's own output variance
/// <c>SigmaT = 1e-6 I</c>, where the paper's damping form fails to factor the 16-layer error covariances.
/// </summary>
public sealed class CliDampingFormTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("ngd-cli-pi-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private (int Code, string Output, string Error, double[] TestLoss) Fig1a(string form, string variance)
    {
        string output = Path.Combine(folder, form + variance);
        (int code, string stdout, string stderr) = CliArgumentTests.Run(
            "fig1a", "--optimizers", "ngd", "--model-variance", variance, "--damping-form", form,
            "--examples", "6000", "--eval-every", "1000", "--batch", "500", "--seconds", "60", "--out", output);
        double[] loss = [.. File.ReadAllLines(Path.Combine(output, "fig1a.csv")).Skip(1).Select(l => l.Split(','))
            .Where(r => r[5].Length > 0).Select(r => double.Parse(r[5], CultureInfo.InvariantCulture))];
        return (code, stdout, stderr, loss);
    }

    [Fact]
    public void PiDamping_Cli_Fig1aTrainsAtModelVariance1e6()
    {
        (int code, string output, string error, double[] loss) = Fig1a("factored", "1e-6");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Equal(7, loss.Length);
        Assert.True(loss[^1] < 0.1 * loss[0], $"test loss {loss[0]} -> {loss[^1]} did not fall tenfold");

        // The paper's form at the same variance: the damped error covariance is not positive definite.
        (int paperCode, string paperOutput, string paperError, _) = Fig1a("paper", "1e-6");
        Assert.Equal(1, paperCode);
        Assert.Contains("not positive definite", paperOutput + paperError, StringComparison.Ordinal);
    }

    [Fact]
    public void PiDamping_Cli_RejectsUnknownForm()
    {
        (int code, _, string error) = CliArgumentTests.Run("fig1a", "--damping-form", "kfac", "--out", folder);
        Assert.Equal(2, code);
        Assert.Contains("kfac", error, StringComparison.Ordinal);
    }
}
