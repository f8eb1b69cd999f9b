using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using NgdKernel.Checkpoints;
using NgdKernel.CheckpointWriter;

// Child process of the reliability tests, and the long soak run.
//   resume <scenario> <in> <out> <steps>   load <in>, train <steps> more, save <out>
//   loop <scenario> <path> [seconds]       resume from <path> if present, then step + save forever,
//                                           printing "saved <step>" after each save (exits after
//                                           [seconds], default 60, so it never outlives a dead parent)
//   soak <steps>                            the soak run (docs: 10^6 steps)
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: resume <scenario> <in> <out> <steps> | loop <scenario> <path> [seconds] | soak <steps>");
    return 2;
}

try
{
    switch (args[0])
    {
        case "resume" when args.Length == 5:
            return Scenarios.IsFloat(args[1])
                ? Commands.Resume<float>(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture))
                : Commands.Resume<double>(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture));
        case "loop" when args.Length is 3 or 4:
            return Commands.Loop(args[1], args[2], args.Length == 4 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 60);
        case "soak" when args.Length == 2:
            SoakReport report = Soak.Run(long.Parse(args[1], CultureInfo.InvariantCulture), log: Console.Out);
            Console.WriteLine(report);
            bool ok = report.Gen2Collections == 0 && report.AllocatedBytes == 0
                && report.MinDamping >= Soak.MinDamping && report.MaxDamping <= Soak.MaxDamping
                && double.IsFinite(report.LastLoss) && report.LastLoss < report.FirstLoss;
            Console.WriteLine(ok ? "soak: OK" : "soak: FAILED");
            return ok ? 0 : 1;
        default:
            Console.Error.WriteLine($"bad arguments: {string.Join(' ', args)}");
            return 2;
    }
}
catch (CheckpointFormatException e)
{
    Console.Error.WriteLine(e.Message);
    return 3;
}

internal static class Commands
{
    public static int Resume<T>(string scenario, string input, string output, int steps)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var run = new Scenario<T>(scenario);
        Checkpoint.Load(input, run.Optimizer);
        run.Train(steps);
        Checkpoint.Save(output, run.Optimizer);
        return 0;
    }

    public static int Loop(string scenario, string path, double seconds)
    {
        var run = new Scenario<double>(scenario);
        if (File.Exists(path))
        {
            Checkpoint.Load(path, run.Optimizer);
        }

        Console.Out.WriteLine(FormattableString.Invariant($"ready {run.Optimizer.StepCount}"));
        Console.Out.Flush();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            run.Train(1);
            Checkpoint.Save(path, run.Optimizer);
            Console.Out.WriteLine(FormattableString.Invariant($"saved {run.Optimizer.StepCount}"));
            Console.Out.Flush();
        }

        return 0;
    }
}
