namespace NgdKernel.Tests.Optimizers;

/// <summary>Helpers of <see cref="LayerCurvature{T}"/> that the step tests reach only at some shapes.</summary>
public sealed class LayerCurvatureTests
{
    public static TheoryData<int, int> Shapes { get; } = new() { { 1, 1 }, { 7, 3 }, { 8, 8 }, { 9, 17 }, { 17, 1 }, { 33, 32 }, { 101, 50 } };

    /// <summary>
    /// The transpose behind the left-solve form of <c>G (Lambda + dI)^-1</c> is exact on strided views
    /// whose row counts are below, at and around the eight-row panel, and writes nothing outside the view.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Transpose_IsExact(int rows, int columns)
    {
        GuardedMatrix<float> source = new ViewLayout(rows, columns, 3, 2, 5, rows + columns).Create<float>();
        GuardedMatrix<float> destination = new ViewLayout(columns, rows, 2, 1, 3, 0).Create<float>();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                source.Span[r, c] = (r * 1000) + c;
            }
        }

        LayerCurvature<float>.Transpose(source.ReadOnlySpan, destination.Span);
        destination.AssertGuardsUntouched();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                Assert.Equal(source[r, c], destination[c, r]);
            }
        }
    }
}
