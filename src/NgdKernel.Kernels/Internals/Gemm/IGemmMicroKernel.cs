namespace NgdKernel.Kernels.Internals;

/// <summary>
/// A GEMM micro-kernel (BLIS <c>gemm_ukr</c>): computes one full Mr×Nr tile of
/// <c>C = alpha * Apanel * Bpanel + beta * C</c> from packed, zero-padded panels, with no m or n loop.
/// </summary>
/// <remarks>
/// Implemented by structs so that the driver, generic over the kernel type, is specialised per kernel
/// by the JIT (no delegates, no virtual calls).
/// </remarks>
internal interface IGemmMicroKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Rows of the tile (BLIS MR).</summary>
    static abstract int Mr { get; }

    /// <summary>Columns of the tile (BLIS NR).</summary>
    static abstract int Nr { get; }

    /// <summary>
    /// <c>C[0..Mr, 0..Nr] = alpha * sum_p a[p*Mr + i] * b[p*Nr + j] + beta * C</c>; when beta is zero C is
    /// only written. <paramref name="ldc"/> is C's row stride in elements.
    /// </summary>
    static abstract unsafe void Run(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc);

    /// <summary>
    /// As <see cref="Run"/> for an Mr×(Nr/2) tile: the first Nr/2 columns of B's panel, whose row stride
    /// stays Nr. Each element is computed by exactly the operations <see cref="Run"/> would use.
    /// </summary>
    static abstract unsafe void RunNarrow(int kc, T* a, T* b, T alpha, T beta, T* c, nint ldc);

    /// <summary>
    /// <c>beta * old + product</c> rounded exactly as <see cref="Run"/> rounds it (fused or not), so an edge
    /// tile computed in a stack tile and copied out equals what a full tile would have written.
    /// </summary>
    static abstract T Update(T product, T beta, T old);

    /// <summary>Whether <see cref="Update"/> is one fused multiply-add (so vector FMAs reproduce it).</summary>
    static abstract bool FusedUpdate { get; }
}
