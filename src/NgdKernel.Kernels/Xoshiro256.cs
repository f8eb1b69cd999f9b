namespace NgdKernel.Kernels;

/// <summary>
/// xoshiro256** (Blackman and Vigna, 2018): a fast, seedable 64-bit generator with 256 bits of
/// state that can be saved and restored exactly, plus Gaussian sampling into a span.
/// </summary>
/// <remarks>
/// A mutable struct: copy it and the copy continues the same stream independently; keep it in
/// a field (not a readonly one) or a local and pass it by <see langword="ref"/>. <c>default</c>
/// is the all-zero state, which outputs only zeros: seed it with the constructor. Not
/// cryptographic. The same seed gives the same stream on every machine; Gaussian samples use
/// <see cref="Math.Log(double)"/> and <see cref="Math.SinCos(double)"/>, so they are
/// bit-identical run to run on one machine and runtime. Allocates nothing.
/// </remarks>
public struct Xoshiro256
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the state from <paramref name="seed"/> by SplitMix64, as the authors recommend (any seed, 0 included, is valid).</summary>
    /// <param name="seed">Any 64-bit value.</param>
    public Xoshiro256(ulong seed)
    {
        _s0 = SplitMix64(ref seed);
        _s1 = SplitMix64(ref seed);
        _s2 = SplitMix64(ref seed);
        _s3 = SplitMix64(ref seed);
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    /// <returns>A uniformly distributed <see cref="ulong"/>.</returns>
    /// <remarks>Inlined: called from another assembly's loops, the call and the state's trip through memory cost more than the update.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in <c>[0, 1)</c> with 53 random bits.</summary>
    /// <returns><c>(NextUInt64() &gt;&gt; 11) · 2⁻⁵³</c>.</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fills <paramref name="destination"/> with independent samples of <c>N(mean, standardDeviation²)</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="destination">Any length; every element is written.</param>
    /// <param name="mean">The mean; finite.</param>
    /// <param name="standardDeviation">The standard deviation; finite and <c>&gt;= 0</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mean"/> is not finite, or <paramref name="standardDeviation"/> is negative or not finite.</exception>
    /// <remarks>
    /// Box-Muller in double: two uniforms <c>u1 ∈ (0, 1]</c>, <c>u2 ∈ [0, 1)</c> give
    /// <c>r = sqrt(-2 ln u1)</c>, the pair <c>(r cos 2πu2, r sin 2πu2)</c>, then
    /// <c>mean + sd·z</c> rounded to T. Both values of each pair are used; for an odd length
    /// the last pair's second value is dropped, so the state after a call depends only on the
    /// length (no cached spare: saving the state with <see cref="GetState"/> captures
    /// everything). Allocates nothing.
    /// </remarks>
    public void FillGaussian<T>(Span<T> destination, T mean, T standardDeviation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.Finite(mean, nameof(mean));
        Check.FiniteNonNegative(standardDeviation, nameof(standardDeviation));
        double mu = double.CreateTruncating(mean);
        double sigma = double.CreateTruncating(standardDeviation);
        int i = 0;
        for (; i + 1 < destination.Length; i += 2)
        {
            (double z0, double z1) = NextGaussianPair();
            destination[i] = T.CreateTruncating(mu + (sigma * z0));
            destination[i + 1] = T.CreateTruncating(mu + (sigma * z1));
        }

        if (i < destination.Length)
        {
            destination[i] = T.CreateTruncating(mu + (sigma * NextGaussianPair().First));
        }
    }

    /// <summary>Writes the four 64-bit state words into <paramref name="state4"/>, for a checkpoint.</summary>
    /// <param name="state4">Length exactly 4.</param>
    /// <exception cref="ArgumentException"><paramref name="state4"/> does not have length 4.</exception>
    public readonly void GetState(Span<ulong> state4)
    {
        CheckStateLength(state4.Length, nameof(state4));
        state4[0] = _s0;
        state4[1] = _s1;
        state4[2] = _s2;
        state4[3] = _s3;
    }

    /// <summary>Restores a state saved by <see cref="GetState"/>; the stream continues exactly where it was saved.</summary>
    /// <param name="state4">Length exactly 4, not all zero.</param>
    /// <exception cref="ArgumentException"><paramref name="state4"/> does not have length 4, or is all zero (the one invalid state).</exception>
    public void SetState(ReadOnlySpan<ulong> state4)
    {
        CheckStateLength(state4.Length, nameof(state4));
        if ((state4[0] | state4[1] | state4[2] | state4[3]) == 0)
        {
            ThrowHelper.ThrowArgument_StateAllZero(nameof(state4));
        }

        _s0 = state4[0];
        _s1 = state4[1];
        _s2 = state4[2];
        _s3 = state4[3];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (double First, double Second) NextGaussianPair()
    {
        double u1 = 1.0 - NextDouble();   // (0, 1]: the log stays finite
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
        return (r * cos, r * sin);
    }

    private static void CheckStateLength(int length, string paramName)
    {
        if (length != 4)
        {
            ThrowHelper.ThrowArgument($"'{paramName}' has length {length} but must have length 4 (the xoshiro256 state words).", paramName);
        }
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
