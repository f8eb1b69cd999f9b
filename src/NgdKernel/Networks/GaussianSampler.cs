using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NgdKernel.Networks;

/// <summary>
/// Standard normal draws for the sampled backward passes (paper Eq. 20, <c>y ~ N(x_L, SigmaT)</c>)
/// by Marsaglia's polar method, in the precision of the destination, written straight into its rows.
/// </summary>
/// <remarks>
/// <para>A pair <c>(v1, v2)</c> uniform in the square <c>(-1, 1)^2</c> is kept when
/// <c>0 &lt; s = v1^2 + v2^2 &lt; 1</c> (probability pi/4), and <c>v sqrt(-2 ln s / s)</c> are two
/// independent N(0, 1) values: one <c>ln</c> and one <c>sqrt</c> per pair and no trigonometry
/// (Box-Muller's <see cref="Xoshiro256.FillGaussian{T}"/> needs <c>ln</c>, <c>sqrt</c>, <c>cos</c>
/// and <c>sin</c>).</para>
/// <para>The radii of a batch of accepted pairs are computed by <see cref="PolarTransform"/>, vector
/// by vector, with a logarithm written out in fused multiply-adds: the same bits on every path, tier
/// and run (the runtime's vector logarithm may change in the last bit when the JIT recompiles it at a
/// higher tier). Scalar, a float draw cost 10-18 ns, most of it the serial <c>ln</c>, division and
/// square root of each pair.</para>
/// <para>For float, one 64-bit word gives both 24-bit coordinates (the smallest accepted <c>s</c>,
/// 2^-46, caps draws at 8 sigma); for double, each coordinate takes a word's top 53 bits.</para>
/// <para>Values fill the destination row-major across rows, two per accepted pair (the second value
/// of the last pair is dropped for an odd count), so the draws and the generator state after a call
/// depend only on the number of values and the state before it.</para>
/// <para>Large fills go by blocks (<see cref="GaussianFillJob{T}"/>) that threads can share.</para>
/// </remarks>
internal static class GaussianSampler
{
    /// <summary>
    /// Values per block of a blocked fill: large enough that a block dwarfs a worker's wake-up
    /// (about 10 us), small enough that M = 1000 rows of 784 make 50 blocks, split evenly.
    /// </summary>
    public const int BlockValues = 1 << 14;

    private const float FloatScale = 2f / (1 << 24); // 24-bit uniforms on [-1, 1)
    private const double DoubleScale = 2.0 / (1UL << 53); // 53-bit uniforms on [-1, 1)

    // Accepted pairs per batch: the coordinates and radii of a batch take 3 KB of stack in double.
    private const int Chunk = 128;

    /// <summary>Rows per block of a blocked fill of rows of <paramref name="columns"/> values.</summary>
    public static int BlockRows(int columns) => Math.Max(1, BlockValues / Math.Max(1, columns));

    /// <summary>Fills <paramref name="destination"/> with N(0, <paramref name="standardDeviation"/>^2) draws.</summary>
    /// <remarks>
    /// Three passes per batch of pairs. The first draws candidates until the batch has enough accepted
    /// ones, without a branch on acceptance: every candidate is written at the next free slot and the
    /// slot advances only when it is accepted, so the 21 % of rejections are no longer mispredicted
    /// jumps. The second turns the batch's <c>s</c> into radii, a vector at a time; the third scales
    /// the coordinates in place and copies them into the rows. The generator is consumed and the
    /// values computed exactly as by a loop that transforms each pair as soon as it is accepted
    /// (tests compare the two bit for bit, and the paths with each other).
    /// </remarks>
    public static void Fill<T>(ref Xoshiro256 rng, Span2D<T> destination, T standardDeviation, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int height = destination.Height;
        int width = destination.Width;
        long remaining = (long)height * width;
        if (remaining == 0)
        {
            return;
        }

        Span<T> coordinates = stackalloc T[2 * Chunk]; // (v1, v2) of accepted pairs, interleaved
        Span<T> radius = stackalloc T[Chunk];
        Xoshiro256 local = rng; // a local copy keeps the state in registers through the loop
        int r = 0, c = 0;
        Span<T> row = destination.GetRowSpan(0);
        while (remaining > 0)
        {
            int need = (int)Math.Min(Chunk, (remaining + 1) / 2);
            Span<T> s = radius[..need];
            Draw(ref local, coordinates, s);
            if (typeof(T) == typeof(float))
            {
                PolarTransform.Radius(MemoryMarshal.Cast<T, float>(s), float.CreateTruncating(standardDeviation), path);
            }
            else
            {
                PolarTransform.Radius(MemoryMarshal.Cast<T, double>(s), double.CreateTruncating(standardDeviation), path);
            }

            Scale(coordinates, s, path);

            // Row-major across rows; the second value of the last pair is dropped when the count is odd.
            int produced = (int)Math.Min(2L * need, remaining);
            for (int offset = 0; offset < produced;)
            {
                int take = Math.Min(width - c, produced - offset);
                coordinates.Slice(offset, take).CopyTo(row.Slice(c, take));
                offset += take;
                c += take;
                if (c == width && ++r < height)
                {
                    c = 0;
                    row = destination.GetRowSpan(r);
                }
            }

            remaining -= produced;
        }

        rng = local;
    }

    /// <summary>Accepted candidates into <paramref name="pairs"/> (interleaved) and their <c>s</c>.</summary>
    /// <remarks>
    /// The generator is copied into a local so that its state stays in registers (through the ref, every
    /// update went through memory, a store-to-load forwarding chain per word). Acceptance,
    /// <c>0 &lt; s &lt; 1</c> for <c>s &gt;= 0</c>, is one unsigned compare of the bits, so no branch.
    /// </remarks>
    private static void Draw<T>(ref Xoshiro256 rng, Span<T> pairs, Span<T> s)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Xoshiro256 local = rng;
        ref T v = ref MemoryMarshal.GetReference(pairs);
        ref T s0 = ref MemoryMarshal.GetReference(s);
        int need = Math.Min(s.Length, pairs.Length / 2);
        int count = 0;
        while (count < need)
        {
            (T v1, T v2) = Candidate<T>(ref local);
            T vs = (v1 * v1) + (v2 * v2);
            Unsafe.Add(ref v, 2 * count) = v1;
            Unsafe.Add(ref v, (2 * count) + 1) = v2;
            Unsafe.Add(ref s0, count) = vs;
            bool accepted = typeof(T) == typeof(float)
                ? (uint)BitConverter.SingleToInt32Bits(Unsafe.BitCast<T, float>(vs)) - 1u < 0x3F7FFFFFu
                : (ulong)BitConverter.DoubleToInt64Bits(Unsafe.BitCast<T, double>(vs)) - 1ul < 0x3FEFFFFFFFFFFFFFul;
            count += accepted ? 1 : 0;
        }

        rng = local;
    }

    /// <summary>
    /// A candidate pair uniform in <c>[-1, 1)^2</c>: for float both 24-bit coordinates from one word,
    /// for double each coordinate from the top 53 bits of its own word.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (T V1, T V2) Candidate<T>(ref Xoshiro256 rng)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            ulong bits = rng.NextUInt64();
            float f1 = ((int)(bits >> 40) * FloatScale) - 1f;
            float f2 = ((int)((bits >> 16) & 0xFFFFFF) * FloatScale) - 1f;
            return (Unsafe.BitCast<float, T>(f1), Unsafe.BitCast<float, T>(f2));
        }

        double d1 = ((rng.NextUInt64() >> 11) * DoubleScale) - 1.0;
        double d2 = ((rng.NextUInt64() >> 11) * DoubleScale) - 1.0;
        return (Unsafe.BitCast<double, T>(d1), Unsafe.BitCast<double, T>(d2));
    }

    /// <summary><c>pairs[2p + j] *= radius[p]</c> for the first <c>radius.Length</c> pairs.</summary>
    private static void Scale<T>(Span<T> pairs, ReadOnlySpan<T> radius, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T v0 = ref MemoryMarshal.GetReference(pairs);
        ref T r0 = ref MemoryMarshal.GetReference(radius);
        int n = radius.Length;
        int p = 0;
        if (path == KernelPath.Vector512 && Vector512.IsHardwareAccelerated)
        {
            // Each radius is duplicated into the two lanes of its pair.
            int w = Vector512<T>.Count;
            for (; p + w <= n; p += w)
            {
                Vector512<T> r = Vector512.LoadUnsafe(ref r0, (nuint)p);
                (Vector512<T> low, Vector512<T> high) = Duplicate(r);
                ref T v = ref Unsafe.Add(ref v0, 2 * p);
                (Vector512.LoadUnsafe(ref v) * low).StoreUnsafe(ref v);
                (Vector512.LoadUnsafe(ref v, (nuint)w) * high).StoreUnsafe(ref v, (nuint)w);
            }
        }

        for (; p < n; p++)
        {
            T r = Unsafe.Add(ref r0, p);
            Unsafe.Add(ref v0, 2 * p) *= r;
            Unsafe.Add(ref v0, (2 * p) + 1) *= r;
        }
    }

    /// <summary>The lanes of <paramref name="r"/> each written twice: (r0 r0 r1 r1 ...), then the upper half likewise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<T> Low, Vector512<T> High) Duplicate<T>(Vector512<T> r)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<float> f = r.AsSingle();
            Vector512<float> low = Vector512.Shuffle(f, Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7));
            Vector512<float> high = Vector512.Shuffle(f, Vector512.Create(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15));
            return (low.As<float, T>(), high.As<float, T>());
        }

        Vector512<double> d = r.AsDouble();
        Vector512<double> lowD = Vector512.Shuffle(d, Vector512.Create(0L, 0, 1, 1, 2, 2, 3, 3));
        Vector512<double> highD = Vector512.Shuffle(d, Vector512.Create(4L, 4, 5, 5, 6, 6, 7, 7));
        return (lowD.As<double, T>(), highD.As<double, T>());
    }
}

/// <summary>
/// A fill of N(0, sd^2) draws by blocks of <see cref="GaussianSampler.BlockRows"/> rows, each from
/// its own generator, as parts of a job on a <see cref="KernelContext"/>'s worker pool.
/// </summary>
/// <remarks>
/// <para>One block is the plain <see cref="GaussianSampler.Fill{T}"/> from the caller's generator,
/// so small fills (the online-learning sizes) draw what they always did, at no cost. With more
/// blocks, block b is filled from a generator seeded (SplitMix64, as xoshiro's authors recommend)
/// with the b-th of as many words drawn in order from the caller's generator. The draws and the
/// generator state afterwards then depend on the shape and the state before, never on the thread
/// count or on which thread fills which block: bit-identical at 1 and 2 threads.</para>
/// <para>A job object is preallocated per network; a call allocates nothing once its seed buffer
/// has grown to the largest block count (the first step). Without a job object (one thread, or
/// another caller holds it) the blocks are filled in order on the calling thread, same bits.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
internal sealed class GaussianFillJob<T> : IParallelJob
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private ulong[] _seeds = [];
    private Matrix<T>? _target;
    private int _rowOffset;
    private int _rows;
    private int _columns;
    private int _blockRows;
    private int _blockCount;
    private T _standardDeviation;
    private KernelPath _path;

    /// <summary>
    /// Fills rows <c>[rowOffset, rowOffset + rows)</c>, columns <c>[0, columns)</c> of
    /// <paramref name="target"/> with N(0, <paramref name="standardDeviation"/>^2) draws, on the
    /// threads of <paramref name="context"/> when <paramref name="job"/> is given.
    /// </summary>
    public static void Fill(ref Xoshiro256 rng, Matrix<T> target, int rowOffset, int rows, int columns,
        T standardDeviation, KernelContext context, GaussianFillJob<T>? job)
    {
        int blockRows = GaussianSampler.BlockRows(columns);
        int blockCount = (rows + blockRows - 1) / blockRows;
        if (blockCount <= 1)
        {
            GaussianSampler.Fill(ref rng, target.Span.Slice(rowOffset, 0, rows, columns), standardDeviation, context.Path);
            return;
        }

        if (job is null || context.ThreadCount == 1)
        {
            Span2D<T> span = target.Span;
            for (int row = 0; row < rows; row += blockRows)
            {
                var block = new Xoshiro256(rng.NextUInt64());
                GaussianSampler.Fill(ref block, span.Slice(rowOffset + row, 0, Math.Min(blockRows, rows - row), columns),
                    standardDeviation, context.Path);
            }

            return;
        }

        if (job._seeds.Length < blockCount)
        {
            job._seeds = new ulong[blockCount];
        }

        for (int b = 0; b < blockCount; b++)
        {
            job._seeds[b] = rng.NextUInt64();
        }

        job._target = target;
        job._rowOffset = rowOffset;
        job._rows = rows;
        job._columns = columns;
        job._blockRows = blockRows;
        job._blockCount = blockCount;
        job._standardDeviation = standardDeviation;
        job._path = context.Path;
        try
        {
            context.Run(job, Math.Min(context.ThreadCount, blockCount));
        }
        finally
        {
            job._target = null;
        }
    }

    /// <summary>Fills blocks <c>[part B / parts, (part + 1) B / parts)</c> of the B blocks.</summary>
    public void Execute(int part, int partCount)
    {
        int first = (int)((long)part * _blockCount / partCount);
        int end = (int)((long)(part + 1) * _blockCount / partCount);
        Span2D<T> target = _target!.Span;
        for (int b = first; b < end; b++)
        {
            int row = b * _blockRows;
            var rng = new Xoshiro256(_seeds[b]);
            GaussianSampler.Fill(ref rng, target.Slice(_rowOffset + row, 0, Math.Min(_blockRows, _rows - row), _columns),
                _standardDeviation, _path);
        }
    }
}
