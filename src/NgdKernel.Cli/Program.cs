namespace NgdKernel.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.WriteLine("usage: ngd <fig1a|fig1b|fig1c|mnist|bench> [options]");
        return args.Length == 0 ? 0 : 2;
    }
}
