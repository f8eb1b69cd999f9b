using System.Numerics.Tensors;

namespace NgdKernel.Kernels;

/// <summary>
/// Elementwise helpers for the trainer: axpy, scale, and the activations tanh, logistic and
/// ReLU with their derivatives, written into a destination. Thin wrappers over
/// <see cref="TensorPrimitives"/> wherever it is as fast.
/// </summary>
/// <remarks>
/// <para>Every method checks that lengths match before writing, allows the destination to be exactly
/// one of the inputs (same start and length), rejects any other overlap (TensorPrimitives'
/// rule), propagates NaN and allocates nothing. Derivatives take the activation's
/// <em>output</em> <c>y = φ(x)</c> where that is cheaper (tanh, logistic), the input otherwise (ReLU).</para>
/// <para>Axpy, scale, tanh, logistic and ReLU are single TensorPrimitives calls. Own code remains
/// where it measured faster and gives the same bits: <see cref="TanhBackward{T}"/>,
/// <see cref="TanhDerivative{T}"/> and <see cref="LogisticDerivative{T}"/> are one pass where
/// TensorPrimitives needs two or three (Multiply, Subtract, Multiply), and took 0.19-0.55,
/// 0.36-0.75 and 0.39-0.70 of that composition's time (BenchmarkDotNet <c>VectorMathBench</c>,
/// lengths 100 and 16 384, float and double, AMD EPYC Zen 5; perf/results). They round exactly
/// as the composition does (no fused multiply-add), so the network's results are the same
/// whichever runs, on every path. <see cref="ReluDerivative{T}"/> has no TensorPrimitives
/// equivalent (a step function that keeps NaN).</para>
/// </remarks>
public static class VectorMath
{
    /// <summary><c>y &lt;- alpha·x + y</c> (BLAS axpy).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="alpha">The scalar.</param>
    /// <param name="x">Length n.</param>
    /// <param name="y">Length n; updated in place.</param>
    /// <exception cref="ArgumentException">Lengths differ, or <paramref name="x"/> partially overlaps <paramref name="y"/>.</exception>
    /// <remarks>BLAS equivalent: <c>daxpy</c>. Uses <see cref="TensorPrimitives.MultiplyAdd{T}(ReadOnlySpan{T}, T, ReadOnlySpan{T}, Span{T})"/>. Allocates nothing.</remarks>
    public static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(y, nameof(y), x, nameof(x));
        TensorPrimitives.MultiplyAdd(x, alpha, y, y);
    }

    /// <summary><c>destination &lt;- alpha·x</c> (BLAS scal when destination is x).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">Length n.</param>
    /// <param name="alpha">The scalar.</param>
    /// <param name="destination">Length n; may be <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or the spans partially overlap.</exception>
    /// <remarks>BLAS equivalent: <c>dscal</c>. Allocates nothing.</remarks>
    public static void Scale<T>(ReadOnlySpan<T> x, T alpha, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(destination, nameof(destination), x, nameof(x));
        TensorPrimitives.Multiply(x, alpha, destination);
    }

    /// <summary><c>destination[i] = tanh(x[i])</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">Length n: pre-activations.</param>
    /// <param name="destination">Length n; may be <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or the spans partially overlap.</exception>
    /// <remarks>Uses <see cref="TensorPrimitives.Tanh{T}(ReadOnlySpan{T}, Span{T})"/>. Allocates nothing.</remarks>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(destination, nameof(destination), x, nameof(x));
        TensorPrimitives.Tanh(x, destination);
    }

    /// <summary><c>destination[i] = 1 - y[i]²</c>, the derivative of tanh at the input that produced <c>y = tanh(x)</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="output">Length n: <c>tanh(x)</c>.</param>
    /// <param name="destination">Length n; may be <paramref name="output"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or the spans partially overlap.</exception>
    /// <remarks>
    /// Own one-pass loop: TensorPrimitives has no single operation for it, and its
    /// <c>Multiply</c> then <c>Subtract</c> takes two passes (see the class remarks for the
    /// measured ratio). Each element is <c>fl(1 - fl(y·y))</c> with no fused multiply-add, the
    /// same bits as that composition, on every path. Allocates nothing.
    /// </remarks>
    public static void TanhDerivative<T>(ReadOnlySpan<T> output, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(destination, nameof(destination), output, nameof(output));
        CheckAliasing(output, destination);
        Fused<TanhDerivativeOp, T>(output, output, destination);
    }

    /// <summary><c>destination[i] = gradient[i]·(1 - y[i]²)</c>: backpropagation through tanh (paper Eq. 8, <c>φ' ∘ …</c>).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="output">Length n: <c>y = tanh(x)</c>.</param>
    /// <param name="gradient">Length n: the incoming gradient.</param>
    /// <param name="destination">Length n; may be <paramref name="output"/> or <paramref name="gradient"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or spans partially overlap.</exception>
    /// <remarks>
    /// Own one-pass loop instead of TensorPrimitives' <c>Multiply</c>, <c>Subtract</c>,
    /// <c>Multiply</c> (three passes through a buffer): see the class remarks for the measured
    /// ratio. Each element is <c>fl(fl(1 - fl(y·y))·g)</c>, the same bits as that composition,
    /// so network results do not depend on which one runs. Allocates nothing.
    /// </remarks>
    public static void TanhBackward<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> gradient, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(output, nameof(output), gradient, nameof(gradient));
        Check.SameLength(destination, nameof(destination), gradient, nameof(gradient));
        CheckAliasing(output, destination);
        CheckAliasing(gradient, destination);
        Fused<TanhBackwardOp, T>(output, gradient, destination);
    }

    /// <summary><c>destination[i] = 1 / (1 + exp(-x[i]))</c>, the logistic sigmoid.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">Length n.</param>
    /// <param name="destination">Length n; may be <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or the spans partially overlap.</exception>
    /// <remarks>Uses <see cref="TensorPrimitives.Sigmoid{T}(ReadOnlySpan{T}, Span{T})"/>. Allocates nothing.</remarks>
    public static void Logistic<T>(ReadOnlySpan<T> x, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(destination, nameof(destination), x, nameof(x));
        if (!x.IsEmpty)
        {
            // TensorPrimitives.Sigmoid rejects empty spans; an empty layer is valid here.
            TensorPrimitives.Sigmoid(x, destination);
        }
    }

    /// <summary><c>destination[i] = y[i]·(1 - y[i])</c>, the logistic derivative from its output <c>y</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="output">Length n: <c>y = logistic(x)</c>.</param>
    /// <param name="destination">Length n; may be <paramref name="output"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or the spans partially overlap.</exception>
    /// <remarks>
    /// Own one-pass loop instead of TensorPrimitives' <c>Subtract</c> then <c>Multiply</c> (see
    /// the class remarks for the measured ratio); each element is <c>fl(fl(1 - y)·y)</c>, the same
    /// bits as that composition. Allocates nothing.
    /// </remarks>
    public static void LogisticDerivative<T>(ReadOnlySpan<T> output, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(destination, nameof(destination), output, nameof(output));
        CheckAliasing(output, destination);
        Fused<LogisticDerivativeOp, T>(output, output, destination);
    }

    /// <summary><c>destination[i] = max(x[i], 0)</c>; NaN stays NaN.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">Length n.</param>
    /// <param name="destination">Length n; may be <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or the spans partially overlap.</exception>
    /// <remarks>Uses <see cref="TensorPrimitives.Max{T}(ReadOnlySpan{T}, T, Span{T})"/>, which propagates NaN. Allocates nothing.</remarks>
    public static void Relu<T>(ReadOnlySpan<T> x, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(destination, nameof(destination), x, nameof(x));
        TensorPrimitives.Max(x, T.Zero, destination);
    }

    /// <summary><c>destination[i] = x[i] &gt; 0 ? 1 : 0</c>, the ReLU derivative at its input; NaN stays NaN.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">Length n: pre-activations (or outputs: the sign test is the same).</param>
    /// <param name="destination">Length n; may be <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or the spans partially overlap.</exception>
    /// <remarks>The derivative at 0 is taken as 0. Allocates nothing.</remarks>
    public static void ReluDerivative<T>(ReadOnlySpan<T> x, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(destination, nameof(destination), x, nameof(x));
        CheckAliasing(x, destination);
        ref T x0 = ref MemoryMarshal.GetReference(x);
        ref T d0 = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        nuint i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<T> one = Vector256<T>.One;
            for (; i + (nuint)Vector256<T>.Count <= n; i += (nuint)Vector256<T>.Count)
            {
                Vector256<T> v = Vector256.LoadUnsafe(ref x0, i);
                Vector256<T> zeroOrNaN = Vector256.ConditionalSelect(Vector256.Equals(v, v), Vector256<T>.Zero, v);
                Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<T>.Zero), one, zeroOrNaN).StoreUnsafe(ref d0, i);
            }
        }

        for (; i < n; i++)
        {
            T v = Unsafe.Add(ref x0, i);
            Unsafe.Add(ref d0, i) = v > T.Zero ? T.One : T.IsNaN(v) ? v : T.Zero;
        }
    }

    /// <summary>
    /// <c>destination[i] = TOp(y[i], g[i])</c> in one pass, one generic body for the three
    /// paths (<see cref="KernelContext.Default"/>'s unless <paramref name="path"/> is given). Exact aliasing is safe: every vector is
    /// loaded before the store that may overwrite it.
    /// </summary>
    internal static void Fused<TOp, T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> destination, KernelPath? path = null)
        where TOp : struct, IFusedOp
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T y0 = ref MemoryMarshal.GetReference(y);
        ref T g0 = ref MemoryMarshal.GetReference(g);
        ref T d0 = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)destination.Length;
        nuint i = (path ?? KernelContext.Default.Path) switch
        {
            KernelPath.Vector512 => FusedVectors<TOp, Vector512<T>, Simd512<T>, T>(ref y0, ref g0, ref d0, n),
            KernelPath.Vector256 => FusedVectors<TOp, Vector256<T>, Simd256<T>, T>(ref y0, ref g0, ref d0, n),
            _ => 0,
        };

        for (; i < n; i++)
        {
            Unsafe.Add(ref d0, i) = TOp.Apply(Unsafe.Add(ref y0, i), Unsafe.Add(ref g0, i));
        }
    }

    private static nuint FusedVectors<TOp, TVector, TSimd, T>(ref T y, ref T g, ref T d, nuint n)
        where TOp : struct, IFusedOp
        where TVector : struct
        where TSimd : struct, ISimd<TVector, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVector one = TSimd.Broadcast(T.One);
        nuint i = 0;
        for (; i + TSimd.Count <= n; i += TSimd.Count)
        {
            TSimd.Store(TOp.Apply<TVector, TSimd, T>(TSimd.Load(ref y, i), TSimd.Load(ref g, i), one), ref d, i);
        }

        return i;
    }

    /// <summary>An element-wise operation of an activation's output y and a second operand g.</summary>
    internal interface IFusedOp
    {
        static abstract T Apply<T>(T y, T g)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>;

        static abstract TVector Apply<TVector, TSimd, T>(TVector y, TVector g, TVector one)
            where TVector : struct
            where TSimd : struct, ISimd<TVector, T>
            where T : unmanaged, IBinaryFloatingPointIeee754<T>;
    }

    /// <summary><c>1 - y²</c> (g unused).</summary>
    internal readonly struct TanhDerivativeOp : IFusedOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Apply<T>(T y, T g)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => T.One - (y * y);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Apply<TVector, TSimd, T>(TVector y, TVector g, TVector one)
            where TVector : struct
            where TSimd : struct, ISimd<TVector, T>
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => TSimd.Subtract(one, TSimd.Multiply(y, y));
    }

    /// <summary><c>(1 - y²)·g</c>.</summary>
    internal readonly struct TanhBackwardOp : IFusedOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Apply<T>(T y, T g)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => (T.One - (y * y)) * g;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Apply<TVector, TSimd, T>(TVector y, TVector g, TVector one)
            where TVector : struct
            where TSimd : struct, ISimd<TVector, T>
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => TSimd.Multiply(TSimd.Subtract(one, TSimd.Multiply(y, y)), g);
    }

    /// <summary><c>(1 - y)·y</c> (g unused).</summary>
    internal readonly struct LogisticDerivativeOp : IFusedOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Apply<T>(T y, T g)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => (T.One - y) * y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Apply<TVector, TSimd, T>(TVector y, TVector g, TVector one)
            where TVector : struct
            where TSimd : struct, ISimd<TVector, T>
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => TSimd.Multiply(TSimd.Subtract(one, y), y);
    }

    private static void CheckAliasing<T>(ReadOnlySpan<T> x, Span<T> destination)
    {
        if (x.Overlaps(destination, out int offset) && offset != 0)
        {
            ThrowHelper.ThrowArgument_Overlap(nameof(destination), nameof(x));
        }
    }
}
