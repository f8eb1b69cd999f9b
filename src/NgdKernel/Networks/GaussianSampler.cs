using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;

namespace NgdKernel.Networks;

/// <summary>
/// Standard normal draws for the sampled backward passes (paper Eq. 20, <c>y ~ N(x_L, SigmaT)</c>)
/// by Marsaglia's polar method, in double, written straight into the destination rows.
/// </summary>
/// <remarks>
/// <para><see cref="Xoshiro256.FillGaussian{T}"/> evaluates <c>ln</c>, <c>sqrt</c>, <c>cos</c> and
/// <c>sin</c> per pair (Box-Muller): about 25 ns a value, 12 ms of the MNIST autoencoder's
/// 784 x 1000 output draws per step, a tenth of the whole NGD step. The polar method needs one
/// <c>ln</c> and one <c>sqrt</c> per pair and no trigonometry: a pair <c>(v1, v2)</c> uniform in the
/// square <c>(-1, 1)^2</c> is kept when <c>0 &lt; s = v1^2 + v2^2 &lt; 1</c> (probability pi/4), and
/// <c>v sqrt(-2 ln s / s)</c> are two independent N(0, 1) values.</para>
/// <para>Vector transcendental functions (TensorPrimitives.Log, Sin, Cos) would be faster still, but
/// their results may change in the last bit when the JIT recompiles them at a higher tier
/// (multiply-add estimates fused or not), which breaks the same-seed, same-bits contract within a
/// run; <see cref="Math.Log(double)"/> is the same function at every tier.</para>
/// <para>For float, one 64-bit word gives both 24-bit coordinates and <see cref="MathF.Log(float)"/>
/// the logarithm (the smallest accepted <c>s</c>, 2^-46, caps draws at 8 sigma); for double, each
/// coordinate takes a word's top 53 bits.</para>
/// <para>Values fill the destination row-major across rows, two per accepted pair (the second value
/// of the last pair is dropped for an odd count), so the draws and the generator state after a call
/// depend only on the number of values and the state before it.</para>
/// <para>Large fills go by blocks (<see cref="GaussianFillJob{T}"/>) that threads can share.</para>
/// </remarks>
internal static class GaussianSampler
{
    /// <summary>
    /// Values per block of a blocked fill: large enough that a block (about 100 us) dwarfs a worker's
    /// wake-up (about 10 us), small enough that M = 1000 rows of 784 make 50 blocks, split evenly.
    /// </summary>
    public const int BlockValues = 1 << 14;

    private const float FloatScale = 2f / (1 << 24); // 24-bit uniforms on [-1, 1)

    /// <summary>Rows per block of a blocked fill of rows of <paramref name="columns"/> values.</summary>
    public static int BlockRows(int columns) => Math.Max(1, BlockValues / Math.Max(1, columns));

    // Accepted pairs per batch: three stack buffers of 128 doubles (3 KB).
    private const int Chunk = 128;

    /// <summary>Fills <paramref name="destination"/> with N(0, <paramref name="standardDeviation"/>^2) draws.</summary>
    /// <remarks>
    /// Two passes per batch of pairs. The first draws candidates until the batch has enough accepted
    /// ones, without a branch on acceptance: every candidate is written at the next free slot and
    /// the slot advances only when it is accepted, so the 21 % of rejections are no longer
    /// mispredicted jumps. The second evaluates the independent logarithms and square roots back to
    /// back. The generator is consumed and the values computed exactly as by a loop that transforms
    /// each pair as soon as it is accepted (tests compare the two bit for bit).
    /// </remarks>
    public static void Fill<T>(ref Xoshiro256 rng, Span2D<T> destination, T standardDeviation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const double scale = 2.0 / (1UL << 53); // 53-bit uniforms on [-1, 1)
        int height = destination.Height;
        int width = destination.Width;
        long remaining = (long)height * width;
        if (remaining == 0)
        {
            return;
        }

        double sd = double.CreateTruncating(standardDeviation);
        Span<double> first = stackalloc double[Chunk];
        Span<double> second = stackalloc double[Chunk];
        Span<double> radius = stackalloc double[Chunk];
        Xoshiro256 local = rng; // a local copy keeps the state in registers through the loop
        int r = 0, c = 0;
        Span<T> row = destination.GetRowSpan(0);
        while (remaining > 0)
        {
            int need = (int)Math.Min(Chunk, (remaining + 1) / 2);
            int count = 0;
            if (typeof(T) == typeof(float))
            {
                // One word gives both 24-bit uniforms, and float's logarithm is enough for float draws.
                while (count < need)
                {
                    ulong bits = local.NextUInt64();
                    float f1 = ((int)(bits >> 40) * FloatScale) - 1f;
                    float f2 = ((int)((bits >> 16) & 0xFFFFFF) * FloatScale) - 1f;
                    float fs = (f1 * f1) + (f2 * f2);
                    first[count] = f1;
                    second[count] = f2;
                    radius[count] = fs;
                    count += fs < 1f && fs != 0f ? 1 : 0;
                }

                for (int p = 0; p < need; p++)
                {
                    float fs = (float)radius[p];
                    radius[p] = sd * MathF.Sqrt(-2f * MathF.Log(fs) / fs);
                }
            }
            else
            {
                while (count < need)
                {
                    double v1 = ((local.NextUInt64() >> 11) * scale) - 1.0;
                    double v2 = ((local.NextUInt64() >> 11) * scale) - 1.0;
                    double s = (v1 * v1) + (v2 * v2);
                    first[count] = v1;
                    second[count] = v2;
                    radius[count] = s;
                    count += s < 1.0 && s != 0.0 ? 1 : 0;
                }

                for (int p = 0; p < need; p++)
                {
                    double s = radius[p];
                    radius[p] = sd * Math.Sqrt(-2.0 * Math.Log(s) / s);
                }
            }

            // Row-major across rows, two values per pair; the second value of the last pair is
            // dropped when the count is odd.
            for (int p = 0; p < need; p++)
            {
                double factor = radius[p];
                row[c++] = T.CreateTruncating(first[p] * factor);
                if (c == width)
                {
                    c = 0;
                    if (++r == height)
                    {
                        break;
                    }

                    row = destination.GetRowSpan(r);
                }

                row[c++] = T.CreateTruncating(second[p] * factor);
                if (c == width)
                {
                    c = 0;
                    if (++r == height)
                    {
                        break;
                    }

                    row = destination.GetRowSpan(r);
                }
            }

            remaining -= 2L * need;
        }

        rng = local;
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
            GaussianSampler.Fill(ref rng, target.Span.Slice(rowOffset, 0, rows, columns), standardDeviation);
            return;
        }

        if (job is null || context.ThreadCount == 1)
        {
            Span2D<T> span = target.Span;
            for (int row = 0; row < rows; row += blockRows)
            {
                var block = new Xoshiro256(rng.NextUInt64());
                GaussianSampler.Fill(ref block, span.Slice(rowOffset + row, 0, Math.Min(blockRows, rows - row), columns),
                    standardDeviation);
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
                _standardDeviation);
        }
    }
}
