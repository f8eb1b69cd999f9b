namespace NgdKernel.Benchmarks;

/// <summary><c>C = op(A) op(B)</c> (alpha 1, beta 0) on every <see cref="GemmShape.All"/> shape.</summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class GemmBench<T> : KernelBench<T, GemmShape>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>The trainer's covariance <c>C = A^T A</c> on every <see cref="SyrkShape.All"/> shape.</summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class SyrkBench<T> : KernelBench<T, SyrkShape>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>Cholesky factor and two-sided solve <c>G = A^-1 G A^-1</c> on every
/// <see cref="CholeskyShape.All"/> shape.</summary>
/// <typeparam name="T">float or double.</typeparam>
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class CholeskyBench<T> : KernelBench<T, CholeskyShape>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;
