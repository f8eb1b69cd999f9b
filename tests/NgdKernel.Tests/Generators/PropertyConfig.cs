using System.Globalization;
using FsCheck;
using Microsoft.FSharp.Core;

namespace NgdKernel.Tests.Generators;

/// <summary>
/// FsCheck draws a fresh seed per run and prints it on failure as <c>(seed,gamma,size)</c>; setting
/// <c>NGD_FSCHECK_REPLAY</c> to that text makes the properties that use this config start from it,
/// so a failure seen once can be reproduced without editing the test.
/// </summary>
internal static class PropertyConfig
{
    public const string ReplayVariable = "NGD_FSCHECK_REPLAY";

    /// <summary>Throw on failure, <paramref name="maxTest"/> cases, replayable from the environment.</summary>
    public static Config Quick(int maxTest) => WithReplayFromEnvironment(Config.QuickThrowOnFailure.WithMaxTest(maxTest));

    public static Config WithReplayFromEnvironment(Config config)
    {
        string? text = Environment.GetEnvironmentVariable(ReplayVariable);
        return string.IsNullOrWhiteSpace(text) ? config : config.WithReplay(FSharpOption<Replay>.Some(Parse(text)));
    }

    public static Replay Parse(string text)
    {
        string[] parts = text.Trim().Trim('(', ')').Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3)
        {
            throw new FormatException($"{ReplayVariable}='{text}': expected '(seed,gamma)' or '(seed,gamma,size)'.");
        }

        var rnd = new Rnd(
            ulong.Parse(parts[0], CultureInfo.InvariantCulture), ulong.Parse(parts[1], CultureInfo.InvariantCulture));
        FSharpOption<int> size = parts.Length == 3
            ? FSharpOption<int>.Some(int.Parse(parts[2], CultureInfo.InvariantCulture))
            : FSharpOption<int>.None;
        return new Replay(rnd, size);
    }
}
