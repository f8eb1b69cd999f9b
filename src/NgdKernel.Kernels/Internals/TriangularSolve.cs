using System.Numerics;
using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;

namespace NgdKernel.Kernels.Internals;

/// <summary>
/// Triangular solves with a lower-triangular L (only its lower triangle is read) and many
/// right-hand sides, in place on B. Each variant is ordered so that its inner loop is a dot or
/// an axpy over contiguous rows: row-major B and L never need a strided walk.
/// </summary>
internal static class TriangularSolve
{
    /// <summary><c>B[n,m] &lt;- L⁻¹·B</c>: <c>b[i,:] = (b[i,:] - sum_{k&lt;i} l[i,k] b[k,:]) / l[i,i]</c>.</summary>
    public static void LowerLeft<T>(ReadOnlySpan2D<T> l, Span2D<T> b, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = l.Height, m = b.Width;
        nint ldl = StridedView.Stride(l), ldb = StridedView.Stride(b);
        ref T l0 = ref l.DangerousGetReference();
        ref T b0 = ref b.DangerousGetReference();
        for (int i = 0; i < n; i++)
        {
            ref T rowL = ref Unsafe.Add(ref l0, i * ldl);
            ref T rowB = ref Unsafe.Add(ref b0, i * ldb);
            for (int k = 0; k < i; k++)
            {
                Level1.Axpy(-Unsafe.Add(ref rowL, k), ref Unsafe.Add(ref b0, k * ldb), ref rowB, m, path);
            }

            Level1.Scale(T.One / Unsafe.Add(ref rowL, i), ref rowB, m, path);
        }
    }

    /// <summary><c>B[n,m] &lt;- L⁻ᵀ·B</c>: backward, <c>b[i,:] /= l[i,i]</c> then <c>b[k,:] -= l[i,k] b[i,:]</c> for k &lt; i.</summary>
    public static void LowerTransposeLeft<T>(ReadOnlySpan2D<T> l, Span2D<T> b, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = l.Height, m = b.Width;
        nint ldl = StridedView.Stride(l), ldb = StridedView.Stride(b);
        ref T l0 = ref l.DangerousGetReference();
        ref T b0 = ref b.DangerousGetReference();
        for (int i = n - 1; i >= 0; i--)
        {
            ref T rowL = ref Unsafe.Add(ref l0, i * ldl);
            ref T rowB = ref Unsafe.Add(ref b0, i * ldb);
            Level1.Scale(T.One / Unsafe.Add(ref rowL, i), ref rowB, m, path);
            for (int k = 0; k < i; k++)
            {
                Level1.Axpy(-Unsafe.Add(ref rowL, k), ref rowB, ref Unsafe.Add(ref b0, k * ldb), m, path);
            }
        }
    }

    /// <summary>
    /// <c>B[m,n] &lt;- B·L⁻¹</c>: per row x of B, <c>x·L = b</c> backward:
    /// <c>x[j] = b[j] / l[j,j]</c>, then <c>b[0:j] -= x[j] · l[j,0:j]</c>.
    /// </summary>
    public static void LowerRight<T>(ReadOnlySpan2D<T> l, Span2D<T> b, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = l.Height, m = b.Height;
        nint ldl = StridedView.Stride(l), ldb = StridedView.Stride(b);
        ref T l0 = ref l.DangerousGetReference();
        ref T b0 = ref b.DangerousGetReference();
        for (int r = 0; r < m; r++)
        {
            ref T x = ref Unsafe.Add(ref b0, r * ldb);
            for (int j = n - 1; j >= 0; j--)
            {
                ref T rowL = ref Unsafe.Add(ref l0, j * ldl);
                T xj = Unsafe.Add(ref x, j) / Unsafe.Add(ref rowL, j);
                Unsafe.Add(ref x, j) = xj;
                Level1.Axpy(-xj, ref rowL, ref x, j, path);
            }
        }
    }

    /// <summary>
    /// <c>B[m,n] &lt;- B·L⁻ᵀ</c>: per row y of B, <c>y·Lᵀ = b</c> forward:
    /// <c>y[j] = (b[j] - l[j,0:j]·y[0:j]) / l[j,j]</c>.
    /// </summary>
    public static void LowerTransposeRight<T>(ReadOnlySpan2D<T> l, Span2D<T> b, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = l.Height, m = b.Height;
        nint ldl = StridedView.Stride(l), ldb = StridedView.Stride(b);
        ref T l0 = ref l.DangerousGetReference();
        ref T b0 = ref b.DangerousGetReference();
        for (int r = 0; r < m; r++)
        {
            ref T y = ref Unsafe.Add(ref b0, r * ldb);
            for (int j = 0; j < n; j++)
            {
                ref T rowL = ref Unsafe.Add(ref l0, j * ldl);
                Unsafe.Add(ref y, j) = (Unsafe.Add(ref y, j) - Level1.Dot(ref rowL, ref y, j, path)) / Unsafe.Add(ref rowL, j);
            }
        }
    }
}
