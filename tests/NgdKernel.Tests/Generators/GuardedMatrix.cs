using System.Runtime.CompilerServices;
using FsCheck;
using FsCheck.Fluent;

namespace NgdKernel.Tests.Generators;

/// <summary>
/// Where a [Rows, Columns] view sits in its buffer: <see cref="Offset"/> guard cells before it,
/// <see cref="Pitch"/> guard cells after each row (the Toolkit's pitch: row stride = Columns + Pitch)
/// and <see cref="Tail"/> after the last row. <see cref="Seed"/> fixes the values. A plain record, so
/// FsCheck prints it and replays it, and one layout serves float and double.
/// </summary>
public sealed record ViewLayout(int Rows, int Columns, int Pitch, int Offset, int Tail, int Seed)
{
    /// <summary>A compact view (no pitch, no guards).</summary>
    public static ViewLayout Dense(int rows, int columns, int seed = 0) => new(rows, columns, 0, 0, 0, seed);

    /// <summary>Layouts for a [rows, columns] view: pitch 0 half the time, else 1..7; offset and tail 0..3.</summary>
    public static Gen<ViewLayout> For(int rows, int columns) =>
        from pitch in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(1, 7)))
        from offset in Gen.Choose(0, 3)
        from tail in Gen.Choose(0, 3)
        from seed in Gen.Choose(0, int.MaxValue)
        select new ViewLayout(rows, columns, pitch, offset, tail, seed);

    /// <summary>Builds the buffer: view cells uniform in [-1, 1), every other cell a guard NaN.</summary>
    public GuardedMatrix<T> Create<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new(this);

    /// <inheritdoc/>
    public override string ToString() => $"{Rows}×{Columns}(pitch {Pitch}, offset {Offset}, tail {Tail}, seed {Seed})";
}

/// <summary>
/// A strided view inside a buffer whose cells outside the view hold a NaN with a recognisable payload
/// (the BoundedMemory idea): after a kernel has run, <see cref="AssertGuardsUntouched"/> proves it wrote
/// nothing outside the view, and any read of a guard cell shows up as NaN in the result.
/// </summary>
public sealed class GuardedMatrix<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] buffer;
    private readonly bool[] inside;

    internal GuardedMatrix(ViewLayout layout)
    {
        Layout = layout;
        Stride = layout.Columns + layout.Pitch;
        int length = layout.Offset + (layout.Rows * Stride) + layout.Tail;
        buffer = new T[length];
        inside = new bool[length];
        buffer.AsSpan().Fill(Guard);
        var random = new Random(layout.Seed);
        for (int i = 0; i < layout.Rows; i++)
        {
            for (int j = 0; j < layout.Columns; j++)
            {
                int index = Index(i, j);
                buffer[index] = T.CreateTruncating((random.NextDouble() * 2) - 1);
                inside[index] = true;
            }
        }
    }

    /// <summary>The NaN written into every guard cell (quiet NaN, payload 0x5A5A…).</summary>
    public static T Guard { get; } = typeof(T) == typeof(float)
        ? Unsafe.BitCast<float, T>(BitConverter.Int32BitsToSingle(0x7FC5_A5A5))
        : Unsafe.BitCast<double, T>(BitConverter.Int64BitsToDouble(0x7FF8_A5A5_A5A5_A5A5));

    public ViewLayout Layout { get; }

    public int Rows => Layout.Rows;

    public int Columns => Layout.Columns;

    /// <summary>Distance between row starts (Columns + Pitch).</summary>
    public int Stride { get; }

    public Span2D<T> Span => new(buffer, Layout.Offset, Layout.Rows, Layout.Columns, Layout.Pitch);

    public ReadOnlySpan2D<T> ReadOnlySpan => Span;

    public T this[int row, int column]
    {
        get => buffer[Index(row, column)];
        set => buffer[Index(row, column)] = value;
    }

    /// <summary>A copy of the view's elements.</summary>
    public T[,] ToArray() => ReadOnlySpan.ToArray();

    /// <summary>Sets every view element (guards untouched), e.g. to NaN to prove a kernel does not read them.</summary>
    public void Fill(T value) => Span.Fill(value);

    /// <summary>Fails unless every guard cell still holds exactly <see cref="Guard"/>.</summary>
    public void AssertGuardsUntouched()
    {
        for (int index = 0; index < buffer.Length; index++)
        {
            if (!inside[index] && !BitEquals(buffer[index], Guard))
            {
                Assert.Fail($"Guard cell {index} of {Layout} was overwritten with {buffer[index]}.");
            }
        }
    }

    private int Index(int row, int column) => Layout.Offset + (row * Stride) + column;

    private static bool BitEquals(T x, T y) => typeof(T) == typeof(float)
        ? Unsafe.BitCast<T, int>(x) == Unsafe.BitCast<T, int>(y)
        : Unsafe.BitCast<T, long>(x) == Unsafe.BitCast<T, long>(y);
}
