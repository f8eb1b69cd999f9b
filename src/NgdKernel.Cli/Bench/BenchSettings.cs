namespace NgdKernel.Cli.Bench;

/// <summary>What one <c>ngd bench</c> pass runs with.</summary>
/// <param name="PrecisionName"><c>float</c> or <c>double</c>.</param>
/// <param name="Threads">Threads for NgdKernel and OpenBLAS.</param>
/// <param name="Context">NgdKernel's context with <paramref name="Threads"/> workers.</param>
/// <param name="OpenBlas">Description of the loaded OpenBLAS, or null when it is not installed.</param>
/// <param name="GemmShape">Only the GEMM cases of this <c>MxKxN</c>, or null for all.</param>
internal sealed record BenchSettings(string PrecisionName, int Threads, KernelContext Context, string? OpenBlas,
    string? GemmShape = null);
