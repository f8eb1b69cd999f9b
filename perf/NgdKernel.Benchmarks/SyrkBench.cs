using System.Numerics;
using BenchmarkDotNet.Attributes;
using NgdKernel.Benchmarks.Harness;
using NgdKernel.Perf.Cases;

namespace NgdKernel.Benchmarks;

/// <summary>The trainer's covariance <c>C = A^T A</c>: <see cref="SyrkCase{T}"/> on every <see cref="SyrkShape.All"/> shape.</summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class SyrkBench<T> : KernelBench<T, SyrkShape>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;
