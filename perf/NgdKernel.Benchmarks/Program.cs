using BenchmarkDotNet.Running;
using NgdKernel.Benchmarks;
using NgdKernel.Perf.OpenBlas;

// `latency [steps]` prints the step-latency table (tails, not means: not a BenchmarkDotNet job);
// `controls [rounds]` times the training controls' NGD variants stepping in turn;
// `eigen-accuracy` prints SymmetricEigen's accuracy beside LAPACK ?syevr on the same inputs;
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

if (args is ["eigen-accuracy", ..])
{
    EigenAccuracy.Run(Console.Out);
    return 0;
}

if (args is ["latency", ..])
{
    int steps = args is [_, string count, ..] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 100_000;
    LatencyRun.Run(steps, Console.Out);
    return 0;
}

if (args is ["controls", ..])
{
    int rounds = args is [_, string count, ..] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 2000;
    ControlsRun.Run(rounds, Console.Out);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchConfig.Create());
return 0;
