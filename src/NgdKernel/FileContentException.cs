namespace NgdKernel;

/// <summary>
/// The contents of a file (or stream) are truncated, corrupt or not what was expected, at a known
/// byte offset. The message starts with the file and the offset: <c>"{file}: at byte offset {offset}: {reason}"</c>.
/// </summary>
/// <remarks>
/// The common base of <see cref="Checkpoints.CheckpointFormatException"/> and
/// <see cref="Data.DataFileException"/>: catch it to handle any bad input file of the library in one
/// place. An <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed); I/O failures
/// such as a missing file keep their own types.
/// </remarks>
public abstract class FileContentException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/> at <paramref name="offset"/>.</summary>
    /// <param name="filePath">The file (or stream name) that was read.</param>
    /// <param name="offset">Byte offset of the problem from the start of the file, or -1 when not known.</param>
    /// <param name="reason">What is wrong there.</param>
    protected FileContentException(string filePath, long offset, string reason)
        : base($"{filePath}: at byte offset {offset}: {reason}")
    {
        FilePath = filePath;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>Creates an exception with a free-form message (file "(unknown)", offset -1).</summary>
    /// <param name="message">The message, also the <see cref="Reason"/>.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected FileContentException(string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = "(unknown)";
        Offset = -1;
        Reason = message;
    }

    /// <summary>The file (or stream name) that was read.</summary>
    public string FilePath { get; }

    /// <summary>Byte offset of the problem from the start of the file, or -1 when not known.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, without the file and offset.</summary>
    public string Reason { get; }
}
