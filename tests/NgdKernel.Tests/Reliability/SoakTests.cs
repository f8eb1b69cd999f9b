using System.Globalization;
using NgdKernel.CheckpointWriter;
using Xunit.Abstractions;

namespace NgdKernel.Tests.Reliability;

/// <summary>
/// A small network trained by the guarded, damped natural gradient for a CI-sized number of steps:
/// no generation-2 collection and no allocated byte after warm-up, damping within its bounds, loss
/// finite and lower than at the start. The full run is
/// <c>dotnet run -c Release --project tests/NgdKernel.CheckpointWriter -- soak 1000000</c>, or this
/// test with NGD_SOAK_STEPS=1000000.
/// </summary>
[Collection(SoakTestCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    private static long Steps =>
        long.TryParse(Environment.GetEnvironmentVariable("NGD_SOAK_STEPS"), CultureInfo.InvariantCulture, out long n) && n > 0 ? n : 30_000;

    [Fact]
    public void Soak_NaturalGradient_NoMemoryGrowthAndBoundedDamping()
    {
        SoakReport report = Soak.Run(Steps, warmupSteps: 1000);
        output.WriteLine(report.ToString());
        Assert.Equal(0, report.Gen2Collections);
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
