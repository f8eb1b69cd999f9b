using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels.Internals;

namespace NgdKernel.Kernels;

/// <summary>
/// <c>B &lt;- (A + damping·I)⁻¹·B</c> or <c>B &lt;- B·(A + damping·I)⁻¹</c> for a small symmetric
/// positive definite A, factored and applied in one call on stack copies.
/// </summary>
/// <remarks>
/// <para>For the small layers of online learning (order 20..48) the cost of Eq. 20 is not its
/// flops but the fixed cost of each call: a factorization, two triangular solves and the copies
/// between them, each validating, dispatching and walking its own blocking, for some
/// <c>n³/3 + n²k</c> multiply-adds in all. Here the damped matrix is copied once into a padded
/// stack buffer and factored there, and the right-hand sides are solved in padded stack tiles, so
/// every inner loop is a whole-vector row update with no tail and no bounds.</para>
/// <para>Above <see cref="MaxOrder"/> use <see cref="Cholesky.TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/>
/// and its blocked solves, whose register tiles win once the matrix outgrows a few vectors.</para>
/// </remarks>
public static partial class DampedSolve
{
    /// <summary>Largest order of A: the stack copies then take 48 × (80 + 64) elements (54 KB in double).</summary>
    /// <remarks>
    /// Measured against <see cref="Cholesky.TryFactor{T}(Span2D{T}, T, out CholeskyFailure, KernelContext)"/> plus
    /// <see cref="Cholesky.SolveLeft{T}"/> (and the copy of A they need), float, k = n, Vector512, one
    /// thread: 0.85 against 1.16 us at n = 16, 1.5 against 2.7 at 24, 3.1 against 3.8 at 33, 5.4 against
    /// 7.0 at 48 (process CPU time, loaded machine). The bound is the stack budget, not a crossover.
    /// </remarks>
    public const int MaxOrder = 48;

    // Widest tile of right-hand sides solved at once, a multiple of every vector width.
    private const int TileColumns = 64;

    // Longest padded row of the factor: MaxOrder + a panel of two of the widest vectors (32 floats) - 1,
    // rounded up to 16.
    private const int FactorPitch = 80;

    /// <summary>Solves <c>(A + damping·I)·X = B</c> (left) or <c>X·(A + damping·I) = B</c> (right) in place.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a">
    /// <c>[n, n]</c>, n &lt;= <see cref="MaxOrder"/>, row-major, any row stride; symmetric, of which only the
    /// upper triangle (diagonal included) is read. Not modified.
    /// </param>
    /// <param name="damping">Added to the diagonal before factoring; finite and <c>&gt;= 0</c>.</param>
    /// <param name="side"><see cref="TrsmSide.Left"/>: B is <c>[n, k]</c>; <see cref="TrsmSide.Right"/>: B is <c>[k, n]</c>.</param>
    /// <param name="b">B, any row stride; overwritten by X on success, untouched on failure. Must not overlap <paramref name="a"/>.</param>
    /// <param name="failure">On failure, the first pivot <c>j</c> with <c>!(0 &lt; d &lt; +Inf)</c> and its value; default on success.</param>
    /// <param name="context">Instruction-set path; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Runs on the calling thread.</param>
    /// <returns><see langword="true"/> when <c>A + damping·I</c> is numerically positive definite.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="a"/> is not square or larger than <see cref="MaxOrder"/>, <paramref name="b"/> does not
    /// match it on <paramref name="side"/>, or the two overlap.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="damping"/> is negative, NaN or infinite.</exception>
    /// <remarks>
    /// <para>LAPACK equivalent: <c>dposv('U')</c> on a copy of <c>A + damping·I</c> (left), or on
    /// <c>Bᵀ</c> (right). Paper Eq. 20: <c>(Λ̃ + √λ·I)⁻¹·G</c> is the left solve with
    /// <c>damping = √λ</c>, <c>G·(Λ + √λ·I)⁻¹</c> the right one.</para>
    /// <para>Algorithm: the upper Cholesky factor <c>U = Lᵀ</c> by right-looking row updates of the
    /// upper triangle, each row of the trailing matrix updated by one scaled row (n³/6
    /// multiply-adds), then <c>Uᵀ·Y = B</c> and <c>U·X = Y</c> by right-looking row updates of the
    /// tile, k at a time. The pivot test is the one of <see cref="Cholesky"/>, so a matrix fails
    /// here when it fails there, at the same pivot (up to rounding of the pivot value). NaN in B
    /// stays in its column (left) or row (right).</para>
    /// <para>Every multiply-add is one fused operation <c>y - a·x</c> in the same order on every
    /// path, so results are bit-identical across <see cref="KernelPath"/>s, thread counts and
    /// runs. Allocates nothing (at most 54 KB of stack).</para>
    /// </remarks>
    public static bool TrySolve<T>(ReadOnlySpan2D<T> a, T damping, TrsmSide side, Span2D<T> b, out CholeskyFailure failure,
        KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TrySolveOnPath(a, damping, side, b, (context ?? KernelContext.Default).Path, out failure);

    /// <summary>TrySolve on a forced path (tests, benchmarks).</summary>
    internal static bool TrySolveOnPath<T>(ReadOnlySpan2D<T> a, T damping, TrsmSide side, Span2D<T> b, KernelPath path,
        out CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        FactorCheck.Square(a, nameof(a));
        if (a.Height > MaxOrder)
        {
            ThrowHelper.ThrowArgument_OrderTooLarge(nameof(a), a.Height, MaxOrder);
        }

        if (side == TrsmSide.Left)
        {
            FactorCheck.Rows<T>(b, nameof(b), a, nameof(a), a.Height);
        }
        else
        {
            FactorCheck.Columns<T>(b, nameof(b), a, nameof(a), a.Height);
        }

        FactorCheck.FiniteNonNegative(damping, nameof(damping));
        FactorCheck.NoOverlap(a, nameof(a), b, nameof(b));
        FactorCheck.Path(path, nameof(path));
        return path switch
        {
            KernelPath.Vector512 => Run<T, RowOpsVector512<T>, Vector512<T>, SolveVector512<T>>(a, damping, side, b, out failure),
            KernelPath.Vector256 => Run<T, RowOpsVector256<T>, Vector256<T>, SolveVector256<T>>(a, damping, side, b, out failure),
            _ => Run<T, RowOpsScalar<T>, T, SolveScalar<T>>(a, damping, side, b, out failure),
        };
    }

    /// <summary>
    /// Factor, then the right-hand sides tile by tile. Layout of the stack copies (W = vector width):
    /// <code>
    /// factor  [n, pitch]   row i: U[i, i..n) in columns i..n-1, zeros from n to pitch (pitch &gt;= n + 2W - 1,
    ///                      so a panel of two vectors from any column i stays in the row and only meets zeros)
    /// tile    [n, kw]      k' &lt;= 64 right-hand sides as columns (left) or transposed rows (right),
    ///                      zero-padded to kw = k' rounded up to W
    /// </code>
    /// </summary>
    [SkipLocalsInit]
    private static bool Run<T, TOps, TVector, TSolve>(ReadOnlySpan2D<T> a, T damping, TrsmSide side, Span2D<T> b,
        out CholeskyFailure failure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : struct, IRowOps<T>
        where TVector : struct
        where TSolve : struct, ISolveVector<TVector, T>
    {
        int n = a.Height;
        int k = side == TrsmSide.Left ? b.Width : b.Height;
        if (n == 0 || k == 0)
        {
            failure = default;
            return true;
        }

        int width = TOps.Width;
        int pitch = RoundUp(n + (2 * width) - 1, width);
        Span<T> factorBuffer = stackalloc T[MaxOrder * FactorPitch];
        Span<T> inverseDiagonal = stackalloc T[MaxOrder];
        ref T u = ref factorBuffer[0];
        ref T inv = ref inverseDiagonal[0];
        factorBuffer[..(n * pitch)].Clear();
        for (int i = 0; i < n; i++)
        {
            a.GetRowSpan(i)[i..].CopyTo(factorBuffer.Slice((i * pitch) + i, n - i));
            Unsafe.Add(ref u, (i * pitch) + i) += damping;
        }

        if (!FactorBlocked<T, TOps, TVector, TSolve>(ref u, ref inv, n, pitch, out failure))
        {
            return false;
        }

        Span<T> tileBuffer = stackalloc T[MaxOrder * TileColumns];
        ref T tile = ref tileBuffer[0];
        for (int c0 = 0; c0 < k; c0 += TileColumns)
        {
            int count = Math.Min(TileColumns, k - c0);
            int tileWidth = RoundUp(count, 2 * width); // whole panels of two vectors
            tileBuffer[..(n * tileWidth)].Clear();
            if (side == TrsmSide.Left)
            {
                for (int i = 0; i < n; i++)
                {
                    b.GetRowSpan(i).Slice(c0, count).CopyTo(tileBuffer.Slice(i * tileWidth, count));
                }
            }
            else
            {
                for (int r = 0; r < count; r++)
                {
                    Span<T> row = b.GetRowSpan(c0 + r);
                    for (int i = 0; i < n; i++)
                    {
                        Unsafe.Add(ref tile, (i * tileWidth) + r) = row[i];
                    }
                }
            }

            SolveBlocked<T, TVector, TSolve>(ref u, ref inv, n, pitch, ref tile, tileWidth);
            if (side == TrsmSide.Left)
            {
                for (int i = 0; i < n; i++)
                {
                    tileBuffer.Slice(i * tileWidth, count).CopyTo(b.GetRowSpan(i).Slice(c0, count));
                }
            }
            else
            {
                for (int r = 0; r < count; r++)
                {
                    Span<T> row = b.GetRowSpan(c0 + r);
                    for (int i = 0; i < n; i++)
                    {
                        row[i] = Unsafe.Add(ref tile, (i * tileWidth) + r);
                    }
                }
            }
        }

        return true;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
