using BenchmarkDotNet.Running;
using NgdKernel.Benchmarks.Harness;
using NgdKernel.Benchmarks.OpenBlas;

// `probe [environment|automatic]` reports what OpenBLAS loads with (one selection per process,
// because OpenBLAS reads OPENBLAS_CORETYPE once, when it loads); anything else goes to
// BenchmarkDotNet's switcher.
if (args is ["probe", ..])
{
    OpenBlasCoreSelection selection = args is [_, "automatic", ..]
        ? OpenBlasCoreSelection.Automatic
        : OpenBlasCoreSelection.Environment;
    OpenBlasProbe probe = OpenBlasLibrary.Load(selection);
    Console.Write(OpenBlasLibrary.Describe(probe));
    if (probe.IsInstalled)
    {
        Console.WriteLine($"self-check: {OpenBlasSelfCheck.Run() ?? "ok"}");
    }

    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchConfig.Create());
return 0;
