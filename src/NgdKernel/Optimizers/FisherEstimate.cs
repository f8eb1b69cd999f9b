namespace NgdKernel.Optimizers;

/// <summary>How <see cref="NaturalGradientOptimizer{T}"/> estimates the error covariances <c>LambdaT_i</c> of Eq. 20.</summary>
public enum FisherEstimate
{
    /// <summary>
    /// K backward passes of targets sampled from the model, <c>y ~ p(y | x_L)</c>
    /// (<see cref="NaturalGradientOptions.SampleCount"/>), as the paper does: a Monte-Carlo estimate whose
    /// error falls as <c>K^-1/2</c>.
    /// </summary>
    Sampled = 0,

    /// <summary>
    /// The exact expectation over <c>y</c>: per example, the n_L columns of a square root of the output
    /// Fisher (categorical: <c>sqrt(p_j) (e_j - p)</c>, Bernoulli: <c>sqrt(p_j (1 - p_j)) e_j</c>,
    /// Gaussian: the columns of <c>chol(SigmaT^-1)</c>) are back-propagated in place of the K sampled
    /// errors, so the error covariance has no sampling noise. It costs what K = n_L samples cost, so it
    /// suits small output layers (classification); <see cref="NaturalGradientOptions.SampleCount"/> is
    /// then ignored.
    /// </summary>
    Exact = 1,
}
