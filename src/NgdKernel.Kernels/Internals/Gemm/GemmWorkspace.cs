namespace NgdKernel.Kernels.Internals;

/// <summary>
/// One thread's packing buffers for GEMM/SYRK: a pinned, 64-byte aligned block large enough for
/// every <see cref="BlockSizes"/> entry. Created on a thread's first call (the warm-up), then reused
/// by every call on that thread; the worker threads of a <see cref="KernelContext"/> are persistent, so
/// each gets its own once. Freed by the GC when its thread ends.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    [ThreadStatic]
    private static GemmWorkspace? current;

    private readonly byte[] storage;

    private GemmWorkspace()
    {
        storage = GC.AllocateUninitializedArray<byte>(BlockSizes.MaxWorkspaceBytes() + 64, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage));
        Start = (byte*)((address + 63) & ~(nint)63);
    }

    /// <summary>Aligned start of the buffer; valid as long as this object lives (pinned heap).</summary>
    public byte* Start { get; }

    /// <summary>This thread's workspace.</summary>
    public static GemmWorkspace Current => current ??= new GemmWorkspace();
}
