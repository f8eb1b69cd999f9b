using X86 = System.Runtime.Intrinsics.X86;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Fused multiply-add <c>a * b + c</c> (one rounding) on generic vectors: the one FMA every kernel uses.
/// The typeof(T) tests are folded by the JIT for each instantiation, so each call is a single vfmadd
/// instruction.
/// </summary>
internal static class Fma
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) =>
        typeof(T) == typeof(float) ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : typeof(T) == typeof(double) ? Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
        typeof(T) == typeof(float) ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : typeof(T) == typeof(double) ? Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAdd<T>(Vector128<T> a, Vector128<T> b, Vector128<T> c) =>
        typeof(T) == typeof(float) ? Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : typeof(T) == typeof(double) ? Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : (a * b) + c;

    /// <summary>
    /// <c>c - a * b</c> with one rounding (vfnmadd), bit for bit <c>MultiplyAdd(-a, b, c)</c>: written so,
    /// the JIT negates a broadcast scalar and broadcasts it again instead of folding the negation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAddNegated<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) =>
        X86.Avx512F.IsSupported && typeof(T) == typeof(float) ? X86.Avx512F.FusedMultiplyAddNegated(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : X86.Avx512F.IsSupported && typeof(T) == typeof(double) ? X86.Avx512F.FusedMultiplyAddNegated(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : MultiplyAdd(-a, b, c);

    /// <inheritdoc cref="MultiplyAddNegated{T}(Vector512{T}, Vector512{T}, Vector512{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAddNegated<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
        X86.Fma.IsSupported && typeof(T) == typeof(float) ? X86.Fma.MultiplyAddNegated(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : X86.Fma.IsSupported && typeof(T) == typeof(double) ? X86.Fma.MultiplyAddNegated(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : MultiplyAdd(-a, b, c);

    /// <inheritdoc cref="MultiplyAddNegated{T}(Vector512{T}, Vector512{T}, Vector512{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAddNegated<T>(Vector128<T> a, Vector128<T> b, Vector128<T> c) =>
        X86.Fma.IsSupported && typeof(T) == typeof(float) ? X86.Fma.MultiplyAddNegated(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : X86.Fma.IsSupported && typeof(T) == typeof(double) ? X86.Fma.MultiplyAddNegated(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : MultiplyAdd(-a, b, c);
}
