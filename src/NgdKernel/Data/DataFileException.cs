namespace NgdKernel.Data;

/// <summary>
/// A data file is truncated, corrupt or not what was expected. The message starts with the file
/// and the byte offset where the problem was found: <c>"{file}: at byte offset {offset}: {reason}"</c>.
/// </summary>
/// <remarks>A <see cref="FileContentException"/> (as <see cref="Checkpoints.CheckpointFormatException"/>), hence an <see cref="IOException"/>.</remarks>
public sealed class DataFileException : FileContentException
{
    /// <summary>Creates the exception with a message naming <paramref name="filePath"/> and <paramref name="offset"/>.</summary>
    /// <param name="filePath">The file (or stream name) that was read.</param>
    /// <param name="offset">Byte offset of the problem from the start of the file.</param>
    /// <param name="reason">What is wrong there.</param>
    public DataFileException(string filePath, long offset, string reason)
        : base(filePath, offset, reason)
    {
    }

    /// <summary>Creates an exception with no file or offset (offset reported as -1).</summary>
    public DataFileException()
        : this("(unknown)", -1, "invalid data file")
    {
    }

    /// <summary>Creates an exception with a free-form message (offset unknown, reported as -1).</summary>
    /// <param name="message">The message.</param>
    public DataFileException(string message)
        : base(message, null)
    {
    }

    /// <summary>Creates an exception with a free-form message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DataFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
