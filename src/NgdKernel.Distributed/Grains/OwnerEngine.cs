using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance;
using NgdKernel.Kernels;
using NgdKernel.Optimizers;

namespace NgdKernel.Distributed.Grains;

internal interface IOwnerEngine
{
    void Contribute(Contribution contribution);

    SolveReply Solve(long step, double damping);

    /// <summary>Updates the layer; returns its new weights as bytes (a buffer reused every step).</summary>
    byte[] Apply(long step, double scale);

    void Restore();

    /// <summary>The SGD momentum <c>V</c> at this step boundary (empty without momentum).</summary>
    byte[] GetVelocity();
}

/// <summary>
/// One layer's owner. Sums the P contributions in rank order (the same order every run, so the bits do
/// not depend on which worker answered first), scales by the global batch, and solves Eq. 20 by
/// <see cref="PrecomputedCurvature{T}"/>; the update <c>W += (alpha/L) N</c> is applied here, so every
/// rank receives the same bits. A retry at higher damping refactors the kept sums: nothing is resent.
/// </summary>
internal sealed class OwnerEngine<T> : IOwnerEngine
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[][] _slots;
    private readonly bool[] _received;
    private readonly T[] _total;
    private readonly T[] _gradient;
    private readonly T[] _weights;
    private readonly T[] _undo;
    private readonly T[]? _velocity;
    private readonly T[]? _undoVelocity;
    private readonly byte[] _weightBytes;
    private readonly PrecomputedCurvature<T>? _curvature;
    private readonly KernelContext _context;
    private readonly OwnerSetup _setup;
    private readonly T _gradientScale;
    private readonly T _errorScale;
    private long _step = -1;
    private bool _summed;

    public OwnerEngine(OwnerSetup setup)
    {
        _setup = setup;
        int a = setup.InputWidth, b = setup.OutputWidth;
        int length = WorkerEngine<T>.PayloadLength(b, a, setup.Sgd);
        _slots = new T[setup.WorkerCount][];
        for (int r = 0; r < _slots.Length; r++)
        {
            _slots[r] = new T[length];
        }

        _received = new bool[setup.WorkerCount];
        _total = new T[length];
        _gradient = new T[a * b];
        _weights = MemoryMarshal.Cast<byte, T>(setup.Weights).ToArray();
        if (_weights.Length != a * b)
        {
            throw new ArgumentException($"Layer {setup.Layer} is {b}x{a} but {_weights.Length} weights arrived.", nameof(setup));
        }

        _undo = new T[a * b];
        _weightBytes = new byte[setup.Weights.Length];
        if (setup.Sgd && setup.Momentum > 0)
        {
            _velocity = new T[a * b];
            _undoVelocity = new T[a * b];
            if (setup.Velocity.Length > 0)
            {
                if (setup.Velocity.Length != setup.Weights.Length)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"Layer {setup.Layer} is {b}x{a} but {setup.Velocity.Length} bytes of momentum arrived."), nameof(setup));
                }

                MemoryMarshal.Cast<byte, T>(setup.Velocity).CopyTo(_velocity);
            }
        }

        _curvature = setup.Sgd ? null : new PrecomputedCurvature<T>(b, a);
        _context = new KernelContext(setup.Threads);
        _gradientScale = T.One / T.CreateChecked(setup.BatchSize);
        _errorScale = T.One / T.CreateChecked((long)setup.BatchSize * Math.Max(1, setup.SampleCount));
    }

    public void Contribute(Contribution contribution)
    {
        if (contribution.Step != _step)
        {
            _step = contribution.Step;
            _summed = false;
            Array.Clear(_received);
        }

        Span<byte> slot = MemoryMarshal.AsBytes(_slots[contribution.Rank].AsSpan());
        if (!contribution.Sums.TryCopyTo(slot))
        {
            throw contribution.Sums.SizeError(string.Create(CultureInfo.InvariantCulture,
                $"Rank {contribution.Rank}'s sums for layer {_setup.Layer}"), slot.Length);
        }

        contribution.Sums.Dispose();
        _received[contribution.Rank] = true;
    }

    public SolveReply Solve(long step, double damping)
    {
        int missing = step != _step ? 0 : Array.IndexOf(_received, false);
        if (missing >= 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Owner of layer {_setup.Layer}: rank {missing} has not sent its sums for step {step}."));
        }

        if (!_summed)
        {
            // Rank order, whatever order they arrived in.
            _slots[0].CopyTo(_total, 0);
            for (int r = 1; r < _slots.Length; r++)
            {
                TensorPrimitives.Add<T>(_total, _slots[r], _total);
            }

            TensorPrimitives.Multiply<T>(_total.AsSpan(0, _gradient.Length), _gradientScale, _gradient);
            _summed = true;
        }

        if (_curvature is null)
        {
            return new SolveReply { Solved = true };
        }

        int a = _setup.InputWidth, b = _setup.OutputWidth;
        int inputPacked = PrecomputedCurvature<T>.PackedLength(a);
        ReadOnlySpan<T> sums = _total;
        bool solved = _curvature.TrySolve(sums.Slice(a * b, inputPacked), _gradientScale, sums[((a * b) + inputPacked)..], _errorScale,
            _gradient.AsSpan().AsSpan2D(b, a), damping, _context, out CholeskyFailure failure, out StepQuantity side);
        if (!solved)
        {
            return new SolveReply { Solved = false, FailedSide = (int)side, PivotIndex = failure.PivotIndex, PivotValue = failure.PivotValue };
        }

        _ = _curvature.Direction.TryGetSpan(out ReadOnlySpan<T> direction);
        return new SolveReply { Solved = true, Dot = double.CreateTruncating(TensorPrimitives.Dot<T>(direction, _gradient)) };
    }

    public byte[] Apply(long step, double scale)
    {
        if (step != _step || !_summed)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Owner of layer {_setup.Layer}: step {step} was not solved here."));
        }

        _weights.CopyTo(_undo, 0);
        T s = T.CreateChecked(scale);
        if (_curvature is not null)
        {
            _ = _curvature.Direction.TryGetSpan(out ReadOnlySpan<T> direction);
            TensorPrimitives.MultiplyAdd<T>(direction, s, _weights, _weights);
        }
        else if (_velocity is not null)
        {
            // SGD with momentum, as SgdOptimizer: V = mu V + G; W += alpha V.
            _velocity.CopyTo(_undoVelocity!, 0);
            TensorPrimitives.MultiplyAdd<T>(_velocity, T.CreateChecked(_setup.Momentum), _gradient, _velocity);
            TensorPrimitives.MultiplyAdd<T>(_velocity, s, _weights, _weights);
        }
        else
        {
            TensorPrimitives.MultiplyAdd<T>(_gradient, s, _weights, _weights);
        }

        MemoryMarshal.AsBytes(_weights.AsSpan()).CopyTo(_weightBytes);
        return _weightBytes;
    }

    public byte[] GetVelocity() => _velocity is null ? [] : MemoryMarshal.AsBytes(_velocity.AsSpan()).ToArray();

    public void Restore()
    {
        _undo.CopyTo(_weights, 0);
        _undoVelocity?.CopyTo(_velocity!, 0);
    }
}
