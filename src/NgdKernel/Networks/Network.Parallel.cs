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
        var pass = new RowPass(activation, derivative, values, offset, rows, columns, outputs, outputRows);
        int parts = (long)rows * columns >= ParallelElementThreshold ? Math.Min(Context.ThreadCount, rows) : 1;
        RowJob? job = parts > 1 ? Interlocked.Exchange(ref _rowJob, null) : null;
        if (job is null)
        {
            pass.Range(0, rows);
            return;
        }

        try
        {
            job.Pass = pass;
            Context.Run(job, parts);
        }
        finally
        {
            job.Pass = default; // drop the matrices so that the pooled job keeps no workspace alive
            Volatile.Write(ref _rowJob, job);
        }
    }

    /// <summary>A <see cref="RowPass"/> split by rows into parts on the worker pool.</summary>
    private sealed class RowJob : IParallelJob
    {
        public RowPass Pass { get; set; }

        public void Execute(int part, int partCount) => Pass.Range(
            (int)((long)part * Pass.Rows / partCount), (int)((long)(part + 1) * Pass.Rows / partCount));
    }

    /// <summary>
    /// An activation or its derivative over <paramref name="Rows"/> rows of <paramref name="Values"/>
    /// starting at row <paramref name="Offset"/>, <paramref name="Columns"/> wide: <c>phi</c> in place, or
    /// times <c>phi'</c> of output row <c>r mod OutputRows</c> of <paramref name="Outputs"/>.
    /// </summary>
    private readonly record struct RowPass(Activation Activation, bool Derivative, Matrix<T> Values, int Offset, int Rows,
        int Columns, Matrix<T> Outputs, int OutputRows)
    {
        /// <summary>Rows <c>[first, end)</c>, counted from <see cref="Offset"/>.</summary>
        public void Range(int first, int end)
        {
            Span2D<T> span = Values.Span;
            if (!Derivative)
            {
                for (int r = first; r < end; r++)
                {
                    ActivationFunctions.Apply(Activation, span.GetRowSpan(Offset + r)[..Columns]);
                }

                return;
            }

            Span2D<T> output = Outputs.Span;
            for (int r = first; r < end; r++)
            {
                ActivationFunctions.MultiplyByDerivative(Activation, output.GetRowSpan(r % OutputRows)[..Columns],
                    span.GetRowSpan(Offset + r)[..Columns]);
            }
        }
    }
}
