using System.Numerics;
using System.Runtime.InteropServices;

namespace NgdKernel.Perf.Cases;

/// <summary>
/// A 64-byte-aligned native array, so neither side of a comparison gets a luckier alignment and
/// the managed heap (and the Allocated column) never sees benchmark data.
/// </summary>
public sealed unsafe class NativeBuffer<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Allocates <paramref name="length"/> zeroed elements.</summary>
    public NativeBuffer(int length)
    {
        Length = length;
        Pointer = (T*)NativeMemory.AlignedAlloc((nuint)Math.Max(1, length) * (nuint)sizeof(T), 64);
        AsSpan().Clear();
    }

    /// <summary>Element count.</summary>
    public int Length { get; }

    /// <summary>Address of the first element (valid until disposed).</summary>
    public T* Pointer { get; private set; }

    /// <summary>All elements.</summary>
    public Span<T> AsSpan() => new(Pointer, Length);

    /// <summary>Fills with uniform values in [-1, 1) from a fixed-seed generator.</summary>
    public NativeBuffer<T> FillUniform(ulong seed)
    {
        Span<T> span = AsSpan();
        ulong state = seed * 0x9E3779B97F4A7C15UL + 1;
        for (int i = 0; i < span.Length; i++)
        {
            state = (state * 6364136223846793005UL) + 1442695040888963407UL;
            double unit = (state >> 11) * (1.0 / (1UL << 53));
            span[i] = T.CreateTruncating((2 * unit) - 1);
        }

        return this;
    }

    /// <summary>
    /// Fills as a symmetric, strictly diagonally dominant (so positive definite, condition number
    /// about 3) n x n matrix: off-diagonal uniform in [-1, 1), diagonal n + 1.
    /// </summary>
    public NativeBuffer<T> FillSymmetricPositiveDefinite(int n, ulong seed)
    {
        FillUniform(seed);
        Span<T> span = AsSpan();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                span[(j * n) + i] = span[(i * n) + j];
            }

            span[(i * n) + i] = T.CreateTruncating(n + 1);
        }

        return this;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Pointer is not null)
        {
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
        }
    }
}
