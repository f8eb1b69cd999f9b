namespace NgdKernel.Cli;

/// <summary>The line that says which kernel path a run uses, and why when it is narrower than the CPU allows.</summary>
internal static class KernelPathLine
{
    public static string Describe(KernelPath path) =>
        KernelPaths.DescribeNarrowing(path) is string reason
            ? $"kernel path {path}, NARROWER than this CPU's {KernelPaths.Hardware}: {reason}"
            : $"kernel path {path} (the widest this CPU allows)";
}
