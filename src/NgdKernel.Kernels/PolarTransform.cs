namespace NgdKernel.Kernels;

/// <summary>
/// The radius of Marsaglia's polar method, <c>r = sd · sqrt(-2 ln s / s)</c>, for a batch of accepted
/// <c>s ∈ (0, 1)</c>, with a logarithm of our own so that every path gives the same bits.
/// </summary>
/// <remarks>
/// <para>The runtime's vector logarithm (TensorPrimitives.Log) may change in the last bit when the JIT
/// recompiles it at a higher tier, and <see cref="MathF.Log(float)"/> has no vector form. These
/// logarithms are written with explicit fused multiply-adds, multiplies and adds only, each rounded
/// once in IEEE arithmetic, in the same order on the scalar, Vector256 and Vector512 paths: the bits
/// agree across paths, tiers and runs. Division and square root are correctly rounded everywhere.</para>
/// <para>Float: Cephes <c>logf</c> (S. Moshier), <c>x = m · 2^e</c> with <c>m ∈ [√½, √2)</c>,
/// <c>ln x = e·ln 2 + f - f²/2 + f³·P(f)</c>, <c>f = m - 1</c>, P of degree 8, ln 2 split in two
/// parts; within 2 ulp of the exact value. Double: fdlibm's <c>__ieee754_log</c>,
/// <c>s = f / (2 + f)</c>, <c>ln(1 + f) = 2 atanh s</c> as <c>f - (f²/2 - s (f²/2 + R(s²)))</c>
/// with R of degree 7; within 1 ulp. Both require a positive, normal, finite argument, which the
/// polar method guarantees (<c>s &gt;= 2^-46</c> in float, <c>2^-106</c> in double).</para>
/// </remarks>
public static class PolarTransform
{
    // Cephes logf.
    private const float P0 = 7.0376836292E-2f, P1 = -1.1514610310E-1f, P2 = 1.1676998740E-1f;
    private const float P3 = -1.2420140846E-1f, P4 = 1.4249322787E-1f, P5 = -1.6668057665E-1f;
    private const float P6 = 2.0000714765E-1f, P7 = -2.4999993993E-1f, P8 = 3.3333331174E-1f;
    private const float Ln2HighF = 0.693359375f, Ln2LowF = -2.12194440e-4f;
    private const int SqrtHalfBitsF = 0x3F3504F3; // √½ rounded to float

    // fdlibm __ieee754_log.
    private const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;
    private const double Ln2High = 6.93147180369123816490e-01, Ln2Low = 1.90821492927058770002e-10;
    private const long SqrtHalfBits = 0x3FE6A09E667F3BCD; // √½ rounded to double

    /// <summary><c>s[p] &lt;- sd · sqrt(-2 ln s[p] / s[p])</c> for every p, on <paramref name="path"/>.</summary>
    /// <param name="s">The accepted <c>s = v1² + v2²</c> of the polar method, each a normal number in (0, 1]; overwritten by the radii.</param>
    /// <param name="sd">Standard deviation of the Gaussian samples; finite and not negative.</param>
    /// <param name="path">Instruction-set path; the bits are the same on every path.</param>
    /// <exception cref="ArgumentOutOfRangeException">An element of <paramref name="s"/> is not a normal number in (0, 1], or <paramref name="sd"/> is negative or not finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not supported by this machine.</exception>
    /// <remarks>Allocates nothing. A Gaussian pair is then <c>(v1, v2) · radius</c>.</remarks>
    public static void Radius(Span<float> s, float sd, KernelPath path) => Radius<float>(s, sd, path);

    /// <inheritdoc cref="Radius(Span{float}, float, KernelPath)"/>
    public static void Radius(Span<double> s, double sd, KernelPath path) => Radius<double>(s, sd, path);

    private static void Radius<T>(Span<T> s, T sd, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate<T>(s, sd, path);
        ref T s0 = ref MemoryMarshal.GetReference(s);
        int n = s.Length;
        int p = 0;
        T minusTwo = T.CreateTruncating(-2);
        if (path == KernelPath.Vector512 && Vector512.IsHardwareAccelerated)
        {
            for (; p + Vector512<T>.Count <= n; p += Vector512<T>.Count)
            {
                ref T at = ref Unsafe.Add(ref s0, p);
                Vector512<T> x = Vector512.LoadUnsafe(ref at);
                Vector512<T> log = typeof(T) == typeof(float) ? Log(x.AsSingle()).As<float, T>() : Log(x.AsDouble()).As<double, T>();
                (Vector512.Sqrt(log * minusTwo / x) * sd).StoreUnsafe(ref at);
            }
        }
        else if (path != KernelPath.Scalar && Vector256.IsHardwareAccelerated)
        {
            for (; p + Vector256<T>.Count <= n; p += Vector256<T>.Count)
            {
                ref T at = ref Unsafe.Add(ref s0, p);
                Vector256<T> x = Vector256.LoadUnsafe(ref at);
                Vector256<T> log = typeof(T) == typeof(float) ? Log(x.AsSingle()).As<float, T>() : Log(x.AsDouble()).As<double, T>();
                (Vector256.Sqrt(log * minusTwo / x) * sd).StoreUnsafe(ref at);
            }
        }

        for (; p < n; p++)
        {
            ref T at = ref Unsafe.Add(ref s0, p);
            T x = at;
            T log = typeof(T) == typeof(float) ? T.CreateTruncating(Log(float.CreateTruncating(x))) : T.CreateTruncating(Log(double.CreateTruncating(x)));
            at = T.Sqrt(log * minusTwo / x) * sd;
        }
    }

    private static void Validate<T>(ReadOnlySpan<T> s, T sd, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Check.PathSupported(path, nameof(path));
        Check.FiniteNonNegative(sd, nameof(sd));
        int p = typeof(T) == typeof(float)
            ? FirstOutside(MemoryMarshal.Cast<T, uint>(s), MinNormalBitsF, OneBitsF - MinNormalBitsF)
            : FirstOutside(MemoryMarshal.Cast<T, ulong>(s), MinNormalBits, OneBits - MinNormalBits);
        if (p >= 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Interval($"{nameof(s)}[{p}]", double.CreateTruncating(s[p]), "(0, 1] and normal");
        }
    }

    private const uint MinNormalBitsF = 0x00800000, OneBitsF = 0x3F800000;
    private const ulong MinNormalBits = 0x0010000000000000, OneBits = 0x3FF0000000000000;

    /// <summary>
    /// The index of the first of <paramref name="bits"/> outside <c>[low, low + width]</c> as unsigned
    /// integers, or -1: for the bits of a float or double, with low the smallest normal and low + width
    /// one, exactly the values that are not normal numbers in (0, 1] (zero and subnormals lie below;
    /// negatives, with the sign bit, values above one, infinities and NaNs above).
    /// </summary>
    /// <remarks>
    /// One wrapping subtraction and one unsigned compare per element, a vector at a time. The sampler
    /// calls <see cref="Radius(Span{float}, float, KernelPath)"/> once per 128 pairs, and the scalar
    /// test per element (IsNormal and two compares) cost a third of the radius itself.
    /// </remarks>
    private static int FirstOutside<TBits>(ReadOnlySpan<TBits> bits, TBits low, TBits width)
        where TBits : unmanaged, IBinaryInteger<TBits>, IUnsignedNumber<TBits>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var lowVector = new Vector<TBits>(low);
            var widthVector = new Vector<TBits>(width);
            for (; i + Vector<TBits>.Count <= bits.Length; i += Vector<TBits>.Count)
            {
                if (Vector.GreaterThanAny(new Vector<TBits>(bits[i..]) - lowVector, widthVector))
                {
                    break; // the scalar loop finds which
                }
            }
        }

        for (; i < bits.Length; i++)
        {
            if (bits[i] - low > width)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Natural logarithm of a positive, normal, finite float (Cephes logf).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Log(float x)
    {
        // m = x·2^-e in [√½, √2): subtracting √½'s bits makes the exponent field e exactly.
        int bits = BitConverter.SingleToInt32Bits(x);
        int e = (bits - SqrtHalfBitsF) >> 23;
        float f = BitConverter.Int32BitsToSingle(bits - (e << 23)) - 1f;
        float fe = e;
        float z = f * f;
        float p = MathF.FusedMultiplyAdd(P0, f, P1);
        p = MathF.FusedMultiplyAdd(p, f, P2);
        p = MathF.FusedMultiplyAdd(p, f, P3);
        p = MathF.FusedMultiplyAdd(p, f, P4);
        p = MathF.FusedMultiplyAdd(p, f, P5);
        p = MathF.FusedMultiplyAdd(p, f, P6);
        p = MathF.FusedMultiplyAdd(p, f, P7);
        p = MathF.FusedMultiplyAdd(p, f, P8);
        float y = p * f * z;
        y = MathF.FusedMultiplyAdd(fe, Ln2LowF, y);
        y = MathF.FusedMultiplyAdd(-0.5f, z, y);
        return MathF.FusedMultiplyAdd(fe, Ln2HighF, f + y);
    }

    /// <inheritdoc cref="Log(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Log(Vector512<float> x)
    {
        Vector512<int> bits = x.AsInt32();
        Vector512<int> e = Vector512.ShiftRightArithmetic(bits - Vector512.Create(SqrtHalfBitsF), 23);
        Vector512<float> f = (bits - Vector512.ShiftLeft(e, 23)).AsSingle() - Vector512<float>.One;
        Vector512<float> fe = Vector512.ConvertToSingle(e);
        Vector512<float> z = f * f;
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), f, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P6));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P7));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(P8));
        Vector512<float> y = p * f * z;
        y = Vector512.FusedMultiplyAdd(fe, Vector512.Create(Ln2LowF), y);
        y = Vector512.FusedMultiplyAdd(Vector512.Create(-0.5f), z, y);
        return Vector512.FusedMultiplyAdd(fe, Vector512.Create(Ln2HighF), f + y);
    }

    /// <inheritdoc cref="Log(float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Log(Vector256<float> x)
    {
        Vector256<int> bits = x.AsInt32();
        Vector256<int> e = Vector256.ShiftRightArithmetic(bits - Vector256.Create(SqrtHalfBitsF), 23);
        Vector256<float> f = (bits - Vector256.ShiftLeft(e, 23)).AsSingle() - Vector256<float>.One;
        Vector256<float> fe = Vector256.ConvertToSingle(e);
        Vector256<float> z = f * f;
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), f, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(P6));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(P7));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(P8));
        Vector256<float> y = p * f * z;
        y = Vector256.FusedMultiplyAdd(fe, Vector256.Create(Ln2LowF), y);
        y = Vector256.FusedMultiplyAdd(Vector256.Create(-0.5f), z, y);
        return Vector256.FusedMultiplyAdd(fe, Vector256.Create(Ln2HighF), f + y);
    }

    /// <summary>Natural logarithm of a positive, normal, finite double (fdlibm __ieee754_log).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Log(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        long e = (bits - SqrtHalfBits) >> 52;
        double f = BitConverter.Int64BitsToDouble(bits - (e << 52)) - 1.0;
        double de = e;
        double s = f / (2.0 + f);
        double z = s * s;
        double w = z * z;
        double t1 = w * Math.FusedMultiplyAdd(w, Math.FusedMultiplyAdd(w, Lg6, Lg4), Lg2);
        double t2 = z * Math.FusedMultiplyAdd(w, Math.FusedMultiplyAdd(w, Math.FusedMultiplyAdd(w, Lg7, Lg5), Lg3), Lg1);
        double r = t2 + t1;
        double halfSquare = 0.5 * f * f;
        double inner = Math.FusedMultiplyAdd(s, halfSquare + r, de * Ln2Low);
        return Math.FusedMultiplyAdd(de, Ln2High, -((halfSquare - inner) - f));
    }

    /// <inheritdoc cref="Log(double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Log(Vector512<double> x)
    {
        Vector512<long> bits = x.AsInt64();
        Vector512<long> e = Vector512.ShiftRightArithmetic(bits - Vector512.Create(SqrtHalfBits), 52);
        Vector512<double> f = (bits - Vector512.ShiftLeft(e, 52)).AsDouble() - Vector512<double>.One;
        Vector512<double> de = Vector512.ConvertToDouble(e);
        Vector512<double> s = f / (Vector512.Create(2.0) + f);
        Vector512<double> z = s * s;
        Vector512<double> w = z * z;
        Vector512<double> t1 = w * Vector512.FusedMultiplyAdd(w,
            Vector512.FusedMultiplyAdd(w, Vector512.Create(Lg6), Vector512.Create(Lg4)), Vector512.Create(Lg2));
        Vector512<double> t2 = z * Vector512.FusedMultiplyAdd(w, Vector512.FusedMultiplyAdd(w,
            Vector512.FusedMultiplyAdd(w, Vector512.Create(Lg7), Vector512.Create(Lg5)), Vector512.Create(Lg3)),
            Vector512.Create(Lg1));
        Vector512<double> r = t2 + t1;
        Vector512<double> halfSquare = Vector512.Create(0.5) * f * f;
        Vector512<double> inner = Vector512.FusedMultiplyAdd(s, halfSquare + r, de * Ln2Low);
        return Vector512.FusedMultiplyAdd(de, Vector512.Create(Ln2High), -((halfSquare - inner) - f));
    }

    /// <inheritdoc cref="Log(double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> Log(Vector256<double> x)
    {
        Vector256<long> bits = x.AsInt64();
        Vector256<long> e = Vector256.ShiftRightArithmetic(bits - Vector256.Create(SqrtHalfBits), 52);
        Vector256<double> f = (bits - Vector256.ShiftLeft(e, 52)).AsDouble() - Vector256<double>.One;
        Vector256<double> de = Vector256.ConvertToDouble(e);
        Vector256<double> s = f / (Vector256.Create(2.0) + f);
        Vector256<double> z = s * s;
        Vector256<double> w = z * z;
        Vector256<double> t1 = w * Vector256.FusedMultiplyAdd(w,
            Vector256.FusedMultiplyAdd(w, Vector256.Create(Lg6), Vector256.Create(Lg4)), Vector256.Create(Lg2));
        Vector256<double> t2 = z * Vector256.FusedMultiplyAdd(w, Vector256.FusedMultiplyAdd(w,
            Vector256.FusedMultiplyAdd(w, Vector256.Create(Lg7), Vector256.Create(Lg5)), Vector256.Create(Lg3)),
            Vector256.Create(Lg1));
        Vector256<double> r = t2 + t1;
        Vector256<double> halfSquare = Vector256.Create(0.5) * f * f;
        Vector256<double> inner = Vector256.FusedMultiplyAdd(s, halfSquare + r, de * Ln2Low);
        return Vector256.FusedMultiplyAdd(de, Vector256.Create(Ln2High), -((halfSquare - inner) - f));
    }
}
