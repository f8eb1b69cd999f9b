namespace NgdKernel.Kernels;

/// <summary>On which side of the unknown a triangular matrix stands (BLAS's <c>side</c>).</summary>
public enum TrsmSide
{
    /// <summary><c>op(T)·X = B</c>: B is <c>[n, m]</c>.</summary>
    Left = 0,

    /// <summary><c>X·op(T) = B</c>: B is <c>[m, n]</c>.</summary>
    Right = 1,
}

/// <summary>Which triangle of the matrix holds T (BLAS's <c>uplo</c>); the other is never read.</summary>
public enum TrsmTriangle
{
    /// <summary>T is lower triangular: elements <c>j &lt;= i</c> are read.</summary>
    Lower = 0,

    /// <summary>T is upper triangular: elements <c>j &gt;= i</c> are read.</summary>
    Upper = 1,
}
