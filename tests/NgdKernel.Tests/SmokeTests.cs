namespace NgdKernel.Tests;

public class SmokeTests
{
    [Fact]
    public void Solution_Builds() => Assert.True(typeof(SmokeTests).Assembly.GetName().Name == "NgdKernel.Tests");
}
