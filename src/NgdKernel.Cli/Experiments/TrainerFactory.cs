using System.Numerics;
using CommunityToolkit.HighPerformance;
using NgdKernel.Data;

namespace NgdKernel.Cli.Experiments;

/// <summary>Builds the trainer of one optimizer run (temporary plain-loop stand-in until the library API is merged).</summary>
internal static class TrainerFactory
{
    public static ITrainer<T> Create<T>(ExperimentSettings settings, string optimizer, double learningRate, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        _ = optimizer;
        return new StandInTrainer<T>(settings, learningRate, batch);
    }

    private sealed class StandInTrainer<T> : ITrainer<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly double[] weights;
        private readonly int nIn;
        private readonly int nOut;
        private readonly double rate;
        private readonly double variance;

        public StandInTrainer(ExperimentSettings settings, double learningRate, int batch)
        {
            nIn = settings.Spec.Widths[0];
            nOut = settings.Spec.Widths[^1];
            weights = new double[nIn * nOut];
            rate = learningRate;
            variance = settings.Spec.NoiseVariance;
            BatchSize = batch;
        }

        public int BatchSize { get; }

        public double? Damping => null;

        public void Step(ReadOnlySpan2D<T> inputs, ReadOnlySpan2D<T> targets)
        {
            var grad = new double[weights.Length];
            for (int r = 0; r < inputs.Height; r++)
            {
                for (int j = 0; j < nOut; j++)
                {
                    double p = 0;
                    for (int k = 0; k < nIn; k++)
                    {
                        p += weights[(j * nIn) + k] * double.CreateChecked(inputs[r, k]);
                    }

                    double e = (double.CreateChecked(targets[r, j]) - p) / variance;
                    for (int k = 0; k < nIn; k++)
                    {
                        grad[(j * nIn) + k] += e * double.CreateChecked(inputs[r, k]) / inputs.Height;
                    }
                }
            }

            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] += rate * grad[i];
            }
        }

        public Losses Evaluate(DataSet<T> data)
        {
            double sum = 0;
            for (int r = 0; r < data.Count; r++)
            {
                for (int j = 0; j < nOut; j++)
                {
                    double p = 0;
                    for (int k = 0; k < nIn; k++)
                    {
                        p += weights[(j * nIn) + k] * double.CreateChecked(data.Inputs[r, k]);
                    }

                    double d = double.CreateChecked(data.Targets[r, j]) - p;
                    sum += d * d;
                }
            }

            return new Losses(0.5 * sum / variance / data.Count, sum / data.Count / nOut);
        }

        public void Dispose()
        {
        }
    }
}
