namespace NgdKernel.Densities;

/// <summary>
/// What a <see cref="Network{T}"/> needs of its output density <c>p(y | x_L)</c>: the loss and the output
/// error for given targets, errors of targets sampled from the model (Eq. 20), the columns of a square
/// root of the output Fisher (the exact expectation over <c>y</c> of those sampled errors' covariance),
/// predictions and the count of correct predictions.
/// </summary>
/// <remarks>
/// <para>Errors are written before the output activation's derivative, which the network applies
/// afterwards: <c>e_L = -dloss/dx_L</c>, the paper's sign (<c>y - x_L</c> for the Gaussian).</para>
/// <para>The output Fisher <c>F = E_y[e e^T]</c> has a square root <c>R</c> (<c>F = R R^T</c>) whose n_L
/// columns, back-propagated like errors, give the error covariance of Eq. 20 without sampling noise:
/// <c>&lt;e_i e_i^T&gt; = &lt;sum_j r_ij r_ij^T&gt;</c>.</para>
/// <para>Every method works row by row into the workspace and allocates nothing.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
internal abstract class OutputLikelihood<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The density this object implements.</summary>
    public abstract OutputDensity Density { get; }

    /// <summary>The likelihood of <paramref name="options"/>'s density for a network with <paramref name="outputWidth"/> outputs.</summary>
    public static OutputLikelihood<T> Create(NetworkOptions options, int outputWidth) => options.OutputDensity switch
    {
        OutputDensity.Categorical => new CategoricalLikelihood<T>(),
        OutputDensity.Bernoulli => new BernoulliLikelihood<T>(),
        _ => new GaussianLikelihood<T>(options.OutputCovariance, outputWidth),
    };

    /// <summary>Whether targets of <paramref name="width"/> columns fit a network of <paramref name="outputWidth"/> outputs.</summary>
    public virtual bool AcceptsWidth(int width, int outputWidth) => width == outputWidth;

    /// <summary>The target widths <see cref="AcceptsWidth"/> takes, for error messages.</summary>
    public virtual string TargetWidths(int outputWidth) =>
        string.Create(CultureInfo.InvariantCulture, $"n_L = {outputWidth} columns");

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the row and column of the first target this
    /// density cannot take; shape and finiteness are already checked.
    /// </summary>
    public virtual void CheckTargetValues(ReadOnlySpan2D<T> targets, int outputWidth, string paramName)
    {
    }

    /// <summary>
    /// Loss and mean squared error of the output rows <c>[0, targets.Height)</c> of
    /// <paramref name="workspace"/>; when <paramref name="computeErrors"/>, the output error
    /// <c>-dloss/dx_L</c> of each example into the same rows of <c>Errors[L-1]</c>.
    /// </summary>
    public abstract LossValues Loss(Network<T> network, ReadOnlySpan2D<T> targets, NetworkWorkspace<T> workspace, bool computeErrors);

    /// <summary>
    /// Rows <c>[offset, offset + rows)</c> of <paramref name="errors"/> get the output errors of targets
    /// drawn from the model for output rows <c>[0, rows)</c>.
    /// </summary>
    public abstract void Sample(Network<T> network, ref Xoshiro256 rng, NetworkWorkspace<T> workspace, Matrix<T> errors,
        int offset, int rows);

    /// <summary>
    /// Rows <c>[offset, offset + rows)</c> of <paramref name="errors"/> get <paramref name="scale"/>
    /// times column <paramref name="column"/> of a square root of each example's output Fisher.
    /// </summary>
    public abstract void FisherColumn(Network<T> network, NetworkWorkspace<T> workspace, Matrix<T> errors, int offset, int rows,
        int column, T scale);

    /// <summary>
    /// The density's mean for output rows <c>[0, rows)</c>: <c>x_L</c> itself (Gaussian) or the
    /// probabilities (written into the workspace's difference buffer).
    /// </summary>
    public abstract ReadOnlySpan2D<T> Predict(Network<T> network, NetworkWorkspace<T> workspace, int rows);

    /// <summary>
    /// Correct predictions among <paramref name="predictions"/> (from <see cref="Predict"/>) against
    /// <paramref name="targets"/>, and how many were judged: examples whose most probable class (or
    /// largest output) is the target's, or for Bernoulli outputs the components on the right side of 1/2.
    /// </summary>
    public abstract (long Correct, long Total) CountCorrect(ReadOnlySpan2D<T> predictions, ReadOnlySpan2D<T> targets);

    /// <summary>Index of the largest value (the first on ties).</summary>
    protected static int ArgMax(ReadOnlySpan<T> values)
    {
        int best = 0;
        for (int j = 1; j < values.Length; j++)
        {
            if (values[j] > values[best])
            {
                best = j;
            }
        }

        return best;
    }

    /// <summary>The exception for a target value a density does not accept.</summary>
    protected static ArgumentException BadTarget(string paramName, int row, int column, T value, string rule) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"'{paramName}' holds {value} at row {row}, column {column}: {rule}."), paramName);
}
