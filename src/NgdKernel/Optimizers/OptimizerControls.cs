namespace NgdKernel.Optimizers;

/// <summary>How <see cref="NaturalGradientOptimizer{T}"/> puts the damping <c>lambda</c> on the two covariances of Eq. 20.</summary>
public enum DampingForm
{
    /// <summary>
    /// The paper's form: <c>sqrt(lambda) I</c> on both, <c>(LambdaT + sqrt(lambda) I)^-1 G (Lambda + sqrt(lambda) I)^-1</c>.
    /// Not invariant to a rescaling of the output covariance <c>SigmaT</c>, which rescales <c>LambdaT</c> alone.
    /// </summary>
    Paper = 0,

    /// <summary>
    /// Factored ("pi") damping as in K-FAC (Martens and Grosse 2015, Sec. 6.3): per layer
    /// <c>pi = sqrt((tr(Lambda) / a) / (tr(LambdaT) / b))</c> for an <c>[a, a]</c> input and <c>[b, b]</c>
    /// error covariance, then <c>Lambda + pi sqrt(lambda) I</c> and <c>LambdaT + (sqrt(lambda) / pi) I</c>.
    /// The product of the two damping terms is still <c>lambda</c>; rescaling <c>SigmaT</c> by <c>c</c> scales
    /// <c>LambdaT</c> and <c>G</c> by <c>1/c</c> and <c>pi</c> by <c>sqrt(c)</c>, so with <c>lambda</c> scaled by
    /// <c>1/c</c> (it is in the units of the Fisher) the step is unchanged. Cholesky inverses only.
    /// </summary>
    Factored = 1,
}

/// <summary>
/// The training controls both optimizers share: learning-rate schedule, decoupled weight decay and
/// frozen layers. Holds no state of its own (the schedule reads the optimizer's step count).
/// </summary>
internal sealed class OptimizerControls
{
    private readonly bool[] _frozen;

    public OptimizerControls(int layerCount, LearningRateSchedule? schedule, double weightDecay, IReadOnlyList<int>? frozenLayers)
    {
        Schedule = schedule;
        WeightDecay = weightDecay;
        _frozen = new bool[layerCount];
        foreach (int layer in frozenLayers ?? [])
        {
            if (layer >= layerCount)
            {
                throw new ArgumentOutOfRangeException("FrozenLayers", layer, string.Create(CultureInfo.InvariantCulture,
                    $"'FrozenLayers' holds layer {layer} but the network has {layerCount} layers (0 .. {layerCount - 1})."));
            }

            _frozen[layer] = true;
            AnyFrozen = true;
        }
    }

    public LearningRateSchedule? Schedule { get; }

    public double WeightDecay { get; }

    public bool AnyFrozen { get; }

    public bool IsFrozen(int layer) => _frozen[layer];

    /// <summary>The trained (not frozen) layers in increasing order; a struct enumerator, so <c>foreach</c> allocates nothing.</summary>
    public TrainedLayerEnumerator TrainedLayers => new(_frozen);

    /// <summary>Enumerates the indices of the layers that are not frozen.</summary>
    internal struct TrainedLayerEnumerator(bool[] frozen)
    {
        private int _layer = -1;

        public readonly int Current => _layer;

        public readonly TrainedLayerEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            do
            {
                _layer++;
            }
            while (_layer < frozen.Length && frozen[_layer]);

            return _layer < frozen.Length;
        }
    }

    /// <summary>The learning rate of the step after <paramref name="stepCount"/> steps (exactly <paramref name="baseRate"/> without a schedule).</summary>
    public double RateAt(long stepCount, double baseRate) => Schedule is null ? baseRate : Schedule.RateAt(stepCount, baseRate);

    /// <summary>
    /// Decoupled weight decay (Loshchilov and Hutter 2019): <c>W -= rate * WeightDecay * W_before</c> on
    /// every trained layer, with <c>W_before</c> the weights before this step's update, so that the step is
    /// <c>W_before (1 - rate wd) + update</c> whatever the update was. Biases decay with the weights.
    /// </summary>
    public void Decay<T>(Network<T> network, Matrix<T>[] before, double rate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (WeightDecay == 0)
        {
            return;
        }

        T factor = T.CreateChecked(-rate * WeightDecay);
        foreach (int l in TrainedLayers)
        {
            Span<T> w = network.WeightMatrix(l).AsSpan();
            TensorPrimitives.MultiplyAdd<T>(before[l].AsSpan(), factor, w, w);
        }
    }

    /// <summary>Checks the options the two optimizers share; messages name the option and value.</summary>
    public static void Validate(double weightDecay, IReadOnlyList<int>? frozenLayers)
    {
        if (!double.IsFinite(weightDecay) || !(weightDecay >= 0))
        {
            throw NaturalGradientOptions.Range("WeightDecay", weightDecay, "it must be finite and >= 0");
        }

        if (frozenLayers is null)
        {
            return;
        }

        for (int i = 0; i < frozenLayers.Count; i++)
        {
            int layer = frozenLayers[i];
            if (layer < 0)
            {
                throw NaturalGradientOptions.Range("FrozenLayers", layer, "a layer index must be >= 0");
            }

            for (int j = 0; j < i; j++)
            {
                if (frozenLayers[j] == layer)
                {
                    throw NaturalGradientOptions.Range("FrozenLayers", layer, "it is listed twice");
                }
            }
        }
    }
}
