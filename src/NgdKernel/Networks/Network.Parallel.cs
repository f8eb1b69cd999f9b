using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.LinearAlgebra;

namespace NgdKernel.Networks;

// The element-wise passes (activations, their derivatives, the sampled output errors) as jobs on
// the kernel context's worker pool: on two threads they were a tenth of the MNIST autoencoder's NGD
// step, run on one thread while the other waited. Each row is computed by the same operations
// whichever thread takes it, so the bits do not depend on the thread count. A network may serve
// several callers at once (one workspace each): a caller takes a job object by exchange and runs
// on its own thread when another caller holds it.
public sealed partial class Network<T>
{
    /// <summary>
    /// Elements below which an element-wise pass stays on the calling thread: a pass over 2^15
    /// values takes some 30 us, three times a worker's wake-up.
    /// </summary>
    private const int ParallelElementThreshold = 1 << 15;

    private GaussianFillJob<T>? _gaussianJob = new();
    private RowJob? _rowJob = new();

    /// <summary>N(0, sd^2) draws into rows <c>[rowOffset, rowOffset + rows)</c> of <paramref name="target"/>.</summary>
    internal void FillGaussian(ref Xoshiro256 rng, Matrix<T> target, int rowOffset, int rows, int columns, T standardDeviation)
    {
        GaussianFillJob<T>? job = Context.ThreadCount > 1 ? Interlocked.Exchange(ref _gaussianJob, null) : null;
        try
        {
            GaussianFillJob<T>.Fill(ref rng, target, rowOffset, rows, columns, standardDeviation, Context, job);
        }
        finally
        {
            if (job is not null)
            {
                Volatile.Write(ref _gaussianJob, job);
            }
        }
    }

    /// <summary><c>phi</c> of layer <paramref name="layer"/> in place on rows <c>[0, rows)</c>, columns <c>[0, columns)</c>.</summary>
    private void ApplyActivation(int layer, Matrix<T> values, int rows, int columns)
    {
        Activation activation = _activations[layer];
        if (activation == Activation.Identity)
        {
            return;
        }

        RunRows(activation, derivative: false, values, 0, rows, columns, values, rows);
    }

    /// <summary>
    /// <c>errors *= phi'</c> of layer <paramref name="layer"/> on rows <c>[offset, offset + rows)</c>
    /// of <paramref name="errors"/>, row i against output row <c>i mod outputRows</c> (stacked passes).
    /// </summary>
    private void MultiplyByDerivative(int layer, Matrix<T> errors, int offset, int rows, int columns,
        Matrix<T> outputs, int outputRows)
    {
        Activation activation = _activations[layer];
        if (activation == Activation.Identity)
        {
            return;
        }

        RunRows(activation, derivative: true, errors, offset, rows, columns, outputs, outputRows);
    }

    private void RunRows(Activation activation, bool derivative, Matrix<T> values, int offset, int rows, int columns,
        Matrix<T> outputs, int outputRows)
    {
        int parts = (long)rows * columns >= ParallelElementThreshold ? Math.Min(Context.ThreadCount, rows) : 1;
        RowJob? job = parts > 1 ? Interlocked.Exchange(ref _rowJob, null) : null;
        if (job is null)
        {
            RowJob.Range(activation, derivative, values, offset, columns, outputs, outputRows, 0, rows);
            return;
        }

        try
        {
            job.Set(activation, derivative, values, offset, rows, columns, outputs, outputRows);
            Context.Run(job, parts);
        }
        finally
        {
            job.Clear();
            Volatile.Write(ref _rowJob, job);
        }
    }

    /// <summary>An activation or its derivative over a range of rows, split by rows into parts.</summary>
    private sealed class RowJob : IParallelJob
    {
        private Matrix<T>? _values;
        private Matrix<T>? _outputs;
        private Activation _activation;
        private bool _derivative;
        private int _offset;
        private int _rows;
        private int _columns;
        private int _outputRows;

        public void Set(Activation activation, bool derivative, Matrix<T> values, int offset, int rows, int columns,
            Matrix<T> outputs, int outputRows)
        {
            _activation = activation;
            _derivative = derivative;
            _values = values;
            _offset = offset;
            _rows = rows;
            _columns = columns;
            _outputs = outputs;
            _outputRows = outputRows;
        }

        public void Clear()
        {
            _values = null;
            _outputs = null;
        }

        public void Execute(int part, int partCount) => Range(_activation, _derivative, _values!, _offset, _columns,
            _outputs!, _outputRows, (int)((long)part * _rows / partCount), (int)((long)(part + 1) * _rows / partCount));

        /// <summary>
        /// Rows <c>[first, end)</c> (counted from <paramref name="offset"/>) of <paramref name="values"/>:
        /// <c>phi</c> in place, or times <c>phi'</c> of output row <c>r mod outputRows</c>.
        /// </summary>
        public static void Range(Activation activation, bool derivative, Matrix<T> values, int offset, int columns,
            Matrix<T> outputs, int outputRows, int first, int end)
        {
            Span2D<T> span = values.Span;
            if (!derivative)
            {
                for (int r = first; r < end; r++)
                {
                    ActivationFunctions.Apply(activation, span.GetRowSpan(offset + r)[..columns]);
                }

                return;
            }

            Span2D<T> output = outputs.Span;
            for (int r = first; r < end; r++)
            {
                ActivationFunctions.MultiplyByDerivative(activation, output.GetRowSpan(r % outputRows)[..columns],
                    span.GetRowSpan(offset + r)[..columns]);
            }
        }
    }
}
