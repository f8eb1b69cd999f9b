using System.Numerics;
using BenchmarkDotNet.Attributes;
using NgdKernel.Benchmarks.Harness;
using NgdKernel.Perf.Cases;

namespace NgdKernel.Benchmarks;

/// <summary>Cholesky factor and two-sided solve <c>G = A^-1 G A^-1</c>: <see cref="CholeskyCase{T}"/> on every <see cref="CholeskyShape.All"/> shape.</summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class CholeskyBench<T> : KernelBench<T, CholeskyShape>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;
