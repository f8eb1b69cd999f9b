namespace NgdKernel.LinearAlgebra;

/// <summary>
/// An owned dense matrix, [rows, columns], row-major and contiguous (row stride = columns, pitch 0),
/// over an array on the pinned object heap, so its address never changes and native code or
/// kernels may hold pointers into it.
/// </summary>
/// <typeparam name="T">Element type, usually <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>Allocated once in the constructor; every member afterwards allocates nothing.</remarks>
public sealed class Matrix<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] storage;

    /// <summary>Creates a zero-filled matrix.</summary>
    /// <param name="rows">Number of rows, at least 0.</param>
    /// <param name="columns">Number of columns, at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="columns"/> is negative.</exception>
    /// <exception cref="ArgumentException">rows × columns exceeds the maximum array length.</exception>
    public Matrix(int rows, int columns)
    {
        Check.NonNegative(rows, nameof(rows));
        Check.NonNegative(columns, nameof(columns));
        long length = (long)rows * columns;
        if (length > Array.MaxLength)
        {
            ThrowHelper.ThrowArgument_TooLarge(nameof(columns), length);
        }

        storage = GC.AllocateArray<T>((int)length, pinned: true);
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>A writable [Rows, Columns] view (pitch 0).</summary>
    public Span2D<T> Span => new(storage, Rows, Columns);

    /// <summary>A read-only [Rows, Columns] view (pitch 0).</summary>
    public ReadOnlySpan2D<T> ReadOnlySpan => new(storage, Rows, Columns);

    /// <summary>The element at row <paramref name="row"/>, column <paramref name="column"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the matrix.</exception>
    public ref T this[int row, int column]
    {
        get
        {
            if ((uint)row >= (uint)Rows)
            {
                ThrowHelper.ThrowArgumentOutOfRange(nameof(row), row, $"'row' is {row}: it must be in [0, {Rows}).");
            }

            if ((uint)column >= (uint)Columns)
            {
                ThrowHelper.ThrowArgumentOutOfRange(
                    nameof(column), column, $"'column' is {column}: it must be in [0, {Columns}).");
            }

            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(storage), (row * Columns) + column);
        }
    }

    /// <summary>All Rows × Columns elements, row after row.</summary>
    public Span<T> AsSpan() => storage;

    /// <summary>Copies every element into <paramref name="destination"/>, which must have the same shape.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has another shape.</exception>
    public void CopyTo(Matrix<T> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Check.DestinationShape(
            new MatrixShape(destination.Rows, destination.Columns), new MatrixShape(Rows, Columns),
            nameof(destination), "source", new MatrixShape(Rows, Columns));
        storage.AsSpan().CopyTo(destination.storage);
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => storage.AsSpan().Clear();

    /// <inheritdoc/>
    public override string ToString() => $"Matrix<{typeof(T).Name}>[{Rows}, {Columns}]";
}
