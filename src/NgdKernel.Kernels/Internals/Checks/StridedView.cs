namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Row strides of Toolkit views. The Toolkit does not expose the pitch (the gap between rows,
/// stride = width + pitch), so it is read back as the distance between rows 0 and 1; a view
/// with fewer than two rows gets its width, which is never used to step.
/// </summary>
internal static class StridedView
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Stride<T>(Span2D<T> view)
        where T : unmanaged => Stride((ReadOnlySpan2D<T>)view);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe nint Stride<T>(ReadOnlySpan2D<T> view)
        where T : unmanaged =>
        view.Height > 1
            ? Unsafe.ByteOffset(ref view.DangerousGetReferenceAt(0, 0), ref view.DangerousGetReferenceAt(1, 0)) / sizeof(T)
            : view.Width;

    /// <summary>Whether the memory ranges spanned by two views (first to last element) intersect.</summary>
    public static unsafe bool Overlaps<T>(ReadOnlySpan2D<T> first, ReadOnlySpan2D<T> second)
        where T : unmanaged
    {
        if (first.IsEmpty || second.IsEmpty)
        {
            return false;
        }

        ref T firstStart = ref first.DangerousGetReferenceAt(0, 0);
        ref T firstEnd = ref first.DangerousGetReferenceAt(first.Height - 1, first.Width - 1);
        ref T secondStart = ref second.DangerousGetReferenceAt(0, 0);
        ref T secondEnd = ref second.DangerousGetReferenceAt(second.Height - 1, second.Width - 1);
        return !Unsafe.IsAddressGreaterThan(ref firstStart, ref secondEnd)
            && !Unsafe.IsAddressGreaterThan(ref secondStart, ref firstEnd);
    }

    /// <summary>Whether a view and a span intersect in memory.</summary>
    public static bool Overlaps<T>(ReadOnlySpan2D<T> view, ReadOnlySpan<T> span)
        where T : unmanaged =>
        !span.IsEmpty && Overlaps(view, ReadOnlySpan2D<T>.DangerousCreate(in MemoryMarshal.GetReference(span), 1, span.Length, 0));
}
