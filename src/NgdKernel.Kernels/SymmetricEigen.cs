namespace NgdKernel.Kernels;

/// <summary>
/// Eigendecomposition <c>A = V·diag(w)·Vᵀ</c> of a small symmetric matrix by the cyclic Jacobi
/// method, and the Moore-Penrose pseudo-inverse of a symmetric (possibly indefinite) matrix.
/// </summary>
/// <remarks>
/// Jacobi is chosen for accuracy over speed: it is backward stable, gives every eigenvalue
/// within a few ulps of <c>‖A‖</c> and orthogonal vectors to working precision, and its
/// <c>O(n³)</c> cost per sweep (typically 6-10 sweeps) is small for the layer widths the
/// exact natural gradient uses (n up to about 200). Allocates nothing: all scratch lives in
/// the caller's workspace of <see cref="WorkspaceLength"/> elements.
/// </remarks>
public static partial class SymmetricEigen
{
    private const int MaxSweeps = 60;

    /// <summary>Workspace length (in elements of T) that <see cref="Decompose{T}(ReadOnlySpan2D{T}, Span{T}, Span2D{T}, Span{T}, KernelContext)"/> and <see cref="PseudoInverse{T}(ReadOnlySpan2D{T}, T, Span2D{T}, Span{T}, KernelContext)"/> need for an <c>n×n</c> input: <c>2n² + 3n</c>.</summary>
    /// <param name="n">The order of the matrix, <c>&gt;= 0</c>.</param>
    /// <returns><c>2n² + 3n</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    /// <exception cref="OverflowException">The length does not fit in an <see cref="int"/> (n above about 32 000).</exception>
    public static int WorkspaceLength(int n)
    {
        if (n < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(n), n);
        }

        return checked((2 * n * n) + (3 * n));
    }

    /// <summary>Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a"><c>[n, n]</c>, row-major, any row stride; only its lower triangle (diagonal included) is read, never written.</param>
    /// <param name="eigenvalues">Length n; receives <c>w</c> in ascending order.</param>
    /// <param name="eigenvectors"><c>[n, n]</c>, any row stride; column k receives the unit eigenvector of <c>w[k]</c>. May be <paramref name="a"/> itself (exact aliasing).</param>
    /// <param name="workspace">At least <see cref="WorkspaceLength"/>(n) elements of scratch, overlapping nothing else.</param>
    /// <param name="context">Path; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Runs on the calling thread only.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="a"/> is not square; <paramref name="eigenvectors"/> is not n×n;
    /// <paramref name="eigenvalues"/> does not have length n; <paramref name="workspace"/> is too short;
    /// or the outputs or workspace overlap another argument (other than <paramref name="eigenvectors"/> = <paramref name="a"/>).
    /// </exception>
    /// <remarks>
    /// <para>LAPACK equivalent: <c>dsyev('V','L')</c>. Cyclic Jacobi with Rutishauser's
    /// accumulation of diagonal updates and threshold rotations (first three sweeps); it stops when
    /// every off-diagonal element is negligible next to both diagonal elements it couples, or
    /// after 60 sweeps; each eigenvector is then normalized once, which removes the norm drift the
    /// rotations accumulate. Residual <c>‖AV - V·diag(w)‖₁ / (n‖A‖₁eps)</c> is below 0.5 and
    /// <c>‖VᵀV - I‖ / (n·eps)</c> below 2.5 in both the 1-norm and the Frobenius norm at n = 100-200,
    /// float and double (LAPACK's <c>?syevr</c> on the same inputs: 0.1-2.3 and 0.6-45); the
    /// benchmarks program's <c>eigen-accuracy</c> mode prints the comparison.</para>
    /// <para>NaN or infinite input gives NaN eigenvalues and vectors (no exception).
    /// Allocates nothing; deterministic on one <see cref="KernelPath"/>.</para>
    /// </remarks>
    public static void Decompose<T>(ReadOnlySpan2D<T> a, Span<T> eigenvalues, Span2D<T> eigenvectors, Span<T> workspace, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.Square(a, nameof(a));
        int n = a.Height;
        Check.Length<T>(eigenvalues, nameof(eigenvalues), a, nameof(a), n);
        Check.SameShape<T>(eigenvectors, nameof(eigenvectors), a, nameof(a));
        Check.Workspace<T>(workspace, nameof(workspace), WorkspaceLength(n), "SymmetricEigen.WorkspaceLength(n) = 2n² + 3n");
        Check.NoOverlap<T>(workspace, nameof(workspace), a, nameof(a));
        Check.NoOverlap<T>(workspace, nameof(workspace), eigenvectors, nameof(eigenvectors));
        Check.NoOverlap<T>(eigenvalues, nameof(eigenvalues), a, nameof(a));
        Check.NoOverlap<T>(eigenvalues, nameof(eigenvalues), eigenvectors, nameof(eigenvectors));
        Check.NoOverlap<T>(eigenvalues, nameof(eigenvalues), workspace, nameof(workspace));
        if (!IsSameView(a, eigenvectors))
        {
            Check.NoOverlap<T>(eigenvectors, nameof(eigenvectors), a, nameof(a));
        }

        Jacobi(a, workspace, (context ?? KernelContext.Default).Path);
        ref T w = ref MemoryMarshal.GetReference(workspace);
        ref T vt = ref Unsafe.Add(ref w, (2 * n) + (n * n));
        MemoryMarshal.CreateSpan(ref w, n).CopyTo(eigenvalues);
        nint ld = StridedView.Stride(eigenvectors);
        ref T e0 = ref eigenvectors.DangerousGetReference();
        for (int i = 0; i < n; i++)
        {
            ref T row = ref Unsafe.Add(ref e0, i * ld);
            for (int k = 0; k < n; k++)
            {
                Unsafe.Add(ref row, k) = Unsafe.Add(ref vt, (k * n) + i);
            }
        }
    }

    /// <summary>
    /// Moore-Penrose pseudo-inverse of a symmetric matrix, definite or not:
    /// <c>A⁺ = Σ_{|w_k| &gt; c} v_k·v_kᵀ / w_k</c> with <c>c = relativeCutoff · max|w|</c>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="a"><c>[n, n]</c>, row-major, any row stride, symmetric (indefinite allowed); only the lower triangle is read.</param>
    /// <param name="relativeCutoff">
    /// Eigenvalues with <c>|w| &lt;= relativeCutoff · max|w|</c> are treated as zero, whatever their sign;
    /// finite, <c>&gt;= 0</c>. <c>n·eps</c> of T is the usual choice (numpy's <c>pinv</c> rcond).
    /// </param>
    /// <param name="destination"><c>[n, n]</c>, any row stride; receives <c>A⁺</c>, exactly symmetric. May be <paramref name="a"/> itself.</param>
    /// <param name="workspace">At least <see cref="WorkspaceLength"/>(n) elements, overlapping nothing else.</param>
    /// <param name="context">Path; <see langword="null"/> uses <see cref="KernelContext.Default"/>. Runs on the calling thread only.</param>
    /// <returns>The numerical rank: how many eigenvalues (of either sign) were kept.</returns>
    /// <exception cref="ArgumentException">Shapes or workspace as in <see cref="Decompose{T}(ReadOnlySpan2D{T}, Span{T}, Span2D{T}, Span{T}, KernelContext)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="relativeCutoff"/> is negative, NaN or infinite.</exception>
    /// <remarks>
    /// <para>LAPACK equivalent: <c>dsyev</c> followed by the truncated sum (what numpy's
    /// <c>pinv(hermitian=True)</c> does). Satisfies the four Penrose conditions
    /// <c>AA⁺A = A</c>, <c>A⁺AA⁺ = A⁺</c>, <c>(AA⁺)ᵀ = AA⁺</c>, <c>(A⁺A)ᵀ = A⁺A</c> to rounding.
    /// Used by the exact natural gradient for rank-deficient layers (paper Eq. 10, 14, 15).</para>
    /// <para>The cut-off is on magnitudes, so negative eigenvalues of an indefinite matrix are
    /// inverted like positive ones and the result is its true Moore-Penrose inverse. On positive
    /// semi-definite input the negative eigenvalues are rounding noise below the cut-off, and the
    /// result is bit for bit what the positive-only sum <c>Σ_{w_k &gt; c}</c> gives.</para>
    /// <para>NaN input gives a NaN result. Allocates nothing.</para>
    /// </remarks>
    public static int PseudoInverse<T>(ReadOnlySpan2D<T> a, T relativeCutoff, Span2D<T> destination, Span<T> workspace, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.Square(a, nameof(a));
        int n = a.Height;
        Check.SameShape<T>(destination, nameof(destination), a, nameof(a));
        Check.FiniteNonNegative(relativeCutoff, nameof(relativeCutoff));
        Check.Workspace<T>(workspace, nameof(workspace), WorkspaceLength(n), "SymmetricEigen.WorkspaceLength(n) = 2n² + 3n");
        Check.NoOverlap<T>(workspace, nameof(workspace), a, nameof(a));
        Check.NoOverlap<T>(workspace, nameof(workspace), destination, nameof(destination));
        if (!IsSameView(a, destination))
        {
            Check.NoOverlap<T>(destination, nameof(destination), a, nameof(a));
        }

        KernelPath path = (context ?? KernelContext.Default).Path;

        Jacobi(a, workspace, path);
        ref T w = ref MemoryMarshal.GetReference(workspace);
        ref T vt = ref Unsafe.Add(ref w, (2 * n) + (n * n));
        if (n > 0 && T.IsNaN(Unsafe.Add(ref w, 0)))
        {
            destination.Fill(T.NaN);
            return 0;
        }

        // Ascending order: the largest magnitude is at one end, and the kept eigenvalues
        // (|w| > cutoff) are a prefix [0, negatives) and a suffix [first, n). On positive
        // semi-definite input the prefix is empty (rounding leaves negative eigenvalues far below
        // any useful cut-off) and the terms and their order are those of the suffix alone.
        T largest = n > 0 ? T.Max(T.Abs(Unsafe.Add(ref w, 0)), T.Abs(Unsafe.Add(ref w, n - 1))) : T.Zero;
        T cutoff = relativeCutoff * largest;
        int first = n;
        while (first > 0 && T.Abs(Unsafe.Add(ref w, first - 1)) > cutoff)
        {
            first--;
        }

        int negatives = 0;
        while (negatives < first && T.Abs(Unsafe.Add(ref w, negatives)) > cutoff)
        {
            negatives++;
        }

        // Lower triangle: row i of A⁺ is Σ_k (v_k[i] / w_k) · v_k[0:i+1], rows of Vᵀ contiguous.
        nint ld = StridedView.Stride(destination);
        ref T d0 = ref destination.DangerousGetReference();
        for (int i = 0; i < n; i++)
        {
            ref T row = ref Unsafe.Add(ref d0, i * ld);
            MemoryMarshal.CreateSpan(ref row, i + 1).Clear();

            // k runs over [0, negatives) then jumps to [first, n).
            for (int k = negatives > 0 ? 0 : first; k < n; k = k + 1 == negatives ? first : k + 1)
            {
                ref T vk = ref Unsafe.Add(ref vt, k * n);
                Level1.Axpy(Unsafe.Add(ref vk, i) / Unsafe.Add(ref w, k), ref vk, ref row, i + 1, path);
            }
        }

        FactorTranspose.MirrorLowerToUpper(ref d0, ld, n, path);
        return negatives + (n - first);
    }

    private static bool HasNonFinite<T>(ref T values, int length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < length; i++)
        {
            if (!T.IsFinite(Unsafe.Add(ref values, i)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSameView<T>(ReadOnlySpan2D<T> a, ReadOnlySpan2D<T> b)
        where T : unmanaged =>
        a.Height == b.Height && a.Width == b.Width
        && (a.IsEmpty || (Unsafe.AreSame(ref a.DangerousGetReference(), ref b.DangerousGetReference())
            && StridedView.Stride(a) == StridedView.Stride(b)));

    /// <summary>
    /// Cyclic Jacobi on a full symmetric copy of <paramref name="input"/>. Workspace layout:
    /// <c>[w: n | z: n | A: n·n | Vᵀ: n·n | b: n]</c>. On return <c>w</c> holds the
    /// eigenvalues ascending and row k of <c>Vᵀ</c> the eigenvector of <c>w[k]</c>.
    /// </summary>
    /// <remarks>
    /// Rotation <c>J(p,q,θ)</c> applied as <c>A &lt;- JᵀAJ</c>: rows p and q of the full matrix
    /// are rotated (contiguous, vectorized), then copied into columns p and q (symmetry), so no
    /// loop walks a column. The eigenvector matrix is kept transposed for the same reason.
    /// </remarks>
    private static void Jacobi<T>(ReadOnlySpan2D<T> input, Span<T> workspace, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = input.Height;
        ref T d = ref MemoryMarshal.GetReference(workspace);
        ref T z = ref Unsafe.Add(ref d, n);
        ref T a = ref Unsafe.Add(ref z, n);
        ref T vt = ref Unsafe.Add(ref a, n * n);
        ref T b = ref Unsafe.Add(ref vt, n * n);

        nint ldi = StridedView.Stride(input);
        ref T in0 = ref input.DangerousGetReference();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                T value = Unsafe.Add(ref in0, (i * ldi) + j);
                Unsafe.Add(ref a, (i * n) + j) = value;
                Unsafe.Add(ref a, (j * n) + i) = value;
            }
        }

        MemoryMarshal.CreateSpan(ref vt, n * n).Clear();
        for (int i = 0; i < n; i++)
        {
            Unsafe.Add(ref vt, (i * n) + i) = T.One;
            Unsafe.Add(ref d, i) = Unsafe.Add(ref a, (i * n) + i);
            Unsafe.Add(ref b, i) = Unsafe.Add(ref d, i);
            Unsafe.Add(ref z, i) = T.Zero;
        }

        T hundred = T.CreateTruncating(100);
        T half = T.CreateTruncating(0.5);
        for (int sweep = 1; sweep <= MaxSweeps; sweep++)
        {
            T offSum = T.Zero;
            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    offSum += T.Abs(Unsafe.Add(ref a, (p * n) + q));
                }
            }

            if (!T.IsFinite(offSum) || HasNonFinite(ref d, n))
            {
                // NaN or Inf anywhere: report NaN rather than a plausible-looking answer.
                MemoryMarshal.CreateSpan(ref d, n).Fill(T.NaN);
                MemoryMarshal.CreateSpan(ref vt, n * n).Fill(T.NaN);
                return;
            }

            if (offSum == T.Zero)
            {
                break;
            }

            // Threshold rotations in the first sweeps skip tiny elements cheaply (Rutishauser).
            T threshold = sweep < 4 ? T.CreateTruncating(0.2) * offSum / T.CreateTruncating((double)n * n) : T.Zero;
            for (int p = 0; p < n - 1; p++)
            {
                ref T rowP = ref Unsafe.Add(ref a, p * n);
                for (int q = p + 1; q < n; q++)
                {
                    ref T rowQ = ref Unsafe.Add(ref a, q * n);
                    T apq = Unsafe.Add(ref rowP, q);
                    T g = hundred * T.Abs(apq);
                    T dp = Unsafe.Add(ref d, p), dq = Unsafe.Add(ref d, q);

                    // After the fourth sweep an element below the rounding of both diagonal
                    // elements it couples is set to zero without a rotation.
                    if (sweep > 4 && T.Abs(dp) + g == T.Abs(dp) && T.Abs(dq) + g == T.Abs(dq))
                    {
                        Unsafe.Add(ref rowP, q) = T.Zero;
                        Unsafe.Add(ref rowQ, p) = T.Zero;
                        continue;
                    }

                    if (!(T.Abs(apq) > threshold))
                    {
                        continue;
                    }

                    T h = dq - dp;
                    T t;
                    if (T.Abs(h) + g == T.Abs(h))
                    {
                        t = apq / h;
                    }
                    else
                    {
                        T theta = half * h / apq;
                        t = T.One / (T.Abs(theta) + T.Sqrt(T.One + (theta * theta)));
                        if (theta < T.Zero)
                        {
                            t = -t;
                        }
                    }

                    T c = T.One / T.Sqrt(T.One + (t * t));
                    T s = t * c;
                    T shift = t * apq;
                    Unsafe.Add(ref z, p) -= shift;
                    Unsafe.Add(ref z, q) += shift;
                    Unsafe.Add(ref d, p) = dp - shift;
                    Unsafe.Add(ref d, q) = dq + shift;

                    Level1.Rotate(ref rowP, ref rowQ, n, c, s, path);
                    for (int j = 0; j < n; j++)
                    {
                        Unsafe.Add(ref a, (j * n) + p) = Unsafe.Add(ref rowP, j);
                        Unsafe.Add(ref a, (j * n) + q) = Unsafe.Add(ref rowQ, j);
                    }

                    Unsafe.Add(ref rowP, q) = T.Zero;
                    Unsafe.Add(ref rowQ, p) = T.Zero;
                    Unsafe.Add(ref rowP, p) = Unsafe.Add(ref d, p);
                    Unsafe.Add(ref rowQ, q) = Unsafe.Add(ref d, q);
                    Level1.Rotate(ref Unsafe.Add(ref vt, p * n), ref Unsafe.Add(ref vt, q * n), n, c, s, path);
                }
            }

            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref b, i) += Unsafe.Add(ref z, i);
                Unsafe.Add(ref d, i) = Unsafe.Add(ref b, i);
                Unsafe.Add(ref z, i) = T.Zero;
            }
        }

        // Each rotation's c² + s² is 1 only to rounding, and those errors drift the same way over
        // the several·n rotations a vector receives: left alone, ‖v_k‖² - 1 reaches about 100·eps at
        // n = 100 (most of ‖VᵀV - I‖_F, and of the error of projectors built from V). Normalizing
        // each vector once removes that drift for n² work. The squared norm is summed in double
        // with error-free transformations (TwoProduct by FMA, TwoSum), so it is exact to a few
        // units of 2⁻¹⁰⁶ and only the scale and the n products round: |‖v_k‖² - 1| ≤ 6u = 3·eps
        // (double), 4u = 2·eps (float). Scalar and in a fixed order, so every path gives the same bits.
        for (int k = 0; k < n; k++)
        {
            ref T row = ref Unsafe.Add(ref vt, k * n);
            double sum = 0, compensation = 0;
            for (int j = 0; j < n; j++)
            {
                double value = double.CreateTruncating(Unsafe.Add(ref row, j));
                double product = value * value;
                double productError = Math.FusedMultiplyAdd(value, value, -product);
                double total = sum + product;
                double part = total - sum;
                compensation += (sum - (total - part)) + (product - part) + productError;
                sum = total;
            }

            Level1.Scale(T.CreateTruncating(1 / Math.Sqrt(sum + compensation)), ref row, n, path);
        }

        // Selection sort, ascending, moving rows of Vᵀ along (n swaps of n elements).
        for (int i = 0; i < n - 1; i++)
        {
            int smallest = i;
            for (int k = i + 1; k < n; k++)
            {
                if (Unsafe.Add(ref d, k) < Unsafe.Add(ref d, smallest))
                {
                    smallest = k;
                }
            }

            if (smallest != i)
            {
                (Unsafe.Add(ref d, i), Unsafe.Add(ref d, smallest)) = (Unsafe.Add(ref d, smallest), Unsafe.Add(ref d, i));
                ref T rowI = ref Unsafe.Add(ref vt, i * n);
                ref T rowS = ref Unsafe.Add(ref vt, smallest * n);
                for (int j = 0; j < n; j++)
                {
                    (Unsafe.Add(ref rowI, j), Unsafe.Add(ref rowS, j)) = (Unsafe.Add(ref rowS, j), Unsafe.Add(ref rowI, j));
                }
            }
        }
    }
}
