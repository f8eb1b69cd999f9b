namespace NgdKernel.Kernels.Internals;

/// <summary>
/// BLIS blocking parameters for one (instruction set, element type): the micro-tile Mr×Nr, and the
/// cache blocks Mc (rows of A packed per L2 block), Kc (depth of a packed panel) and Nc (columns of B
/// packed per L3 block). Mc is a multiple of Mr and Nc of Nr.
/// </summary>
/// <remarks>
/// <code>
///   loop jc over n by Nc          B block  Kc×Nc  ~ L3   (packed into kc×Nr panels)
///     loop pc over k by Kc
///       loop ic over m by Mc      A block  Mc×Kc  ~ L2   (packed into Mr×kc panels)
///         loop jr over nc by Nr   B panel  Kc×Nr  ~ L1/L2 (reused by every A panel)
///           loop ir over mc by Mr
///             micro-kernel: Mr×Nr tile of C in registers
/// </code>
/// Caches of the development machine (AMD EPYC, Zen 5, from <c>getconf -a</c>; the hypervisor hides
/// /sys/devices/system/cpu/cpu0/cache): L1d 48 KiB 12-way, L2 1 MiB 8-way per core, L3 32 MiB per CCD
/// (reported as more by the hypervisor). The measurements behind each entry are next to the table.
/// </remarks>
internal readonly record struct BlockSizes(int Mr, int Nr, int Mc, int Kc, int Nc)
{
    // Zen 5, one thread, min-of-calls timing interleaved with OpenBLAS 0.3 (OPENBLAS_CORETYPE=SkylakeX,
    // its fastest here; the auto-detected Haswell kernels run at half speed), on a loaded 2-core VM:
    //   float  (Mc, Kc) = (240, 256): 512³ 201 GFLOP/s (1.02x), 1000×784×400 169 (0.93x)
    //                     (120, 1024): 512³ 204 (1.02x),        1000×784×400 184 (1.01x), TN 176 (1.03x)
    //   double (120, 256): 512³ 88.5 (1.15x); (120, 512): 94.3 (1.23x); (60, 1024): 90.0; (240, 384): 86.8
    // A large Kc means fewer passes over C (each pass loads and stores all of C, which for the trainer's
    // shapes is larger than L2); the B panel (Kc×Nr, 128 KiB float) then streams from L2 rather than
    // sitting in L1, which the measurements say costs nothing. The A block Mc×Kc (480 KiB) takes about half
    // of L2. Double uses the same bytes per block as float. Nc covers every trainer shape in one block.
    // Vector256 and scalar are fallbacks for other machines; their blocks follow the same byte budgets.
    // Workspace per thread: (Mc·Kc + Kc·Nc) elements, 4.7 MiB (see GemmWorkspace).
    private static readonly BlockSizes Vector512Single = new(Mr: 12, Nr: 32, Mc: 120, Kc: 1024, Nc: 1024);
    private static readonly BlockSizes Vector512Double = new(Mr: 12, Nr: 16, Mc: 120, Kc: 512, Nc: 1024);
    private static readonly BlockSizes Vector256Single = new(Mr: 6, Nr: 16, Mc: 120, Kc: 1024, Nc: 1024);
    private static readonly BlockSizes Vector256Double = new(Mr: 6, Nr: 8, Mc: 120, Kc: 512, Nc: 1024);
    private static readonly BlockSizes ScalarAny = new(Mr: 6, Nr: 2, Mc: 60, Kc: 256, Nc: 512);

    /// <summary>The largest micro-tile in elements over the whole table (bound of the edge-tile stackalloc).</summary>
    public const int MaxTileElements = 12 * 32;

    /// <summary>The blocking for <typeparamref name="T"/> on <paramref name="path"/>.</summary>
    public static BlockSizes For<T>(KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        return path switch
        {
            KernelPath.Vector512 => single ? Vector512Single : Vector512Double,
            KernelPath.Vector256 => single ? Vector256Single : Vector256Double,
            _ => ScalarAny,
        };
    }

    /// <summary>Elements of the packed A block (Mc rows rounded up to Mr, times Kc), rounded to 64 bytes.</summary>
    public int PackedALength(int elementSize) => RoundToCacheLine(Mc * Kc, elementSize);

    /// <summary>Elements of the packed B block (Kc times Nc), rounded to 64 bytes.</summary>
    public int PackedBLength(int elementSize) => RoundToCacheLine(Kc * Nc, elementSize);

    /// <summary>Bytes of workspace one thread needs for every entry of the table.</summary>
    public static int MaxWorkspaceBytes()
    {
        int max = 0;
        foreach (BlockSizes s in (ReadOnlySpan<BlockSizes>)[Vector512Single, Vector256Single, ScalarAny])
        {
            max = Math.Max(max, (s.PackedALength(4) + s.PackedBLength(4)) * 4);
        }

        foreach (BlockSizes s in (ReadOnlySpan<BlockSizes>)[Vector512Double, Vector256Double, ScalarAny])
        {
            max = Math.Max(max, (s.PackedALength(8) + s.PackedBLength(8)) * 8);
        }

        return max;
    }

    private static int RoundToCacheLine(int elements, int elementSize)
    {
        int perLine = 64 / elementSize;
        return (elements + perLine - 1) / perLine * perLine;
    }
}
