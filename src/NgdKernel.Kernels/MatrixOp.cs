namespace NgdKernel.Kernels;

/// <summary>How a kernel reads an operand: as stored, or transposed (BLAS's <c>trans</c> argument).</summary>
public enum MatrixOp
{
    /// <summary>Use the operand as stored: <c>op(A) = A</c>.</summary>
    None = 0,

    /// <summary>Use the transpose of the operand: <c>op(A) = A^T</c>.</summary>
    Transpose = 1,
}
