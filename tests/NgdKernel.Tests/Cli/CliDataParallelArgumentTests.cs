namespace NgdKernel.Tests.Cli;

/// <summary>The data-parallel flags (<c>ngd silo</c>, <c>--cluster</c>) refuse bad values by name, before any network use.</summary>
public sealed class CliDataParallelArgumentTests
{
    public static TheoryData<string, string[], string> BadArguments() => new()
    {
        { "silo without --listen", ["silo"], "--listen" },
        { "listen without port", ["silo", "--listen", "127.0.0.1"], "--listen '127.0.0.1'" },
        { "listen port out of range", ["silo", "--listen", "127.0.0.1:70000"], "--listen" },
        { "primary without port", ["silo", "--listen", "127.0.0.1:11111", "--primary", "127.0.0.1"], "--primary" },
        { "gateway port zero", ["silo", "--listen", "127.0.0.1:11111", "--gateway", "0"], "--gateway" },
        { "cluster without workers", ["fig1a", "--cluster", "127.0.0.1:30000"], "--workers" },
        { "cluster gateway without port", ["fig1a", "--workers", "1", "--cluster", "127.0.0.1"], "--cluster" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadDataParallelArguments_ExitWithUsageErrorNamingTheFlag(string why, string[] args, string expected)
    {
        (int code, _, string error) = CliArgumentTests.Run(args);
        Assert.True(code == 2, $"{why}: exit code {code}, stderr: {error}");
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
