namespace NgdKernel.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        // Ctrl+C: the experiment stops at the next step boundary, writes its final checkpoint and
        // partial outputs and exits with 130. A second Ctrl+C ends the process at once.
        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler handler = (_, e) =>
        {
            if (!interrupt.IsCancellationRequested)
            {
                e.Cancel = true;
                interrupt.Cancel();
            }
        };
        Console.CancelKeyPress += handler;
        try
        {
            return CliApp.Run(
                args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected && !Console.IsErrorRedirected, interrupt.Token);
        }
        finally
        {
            Console.CancelKeyPress -= handler;
        }
    }
}
