namespace NgdKernel.Distributed;

/// <summary>
/// A data-parallel step that could not complete: a worker or owner failed, its silo went away, or it
/// did not answer within <see cref="DataParallelOptions.Timeout"/>. The step's update is not applied
/// on the trainer's side; resume from the last checkpoint.
/// </summary>
public sealed class DataParallelException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DataParallelException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DataParallelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure underneath.</summary>
    public DataParallelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a phase of a step.</summary>
    /// <param name="step">The step (1-based) that failed.</param>
    /// <param name="phase">What was being waited for.</param>
    /// <param name="innerException">The failure underneath.</param>
    public DataParallelException(long step, string phase, Exception innerException)
        : base($"Data-parallel step {step} failed while {phase}: {innerException.GetType().Name}: {innerException.Message}", innerException)
    {
        Step = step;
        Phase = phase;
    }

    /// <summary>The step (1-based) that failed.</summary>
    public long Step { get; }

    /// <summary>What was being waited for when the step failed.</summary>
    public string Phase { get; } = "";
}
