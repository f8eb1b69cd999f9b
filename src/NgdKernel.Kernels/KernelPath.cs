using System.Runtime.Intrinsics;

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
public static class KernelPaths
{
    /// <summary>
    /// Name of the environment variable that forces a path for the whole process
    /// (<c>Scalar</c>, <c>Vector256</c> or <c>Vector512</c>), read once at start-up, so that a
    /// whole test suite can run on one path. An unsupported or unknown value is an error.
    /// </summary>
    public const string EnvironmentVariable = "NGD_KERNEL_PATH";

    // Declared before Best: static initialisers run in text order and Best reads Widest.
    /// <summary>The widest path the hardware supports, ignoring any forcing.</summary>
    public static KernelPath Widest { get; } =
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
        : KernelPath.Scalar;

    /// <summary>The fastest path the hardware supports (or the forced one, see <see cref="EnvironmentVariable"/>).</summary>
    public static KernelPath Best { get; } = ChooseDefault();

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

    private static KernelPath ChooseDefault()
    {
        string? forced = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(forced))
        {
            return Widest;
        }

        if (!Enum.TryParse(forced, ignoreCase: true, out KernelPath path) || !Enum.IsDefined(path))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable}='{forced}' is not a kernel path: use Scalar, Vector256 or Vector512.");
        }

        if (!IsSupported(path))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable}='{forced}' is not supported on this machine (widest supported: {Widest}).");
        }

        return path;
    }
}
