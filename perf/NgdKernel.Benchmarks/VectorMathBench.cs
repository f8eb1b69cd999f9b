using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Configs;

namespace NgdKernel.Benchmarks;

/// <summary>
/// The element-wise operations where <see cref="VectorMath"/> runs its own loop, each beside the
/// <see cref="TensorPrimitives"/> composition that computes the same bits (the baseline of its
/// category): the activation derivatives and tanh backpropagation, one pass against two or three.
/// Every other <see cref="VectorMath"/> operation (axpy, scale, tanh, logistic, ReLU) is a single
/// TensorPrimitives call already and has nothing to compare.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// Lengths: a layer width (100, the paper's networks) and a whole batch of activations (16 384,
/// still in L1/L2), the two ways the network calls them. ReLU's derivative has no
/// TensorPrimitives equivalent with the same NaN and signed-zero behaviour, so it has no pair.
/// </remarks>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class VectorMathBench<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const int Chunk = 256;
    private T[] output = [];
    private T[] gradient = [];
    private T[] destination = [];

    /// <summary>Elements per call.</summary>
    [Params(100, 16384)]
    public int Length { get; set; }

    /// <summary>Activations in (-1, 1) and gradients in (-2, 2), fixed seed.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        output = [.. Enumerable.Range(0, Length).Select(_ => T.CreateTruncating((random.NextDouble() * 2) - 1))];
        gradient = [.. Enumerable.Range(0, Length).Select(_ => T.CreateTruncating((random.NextDouble() * 4) - 2))];
        destination = new T[Length];
    }

    /// <summary>g·(1 - y²) by three TensorPrimitives passes through a stack buffer.</summary>
    [Benchmark(Baseline = true, Description = "TensorPrimitives")]
    [BenchmarkCategory("TanhBackward")]
    [SkipLocalsInit]
    public void TanhBackwardComposed()
    {
        Span<T> buffer = stackalloc T[Chunk];
        for (int start = 0; start < output.Length; start += Chunk)
        {
            int length = Math.Min(Chunk, output.Length - start);
            Span<T> derivative = buffer[..length];
            TensorPrimitives.Multiply(output.AsSpan(start, length), output.AsSpan(start, length), derivative);
            TensorPrimitives.Subtract(T.One, derivative, derivative);
            TensorPrimitives.Multiply(derivative, gradient.AsSpan(start, length), destination.AsSpan(start, length));
        }
    }

    /// <summary>The same in one pass.</summary>
    [Benchmark(Description = "VectorMath")]
    [BenchmarkCategory("TanhBackward")]
    public void TanhBackwardFused() => VectorMath.TanhBackward<T>(output, gradient, destination);

    /// <summary>1 - y² by TensorPrimitives Multiply then Subtract.</summary>
    [Benchmark(Baseline = true, Description = "TensorPrimitives")]
    [BenchmarkCategory("TanhDerivative")]
    public void TanhDerivativeComposed()
    {
        TensorPrimitives.Multiply<T>(output, output, destination);
        TensorPrimitives.Subtract(T.One, destination, destination);
    }

    /// <summary>The same in one pass.</summary>
    [Benchmark(Description = "VectorMath")]
    [BenchmarkCategory("TanhDerivative")]
    public void TanhDerivativeFused() => VectorMath.TanhDerivative<T>(output, destination);

    /// <summary>(1 - y)·y by TensorPrimitives Subtract then Multiply.</summary>
    [Benchmark(Baseline = true, Description = "TensorPrimitives")]
    [BenchmarkCategory("LogisticDerivative")]
    public void LogisticDerivativeComposed()
    {
        TensorPrimitives.Subtract(T.One, output, destination);
        TensorPrimitives.Multiply<T>(destination, output, destination);
    }

    /// <summary>The same in one pass.</summary>
    [Benchmark(Description = "VectorMath")]
    [BenchmarkCategory("LogisticDerivative")]
    public void LogisticDerivativeFused() => VectorMath.LogisticDerivative<T>(output, destination);
}
