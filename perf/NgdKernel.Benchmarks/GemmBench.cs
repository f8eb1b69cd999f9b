using System.Numerics;
using BenchmarkDotNet.Attributes;
using NgdKernel.Benchmarks.Harness;
using NgdKernel.Perf.Cases;

namespace NgdKernel.Benchmarks;

/// <summary><c>C = op(A) op(B)</c> (alpha 1, beta 0): <see cref="GemmCase{T}"/> on every <see cref="GemmShape.All"/> shape.</summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class GemmBench<T> : KernelBench<T, GemmShape>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;
