namespace NgdKernel.Optimizers;

// Checkpoint access to the state that carries from one step to the next (NgdKernel.Checkpoints).
public sealed partial class SgdOptimizer<T>
{
    /// <summary>Momentum buffers <c>V</c> (one per layer, shaped like the weights), or null without momentum.</summary>
    internal Matrix<T>[]? Velocity => _velocity;

    /// <summary>
    /// Copies layer <paramref name="layer"/>'s momentum buffer <c>V</c> (<c>[out, in]</c> row-major, the
    /// shape of its weights) into <paramref name="destination"/>: the state a run stepped elsewhere (a
    /// data-parallel run, whose layer owners keep the momentum) hands to <see cref="RestoreState(long, ReadOnlySpan{T})"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The optimizer has no momentum (<see cref="SgdOptions.Momentum"/> is 0).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not a layer of the network.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not the layer's weight count long.</exception>
    public void GetVelocity(int layer, Span<T> destination)
    {
        Matrix<T> velocity = VelocityOf(layer);
        if (destination.Length != velocity.AsSpan().Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'destination' holds {destination.Length} values; layer {layer}'s momentum buffer has {velocity.Rows}x{velocity.Columns}."),
                nameof(destination));
        }

        velocity.AsSpan().CopyTo(destination);
    }

    /// <summary>
    /// Sets the state a step carries to the next, as a checkpoint of a run stepped elsewhere (a
    /// data-parallel run) records it: the step count and, with momentum, every layer's momentum buffer
    /// <c>V</c>, layer after layer, each <c>[out, in]</c> row-major. Nothing changes unless every
    /// argument is valid. Clears the undo point.
    /// </summary>
    /// <param name="stepCount">Steps taken so far (the learning-rate schedule continues from it).</param>
    /// <param name="velocity">The momentum buffers of all layers in order; empty without momentum.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepCount"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="velocity"/> is not the total weight count long
    /// (empty without momentum), or holds a NaN or infinite value (its layer and index named).</exception>
    public void RestoreState(long stepCount, ReadOnlySpan<T> velocity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        long expected = 0;
        foreach (Matrix<T> v in _velocity ?? [])
        {
            expected += v.AsSpan().Length;
        }

        if (velocity.Length != expected)
        {
            throw new ArgumentException(_velocity is null
                ? string.Create(CultureInfo.InvariantCulture, $"'velocity' holds {velocity.Length} values but the optimizer has no momentum: it must be empty.")
                : string.Create(CultureInfo.InvariantCulture, $"'velocity' holds {velocity.Length} values; the momentum buffers of the {_velocity.Length} layers hold {expected}."),
                nameof(velocity));
        }

        int bad = Checkpoints.CheckpointCodec.FirstNonFinite(velocity);
        if (bad >= 0)
        {
            int layer = 0, offset = bad;
            while (offset >= _velocity![layer].AsSpan().Length)
            {
                offset -= _velocity[layer].AsSpan().Length;
                layer++;
            }

            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'velocity' value {offset} of layer {layer} is {velocity[bad]}: momentum must be finite."), nameof(velocity));
        }

        using ReentrancyGuard.Scope busy = _step.Guard.Enter(this);
        foreach (Matrix<T> v in _velocity ?? [])
        {
            Span<T> destination = v.AsSpan();
            velocity[..destination.Length].CopyTo(destination);
            velocity = velocity[destination.Length..];
        }

        StepCount = stepCount;
        _step.CanRollBack = false;
    }

    /// <summary>Restores the step count of a checkpoint (velocity is written by the caller); clears the undo point.</summary>
    internal void RestoreState(long stepCount)
    {
        using ReentrancyGuard.Scope busy = _step.Guard.Enter(this);
        StepCount = stepCount;
        _step.CanRollBack = false;
    }

    private Matrix<T> VelocityOf(int layer)
    {
        if (_velocity is null)
        {
            throw new InvalidOperationException("This SGD optimizer has no momentum buffers ('SgdOptions.Momentum' is 0).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, _velocity.Length);
        return _velocity[layer];
    }
}
