namespace NgdKernel.Networks;

/// <summary>
/// The output density <c>p(y | x_L)</c> of a <see cref="Network{T}"/>: it defines the loss (the
/// negative log-likelihood), the output error of Eq. 8 and the targets the sampled backward passes of
/// Eq. 20 draw from the model.
/// </summary>
/// <remarks>
/// <para>The Fisher is the expectation of <c>g g^T</c> with <c>y</c> drawn from the model, so the
/// paper's method carries over to any density: only the loss, the output error
/// <c>e_L = -dloss/dx_L</c> (before <c>phi'_L</c>) and the sampler change.</para>
/// <list type="table">
/// <listheader><term>density</term><description>loss per example; <c>e_L</c>; output Fisher; sampler</description></listheader>
/// <item><term><see cref="Gaussian"/></term><description><c>0.5 (y - x)^T S (y - x)</c>, <c>S = SigmaT^-1</c>;
/// <c>S (y - x)</c>; <c>S</c>; <c>y = x + chol(SigmaT) z</c></description></item>
/// <item><term><see cref="Categorical"/></term><description><c>-log p_y</c>, <c>p = softmax(x)</c>
/// (log-sum-exp); <c>onehot(y) - p</c>; <c>diag(p) - p p^T</c>; <c>y ~ Cat(p)</c></description></item>
/// <item><term><see cref="Bernoulli"/></term><description><c>-sum_j [y_j log p_j + (1 - y_j) log(1 - p_j)]</c>,
/// <c>p = sigmoid(x)</c>; <c>y - p</c>; <c>diag(p (1 - p))</c>; <c>y_j ~ Bern(p_j)</c></description></item>
/// </list>
/// <para>The density reads the network's output <c>x_L</c> as its parameter (mean, or logits):
/// give the last layer <see cref="Activation.Identity"/> for softmax and logistic outputs.</para>
/// </remarks>
public enum OutputDensity
{
    /// <summary>
    /// <c>N(x_L, SigmaT)</c> with <see cref="NetworkOptions.OutputCovariance"/> (paper Eq. 2, 6); targets
    /// <c>[batch, n_L]</c> of any finite values. The default.
    /// </summary>
    Gaussian = 0,

    /// <summary>
    /// Softmax over the <c>n_L &gt;= 2</c> outputs, cross-entropy loss. Targets are either class labels
    /// <c>[batch, 1]</c> (integers <c>0 .. n_L - 1</c> stored as numbers) or class probabilities
    /// <c>[batch, n_L]</c> (one-hot, or soft labels: non-negative), for which the loss is
    /// <c>-sum_j y_j log p_j</c> and the output error <c>y - (sum_j y_j) p</c>.
    /// </summary>
    Categorical = 1,

    /// <summary>
    /// Independent logistic outputs (multi-label), binary cross-entropy summed over the <c>n_L</c>
    /// outputs. Targets <c>[batch, n_L]</c> in <c>[0, 1]</c>.
    /// </summary>
    Bernoulli = 2,
}
