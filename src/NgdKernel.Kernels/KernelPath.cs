namespace NgdKernel.Kernels;

/// <summary>The instruction-set path a kernel runs on.</summary>
/// <remarks>
/// Every kernel has all three paths; <see cref="KernelPaths.Best"/> picks the widest one the
/// hardware accelerates. Results agree across paths within each kernel's documented tolerance,
/// and are bit-identical run to run on one path.
/// </remarks>
public enum KernelPath
{
    /// <summary>Portable scalar code; the reference the vector paths are tested against.</summary>
    Scalar = 0,

    /// <summary>256-bit vectors (AVX2 + FMA on x64).</summary>
    Vector256 = 1,

    /// <summary>512-bit vectors (AVX-512F on x64).</summary>
    Vector512 = 2,
}

/// <summary>Which <see cref="KernelPath"/>s this machine runs, and the default choice.</summary>
/// <remarks>
/// Two widths are told apart: <see cref="Hardware"/>, what the CPU's instruction sets allow, and
/// <see cref="Widest"/>, what this process's compiled code accelerates. They differ when a Native
/// AOT binary was compiled for an older instruction set than the CPU has (the package's build
/// defaults prevent that, see <c>docs/deployment.md</c>), or when the runtime was told not to use
/// 512-bit vectors. <see cref="NarrowerThanHardware"/> and <see cref="NarrowingReason"/> say so,
/// so that a slower path is never taken silently.
/// </remarks>
public static class KernelPaths
{
    /// <summary>
    /// Name of the environment variable that forces a path for the whole process
    /// (<c>Scalar</c>, <c>Vector256</c> or <c>Vector512</c>), read once, on the first use of
    /// <see cref="Best"/>, so that a whole test suite can run on one path. An unsupported or unknown
    /// value is an error of <see cref="Best"/> (and so of <see cref="KernelContext.Default"/> and of
    /// every kernel call without a context) that names the variable, its value and the reason.
    /// </summary>
    public const string EnvironmentVariable = "NGD_KERNEL_PATH";

    private const int Unchosen = -1;

    private static volatile int best = Unchosen;

    // Declared before Supported: static initialisers run in text order and Supported reads Widest.
    /// <summary>The widest path this process accelerates, ignoring any forcing.</summary>
    public static KernelPath Widest { get; } =
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
        : KernelPath.Scalar;

    /// <summary>
    /// The widest path the CPU's instruction sets allow (AVX-512 F/BW/CD/DQ/VL for
    /// <see cref="KernelPath.Vector512"/>, AVX2 and FMA for <see cref="KernelPath.Vector256"/>),
    /// whether or not this process can run it; read with CPUID, which works the same under the
    /// JIT and Native AOT. Equal to <see cref="Widest"/> on other architectures.
    /// </summary>
    public static KernelPath Hardware { get; } = CpuInstructionSets.WidestPath(Widest);

    /// <summary>
    /// The fastest path this process runs (<see cref="Widest"/>), or the one forced by
    /// <see cref="EnvironmentVariable"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// <see cref="EnvironmentVariable"/> holds an unknown path, or one this process cannot run; the
    /// message names the value and why.
    /// </exception>
    public static KernelPath Best
    {
        get
        {
            int chosen = best;
            if (chosen == Unchosen)
            {
                chosen = (int)Choose(Environment.GetEnvironmentVariable(EnvironmentVariable), Widest, Hardware);
                best = chosen;
            }

            return (KernelPath)chosen;
        }
    }

    /// <summary>
    /// Whether <see cref="Best"/> is narrower than the CPU allows (<see cref="Hardware"/>):
    /// the kernels then run slower than this machine could run them; <see cref="NarrowingReason"/>
    /// says why.
    /// </summary>
    /// <exception cref="InvalidOperationException">As <see cref="Best"/>.</exception>
    public static bool NarrowerThanHardware => Best < Hardware;

    /// <summary>
    /// Why <see cref="Best"/> is narrower than <see cref="Hardware"/>, and how to widen it;
    /// <see langword="null"/> when it is not.
    /// </summary>
    /// <exception cref="InvalidOperationException">As <see cref="Best"/>.</exception>
    public static string? NarrowingReason => DescribeNarrowing(Best);

    /// <summary>Whether this machine can run <paramref name="path"/>.</summary>
    public static bool IsSupported(KernelPath path) => path switch
    {
        KernelPath.Scalar => true,
        KernelPath.Vector256 => Vector256.IsHardwareAccelerated,
        KernelPath.Vector512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>Every path this machine supports, scalar first.</summary>
    public static IReadOnlyList<KernelPath> Supported { get; } =
        [.. Enum.GetValues<KernelPath>().Where(IsSupported)];

    /// <summary>
    /// Why running on <paramref name="path"/> is narrower than <see cref="Hardware"/>, or
    /// <see langword="null"/> when it is not.
    /// </summary>
    public static string? DescribeNarrowing(KernelPath path)
    {
        if (path >= Hardware)
        {
            return null;
        }

        if (path < Widest)
        {
            return $"{path} was chosen ({EnvironmentVariable} or an explicit path) although this process runs {Widest}.";
        }

        return WhyNotAccelerated(Hardware);
    }

    /// <summary>Elements of <typeparamref name="T"/> in one vector of <paramref name="path"/> (1 on the scalar path).</summary>
    internal static int VectorWidth<T>(KernelPath path) => path switch
    {
        KernelPath.Vector512 => Vector512<T>.Count,
        KernelPath.Vector256 => Vector256<T>.Count,
        _ => 1,
    };

    /// <summary>The default path for a value of <see cref="EnvironmentVariable"/>; testable without the process's environment.</summary>
    internal static KernelPath Choose(string? forced, KernelPath widest, KernelPath hardware)
    {
        if (string.IsNullOrWhiteSpace(forced))
        {
            return widest;
        }

        if (!Enum.TryParse(forced, ignoreCase: true, out KernelPath path) || !Enum.IsDefined(path))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable}='{forced}' is not a kernel path: use Scalar, Vector256 or Vector512.");
        }

        if (path > widest)
        {
            string why = path > hardware
                ? $"this CPU lacks the instruction sets of {path} (it allows up to {hardware})."
                : WhyNotAccelerated(path);
            throw new InvalidOperationException(
                $"{EnvironmentVariable}='{forced}' cannot run in this process, whose widest path is {widest}: {why}");
        }

        return path;
    }

    /// <summary>Why a path the CPU allows is not accelerated in this process.</summary>
    private static string WhyNotAccelerated(KernelPath path)
    {
        string sets = path == KernelPath.Vector512 ? "AVX-512" : "AVX2 and FMA";
        return RuntimeFeature.IsDynamicCodeSupported
            ? $"the CPU has {sets}, but the .NET runtime does not accelerate {path} in this process " +
              "(a DOTNET_PreferredVectorBitWidth or DOTNET_EnableAVX* setting, or the runtime's " +
              "own choice on CPUs that slow their clock for 512-bit code)."
            : $"the CPU has {sets}, but this Native AOT binary was compiled without them: publish it with the " +
              "NgdKernel.Kernels build defaults (NgdKernelAotInstructionSet, not opted out) or set IlcInstructionSet " +
              "to 'native' or 'x86-64-v4' (see NgdKernel's docs/deployment.md).";
    }
}
