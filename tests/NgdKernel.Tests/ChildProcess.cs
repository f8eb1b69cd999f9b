using System.Diagnostics;

namespace NgdKernel.Tests;

/// <summary>
/// Starts the NgdKernel.CheckpointWriter helper (copied next to the test assembly by its project
/// reference) under the same dotnet host as the tests.
/// </summary>
internal static class ChildProcess
{
    public static string WriterAssembly => Path.Combine(AppContext.BaseDirectory, "NgdKernel.CheckpointWriter.dll");

    public static Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(WriterAssembly);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the checkpoint writer.");
    }

    /// <summary>Runs to completion (with a timeout) and returns exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Output, string Error) Run(TimeSpan timeout, params string[] arguments)
    {
        using Process process = Start(arguments);
        return WaitForOutput(process, timeout, $"checkpoint writer {string.Join(' ', arguments)}");
    }

    /// <summary>
    /// Drains a started process's redirected stdout and stderr while waiting for it to exit; kills the
    /// whole tree and throws <see cref="TimeoutException"/> naming <paramref name="what"/> after
    /// <paramref name="timeout"/>.
    /// </summary>
    public static (int ExitCode, string Output, string Error) WaitForOutput(Process process, TimeSpan timeout, string what)
    {
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{what} did not finish in {timeout}.");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The dotnet executable running the tests (the SDK sets DOTNET_HOST_PATH for test hosts).</summary>
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        return "dotnet";
    }
}

/// <summary>A temporary folder deleted with its contents on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ngd-reliability-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
