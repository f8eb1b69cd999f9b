namespace NgdKernel.Kernels.Internals;

/// <summary>
/// A [rows, columns] pair as stored, formatted as <c>rows×columns</c> for error messages;
/// <see cref="Transposed"/> only adds " (used transposed)" to the text.
/// </summary>
internal readonly record struct MatrixShape(int Rows, int Columns, bool Transposed = false)
{
    /// <summary>Rows of the operand as the kernel uses it (after the op).</summary>
    public int OpRows => Transposed ? Columns : Rows;

    /// <summary>Columns of the operand as the kernel uses it (after the op).</summary>
    public int OpColumns => Transposed ? Rows : Columns;

    /// <summary>Whether two shapes have the same rows and columns (the op flag is ignored).</summary>
    public bool SameSize(MatrixShape other) => Rows == other.Rows && Columns == other.Columns;

    public override string ToString() => Transposed ? $"{Rows}×{Columns} (used transposed)" : $"{Rows}×{Columns}";
}
