namespace NgdKernel.Checkpoints;

/// <summary>
/// A checkpoint file is truncated, corrupt, of another format version or element type, or does not
/// fit the network or optimizer it is loaded into. The message starts with the file and the byte
/// offset where the problem was found: <c>"{file}: at byte offset {offset}: {reason}"</c>.
/// </summary>
/// <remarks>
/// A <see cref="FileContentException"/> (as <see cref="Data.DataFileException"/>), hence an
/// <see cref="IOException"/>. The only exception <see cref="Checkpoint"/> loading raises for bad
/// file contents (I/O failures such as a missing file keep their own types). When it is thrown, the
/// network and optimizer being loaded into are unchanged.
/// </remarks>
public sealed class CheckpointFormatException : FileContentException
{
    /// <summary>Creates the exception for <paramref name="filePath"/> at <paramref name="offset"/>.</summary>
    /// <param name="filePath">The checkpoint file (or stream name).</param>
    /// <param name="offset">Byte offset of the problem from the start of the file.</param>
    /// <param name="reason">What is wrong there.</param>
    public CheckpointFormatException(string filePath, long offset, string reason)
        : base(filePath, offset, reason)
    {
    }

    /// <summary>Creates an exception with no file or offset (offset reported as -1).</summary>
    public CheckpointFormatException()
        : this("(unknown)", -1, "invalid checkpoint")
    {
    }

    /// <summary>Creates an exception with a free-form message (offset reported as -1).</summary>
    /// <param name="message">The message.</param>
    public CheckpointFormatException(string message)
        : base(message, null)
    {
    }

    /// <summary>Creates an exception with a free-form message and a cause (offset reported as -1).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CheckpointFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
