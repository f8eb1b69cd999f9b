using System.Globalization;
using NgdKernel.CheckpointWriter;

namespace NgdKernel.Tests.Reliability;

/// <summary>
/// A small network trained by the guarded, damped natural gradient for a CI-sized number of steps
/// (30 000; NGD_SOAK_STEPS for more, or
/// <c>dotnet run -c Release --project tests/NgdKernel.CheckpointWriter -- soak 1000000</c>): no
/// generation-2 collection and no allocated byte after warm-up, damping within its bounds, loss
/// finite and lower than at the start. It runs in a child process, because collection counts are
/// process-wide and the other tests allocate in parallel.
/// </summary>
[Collection(SoakTestCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    private static long Steps =>
        long.TryParse(Environment.GetEnvironmentVariable("NGD_SOAK_STEPS"), CultureInfo.InvariantCulture, out long n) && n > 0 ? n : 30_000;

    [Fact]
    public void Soak_NaturalGradient_NoMemoryGrowthAndBoundedDamping()
    {
        (int exitCode, string stdout, string stderr) = ChildProcess.Run(TimeSpan.FromMinutes(30),
            "soak", Steps.ToString(CultureInfo.InvariantCulture));
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.Contains("soak: OK", stdout, StringComparison.Ordinal);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public void Soak_ShortRunInProcess_AllocatesNothingAfterWarmup()
    {
        SoakReport report = Soak.Run(3000, warmupSteps: 500);
        output.WriteLine(report.ToString());
        Assert.Equal(0, report.AllocatedBytes);
        Assert.InRange(report.MinDamping, Soak.MinDamping, Soak.MaxDamping);
        Assert.InRange(report.MaxDamping, Soak.MinDamping, Soak.MaxDamping);
        Assert.True(double.IsFinite(report.LastLoss));
        Assert.True(report.LastLoss < report.FirstLoss, $"loss {report.FirstLoss} -> {report.LastLoss}");
    }
}

/// <summary>
/// The soak test counts process-wide generation-2 collections, so no other test may allocate
/// while it runs: a collection with parallelization disabled runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakTestCollection
{
    public const string Name = "Soak, run alone";
}
