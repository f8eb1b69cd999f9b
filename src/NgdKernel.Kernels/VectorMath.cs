using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NgdKernel.Kernels.Internals;

namespace NgdKernel.Kernels;

/// <summary>
/// Elementwise helpers for the trainer: axpy, scale, and the activations tanh, logistic and
/// ReLU with their derivatives, written into a destination. Thin wrappers over
/// <see cref="TensorPrimitives"/> wherever it already does the job.
/// </summary>
/// <remarks>
/// Every method checks that lengths match before writing, allows the destination to be exactly
/// one of the inputs (same start and length), rejects any other overlap (TensorPrimitives'
/// rule), propagates NaN and allocates nothing. Derivatives take the activation's
/// <em>output</em> <c>y = φ(x)</c> where that is cheaper (tanh, logistic), the input otherwise (ReLU).
/// </remarks>
public static class VectorMath
{
    private const int Chunk = 256;

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
    /// <remarks>Allocates nothing.</remarks>
    public static void TanhDerivative<T>(ReadOnlySpan<T> output, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(destination, nameof(destination), output, nameof(output));
        TensorPrimitives.Multiply(output, output, destination);
        TensorPrimitives.Subtract(T.One, destination, destination);
    }

    /// <summary><c>destination[i] = gradient[i]·(1 - y[i]²)</c>: backpropagation through tanh (paper Eq. 8, <c>φ' ∘ …</c>).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="output">Length n: <c>y = tanh(x)</c>.</param>
    /// <param name="gradient">Length n: the incoming gradient.</param>
    /// <param name="destination">Length n; may be <paramref name="output"/> or <paramref name="gradient"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or spans partially overlap.</exception>
    /// <remarks>Works through a 256-element stack buffer, so exact aliasing is safe. Allocates nothing.</remarks>
    [SkipLocalsInit]
    public static void TanhBackward<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> gradient, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(output, nameof(output), gradient, nameof(gradient));
        Check.SameLength(destination, nameof(destination), gradient, nameof(gradient));
        CheckAliasing(output, destination);
        CheckAliasing(gradient, destination);
        Span<T> buffer = stackalloc T[Chunk];
        for (int start = 0; start < output.Length; start += Chunk)
        {
            int length = Math.Min(Chunk, output.Length - start);
            Span<T> derivative = buffer[..length];
            TensorPrimitives.Multiply(output.Slice(start, length), output.Slice(start, length), derivative);
            TensorPrimitives.Subtract(T.One, derivative, derivative);
            TensorPrimitives.Multiply(derivative, gradient.Slice(start, length), destination.Slice(start, length));
        }
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
    /// <remarks>Allocates nothing.</remarks>
    [SkipLocalsInit]
    public static void LogisticDerivative<T>(ReadOnlySpan<T> output, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.SameLength(destination, nameof(destination), output, nameof(output));
        CheckAliasing(output, destination);
        Span<T> buffer = stackalloc T[Chunk];
        for (int start = 0; start < output.Length; start += Chunk)
        {
            int length = Math.Min(Chunk, output.Length - start);
            Span<T> complement = buffer[..length];
            TensorPrimitives.Subtract(T.One, output.Slice(start, length), complement);
            TensorPrimitives.Multiply(complement, output.Slice(start, length), destination.Slice(start, length));
        }
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

    private static void CheckAliasing<T>(ReadOnlySpan<T> x, Span<T> destination)
    {
        if (x.Overlaps(destination, out int offset) && offset != 0)
        {
            ThrowHelper.ThrowArgument_Overlap(nameof(destination), nameof(x));
        }
    }
}
