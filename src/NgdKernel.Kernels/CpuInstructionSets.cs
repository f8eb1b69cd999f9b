using System.Runtime.Intrinsics.X86;

namespace NgdKernel.Kernels;

/// <summary>
/// What the CPU itself offers, read with the CPUID instruction. Under Native AOT the
/// <c>IsSupported</c> properties of the instruction-set classes are fixed when the binary is
/// compiled (a default publish reports no AVX even on an AVX-512 CPU), so they cannot tell what the
/// machine could run; CPUID can, under the JIT and Native AOT alike.
/// </summary>
internal static class CpuInstructionSets
{
    /// <summary>
    /// The widest kernel path the CPU's instruction sets allow; <paramref name="widest"/> (the
    /// process's own) where CPUID does not exist (non-x86) or says less than the process already runs.
    /// </summary>
    /// <remarks>
    /// The OS must also save the wider registers on a context switch (XCR0); CPUID leaf 1's OSXSAVE
    /// bit says it manages that state, and operating systems that disable AVX-512 state also hide it
    /// from CPUID in practice, so XCR0 itself (no managed intrinsic reads it) is not consulted.
    /// </remarks>
    public static KernelPath WidestPath(KernelPath widest)
    {
        if (!X86Base.IsSupported)
        {
            return widest;
        }

        (int maxLeaf, _, _, _) = X86Base.CpuId(0, 0);
        if (maxLeaf < 7)
        {
            return widest;
        }

        (_, _, int leaf1Ecx, _) = X86Base.CpuId(1, 0);
        (_, int leaf7Ebx, _, _) = X86Base.CpuId(7, 0);
        bool osSavesVectors = Bit(leaf1Ecx, 27);
        bool avx2Fma = osSavesVectors && Bit(leaf1Ecx, 28) && Bit(leaf1Ecx, 12) && Bit(leaf7Ebx, 5);

        // Vector512 is accelerated only with AVX-512 F, DQ, CD, BW and VL together.
        bool avx512 = avx2Fma && Bit(leaf7Ebx, 16) && Bit(leaf7Ebx, 17) && Bit(leaf7Ebx, 28)
            && Bit(leaf7Ebx, 30) && Bit(leaf7Ebx, 31);
        KernelPath hardware = avx512 ? KernelPath.Vector512 : avx2Fma ? KernelPath.Vector256 : KernelPath.Scalar;
        return hardware > widest ? hardware : widest;
    }

    private static bool Bit(int register, int bit) => ((register >> bit) & 1) != 0;
}
