using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace NgdKernel.Ab;

/// <summary>
/// Same-process A/B of two builds of NgdKernel.Kernels and NgdKernel: each build is loaded into its
/// own <see cref="AssemblyLoadContext"/> together with a copy of this assembly (whose
/// <see cref="Cases"/> then binds to that build), and the two run the same case in alternation, so
/// that both see the same machine load. Reports the median over rounds of time(new) / time(old),
/// and as its noise floor time(twin) / time(new), where the twin is the new build loaded again.
/// Each build is loaded <c>--copies</c> times (default 3; times are geometric means over copies),
/// because where the JIT places a kernel's code moves small cases by several percent.
/// </summary>
/// <remarks>
/// <code>
///   dotnet run -c Release --project perf/NgdKernel.Ab -- --old DIR [--new DIR] [--rounds N] [--copies N] [--filter S1|S2]
/// </code>
/// DIR holds a Release build's NgdKernel.Kernels.dll and NgdKernel.dll; --new defaults to the
/// build next to this program. Nothing from either build is loaded into the default context.
/// Times are the calling thread's CPU time (Linux clock_gettime), so cases run single-threaded.
/// </remarks>
internal static class Program
{
    public static int Main(string[] args)
    {
        string? oldDirectory = null;
        string newDirectory = AppContext.BaseDirectory;
        int rounds = 42;
        int copies = 3;
        string filter = "";
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--old": oldDirectory = args[i + 1]; break;
                case "--new": newDirectory = args[i + 1]; break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--filter": filter = args[i + 1]; break;
                case "--copies": copies = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        if (oldDirectory is null)
        {
            Console.Error.WriteLine("usage: --old DIR [--new DIR] [--rounds N] [--copies N] [--filter S1|S2]");
            return 2;
        }

        // Code placement alone moves a 20³ GEMM by up to ±7 % (the same build in two load contexts
        // measured 0.93-1.07), so each build is loaded `copies` times and compared by the geometric
        // mean over its copies; the twin group (the new build loaded again as often) gives the noise
        // floor of that comparison, which a new/old ratio must clear to mean anything.
        var create = new Func<string, Action>[3 * copies];
        for (int c = 0; c < copies; c++)
        {
            create[3 * c] = Load($"old{c}", oldDirectory);
            create[(3 * c) + 1] = Load($"new{c}", newDirectory);
            create[(3 * c) + 2] = Load($"twin{c}", newDirectory);
        }

        Console.WriteLine("| case | new/old median | p25 | p75 | twin/new (noise) | p25 | p75 | rounds × batches × calls |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (string name in Cases.Names)
        {
            if (!filter.Split('|').Any(f => name.Contains(f, StringComparison.Ordinal)))
            {
                continue;
            }

            Action[] run = [.. create.Select(c => c(name))];
            (int calls, int batches) = (0, 0);
            for (int slot = run.Length - 1; slot >= 0; slot--)
            {
                (calls, batches) = Calibrate(run[slot]);
            }

            var ratios = new double[rounds];
            var noise = new double[rounds];
            var logSeconds = new double[3];
            int[] order = [.. Enumerable.Range(0, run.Length)];
            for (int r = 0; r < rounds; r++)
            {
                // Each round starts at the next slot and every other round runs backwards, so that
                // every slot goes first, in the middle and last equally often (whatever runs first
                // may pay for caches the one before evicted).
                Array.Clear(logSeconds);
                for (int i = 0; i < run.Length; i++)
                {
                    int slot = order[(r + (r % 2 == 0 ? i : run.Length - i)) % run.Length];
                    logSeconds[slot % 3] += Math.Log(Fastest(run[slot], calls, batches)) / copies;
                }

                ratios[r] = Math.Exp(logSeconds[1] - logSeconds[0]);
                noise[r] = Math.Exp(logSeconds[2] - logSeconds[1]);
            }

            Array.Sort(ratios);
            Array.Sort(noise);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {ratios[rounds / 2]:F3} | {ratios[rounds / 4]:F3} | {ratios[3 * rounds / 4]:F3} | {noise[rounds / 2]:F3} | {noise[rounds / 4]:F3} | {noise[3 * rounds / 4]:F3} | {rounds} × {batches} × {calls} |"));
        }

        return 0;
    }

    /// <summary>
    /// Calls per timed batch (about 0.2 ms, or one call) and batches per round (about 20 ms in all),
    /// after warm-up and tiering. A round keeps its fastest batch: on a shared machine the
    /// interference only ever adds time.
    /// </summary>
    private static (int Calls, int Batches) Calibrate(Action run)
    {
        // Warm-up: enough calls for tiered compilation to reach tier 1 (with dynamic PGO) and the
        // pauses to let the background compiler finish.
        for (int round = 0; round < 3; round++)
        {
            // A slow case (the MNIST step) stops after a second: the methods it calls have run
            // thousands of times by then.
            double spent = 0;
            for (int i = 0; (i < 50 && (i < 3 || spent < 1)) || (i < 5000 && Time(run, 1) < 1e-3); i++)
            {
                spent += Time(run, 1);
            }

            Thread.Sleep(100);
        }

        double once = Math.Max(Time(run, 3) / 3, 1e-7);
        int calls = Math.Clamp((int)(2e-4 / once), 1, 100_000);
        int batches = Math.Clamp((int)(0.02 / (once * calls)), 3, 1000);
        return (calls, batches);
    }

    private static double Fastest(Action run, int calls, int batches)
    {
        double best = double.MaxValue;
        for (int i = 0; i < batches; i++)
        {
            best = Math.Min(best, Time(run, calls));
        }

        return best;
    }

    /// <summary>
    /// CPU time of this thread over <paramref name="calls"/> calls: with many processes sharing the
    /// cores, wall time mostly measures the scheduler. Every case runs on the calling thread only.
    /// </summary>
    private static double Time(Action run, int calls)
    {
        double start = ThreadCpuSeconds();
        for (int i = 0; i < calls; i++)
        {
            run();
        }

        return ThreadCpuSeconds() - start;
    }

    private static unsafe double ThreadCpuSeconds()
    {
        const int ClockThreadCpuTimeId = 3;
        TimeSpec time;
        if (ClockGetTime(ClockThreadCpuTimeId, &time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return time.Seconds + (time.Nanoseconds * 1e-9);
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern unsafe int ClockGetTime(int clock, TimeSpec* time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static Func<string, Action> Load(string name, string directory)
    {
        var context = new BuildContext(name, Path.GetFullPath(directory));
        Assembly self = context.LoadFromAssemblyPath(typeof(Program).Assembly.Location);
        MethodInfo create = self.GetType(typeof(Cases).FullName!, throwOnError: true)!
            .GetMethod(nameof(Cases.Create), BindingFlags.Public | BindingFlags.Static)!;
        return caseName => (Action)create.Invoke(null, [caseName])!;
    }

    /// <summary>Resolves the two library assemblies from one build directory; everything else from the default context.</summary>
    private sealed class BuildContext(string name, string directory) : AssemblyLoadContext(name)
    {
        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name is "NgdKernel.Kernels" or "NgdKernel"
                ? LoadFromAssemblyPath(Path.Combine(directory, assemblyName.Name + ".dll"))
                : null;
    }
}
