using System.Diagnostics;

namespace NgdKernel.Tests.Packaging;

/// <summary>Runs one of the repository's bash scripts and returns its exit code and output.</summary>
internal static class Script
{
    public static (int ExitCode, string Log) Run(string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start bash {script}");
        (int exitCode, string output, string error) = ChildProcess.WaitForOutput(process, timeout, script);
        return (exitCode, output + error);
    }
}
