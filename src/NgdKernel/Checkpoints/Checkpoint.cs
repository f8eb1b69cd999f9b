using System.Buffers;
using System.Buffers.Binary;
using NgdKernel.Optimizers;
using NgdKernel.Training;

namespace NgdKernel.Checkpoints;

/// <summary>
/// Checkpoints of a network and its optimizer's full state, or of a network alone, written
/// atomically and verified on load; the library's one file format, <c>docs/checkpoint-format.md</c>.
/// </summary>
/// <remarks>
/// <para><b>Exact resume.</b> Saving after N steps and loading into a fresh network and optimizer
/// built with the same options (and the same thread count) continues bit-identically: weights,
/// step count, damping, the sampling generator, momentum buffers and Sherman-Morrison running
/// inverses are all stored. The one-level undo of <see cref="IOptimizer{T}.Rollback"/> is not.</para>
/// <para><b>Atomic write.</b> The file is written to <c>path + ".tmp"</c> in the same folder, flushed
/// to the device (<see cref="FileStream.Flush(bool)"/>) and renamed over <c>path</c>, so a crash or
/// kill at any moment leaves either the previous checkpoint or the new one. One writer per path.</para>
/// <para><b>Verified load.</b> Header and payload carry CRC-32C checksums; every field is checked
/// (version, element type, shapes against the target, finiteness, ranges) in a first pass before
/// anything is copied, so a failed load leaves the target untouched. Every problem with the file is
/// a <see cref="CheckpointFormatException"/> naming the file and byte offset. Nothing is allocated
/// from a declared size before that size has been checked against the file's length.</para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>The 8 magic bytes "NGDCKPT" followed by 0x1A (stops a text dump).</summary>
    internal static ReadOnlySpan<byte> Magic => "NGDCKPT\u001A"u8;

    /// <summary>The format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Header length in bytes; the payload starts here.</summary>
    public const int HeaderLength = 32;

    internal const int MaxLayers = 4096;
    internal const int MaxWidth = 1 << 24;

    /// <summary>Writes <paramref name="optimizer"/>'s network and full state to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">Target file; its folder must exist. <c>path + ".tmp"</c> is used while writing.</param>
    /// <param name="optimizer">An <see cref="SgdOptimizer{T}"/>, <see cref="NaturalGradientOptimizer{T}"/> or <see cref="ExactNaturalGradientOptimizer{T}"/>, or a <see cref="GuardedOptimizer{T}"/> around one.</param>
    /// <exception cref="ArgumentException">The optimizer type is not supported.</exception>
    /// <exception cref="InvalidOperationException">A weight or state value is NaN or infinite (named); the file on disk is unchanged.</exception>
    /// <exception cref="IOException">Writing failed; the file on disk is unchanged.</exception>
    /// <param name="applicationData">
    /// Opaque bytes stored with the checkpoint and returned by <see cref="Load{T}(string, IOptimizer{T})"/>,
    /// for the application's own resume state (data order, examples seen, clock); empty by default.
    /// </param>
    public static void Save<T>(string path, IOptimizer<T> optimizer, ReadOnlySpan<byte> applicationData = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        optimizer = Supported(optimizer);
        WriteAtomically(path, optimizer.Network, optimizer, applicationData);
    }

    /// <summary>Writes the network's architecture and weights (no optimizer state) to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="InvalidOperationException">A weight is NaN or infinite (named); the file on disk is unchanged.</exception>
    /// <exception cref="IOException">Writing failed; the file on disk is unchanged.</exception>
    public static void Save<T>(string path, Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        WriteAtomically<T>(path, network, null, default);
    }

    /// <summary>
    /// Restores <paramref name="optimizer"/> and its network from a checkpoint written by
    /// <see cref="Save{T}(string, IOptimizer{T}, ReadOnlySpan{byte})"/> for the same architecture, element type and kind of optimizer.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">
    /// Truncated, trailing bytes, bad magic, unsupported version, other element type, checksum mismatch,
    /// a value out of range or not finite, or an architecture or optimizer that does not match the target.
    /// The target is unchanged.
    /// </exception>
    /// <returns>The application data saved with the checkpoint (empty when none).</returns>
    public static byte[] Load<T>(string path, IOptimizer<T> optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        optimizer = Supported(optimizer);
        return ReadVerified(path, (payload, name, type) => CheckpointCodec.LoadInto(payload, name, type, optimizer.Network, optimizer));
    }

    /// <summary>Restores only the weights of <paramref name="network"/> (any optimizer state in the file is verified and ignored).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">As for <see cref="Load{T}(string, IOptimizer{T})"/>; the network is unchanged.</exception>
    public static void Load<T>(string path, Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        ReadVerified(path, (payload, name, type) => CheckpointCodec.LoadInto<T>(payload, name, type, network, null));
    }

    /// <summary>
    /// Writes <paramref name="optimizer"/>'s network and full state to <paramref name="stream"/> at its
    /// current position, in the same checksummed format as a checkpoint file, for in-memory copies
    /// and callers that manage their own storage.
    /// </summary>
    /// <remarks>
    /// Not atomic: a failure while writing leaves a partial checkpoint in the stream, which
    /// <see cref="Load{T}(Stream, IOptimizer{T})"/> rejects by its checksums. Files should be written
    /// with <see cref="Save{T}(string, IOptimizer{T}, ReadOnlySpan{byte})"/>, which is.
    /// </remarks>
    /// <param name="stream">A writable stream; it is left open, positioned after the checkpoint.</param>
    /// <param name="optimizer">As for <see cref="Save{T}(string, IOptimizer{T}, ReadOnlySpan{byte})"/>.</param>
    /// <param name="applicationData">Opaque bytes returned by <see cref="Load{T}(Stream, IOptimizer{T})"/>; empty by default.</param>
    /// <exception cref="ArgumentException">The stream is not writable, or the optimizer type is not supported.</exception>
    /// <exception cref="InvalidOperationException">A weight or state value is NaN or infinite (named); nothing is written.</exception>
    /// <exception cref="IOException">Writing failed.</exception>
    public static void Save<T>(Stream stream, IOptimizer<T> optimizer, ReadOnlySpan<byte> applicationData = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckWritable(stream);
        optimizer = Supported(optimizer);
        CheckLittleEndian();
        CheckpointCodec.CheckFinite(optimizer.Network, optimizer);
        WriteTo(stream, optimizer.Network, optimizer, applicationData);
    }

    /// <summary>
    /// Restores <paramref name="optimizer"/> and its network from a checkpoint written by
    /// <see cref="Save{T}(Stream, IOptimizer{T}, ReadOnlySpan{byte})"/> (or a checkpoint file's bytes)
    /// at the stream's current position, with the same checks as a file.
    /// </summary>
    /// <param name="stream">A readable stream; it is left open, positioned after the checkpoint (bytes that follow are not read).</param>
    /// <param name="optimizer">As for <see cref="Load{T}(string, IOptimizer{T})"/>.</param>
    /// <returns>The application data saved with the checkpoint (empty when none).</returns>
    /// <exception cref="ArgumentException">The stream is not readable, or the optimizer type is not supported.</exception>
    /// <exception cref="CheckpointFormatException">
    /// As for <see cref="Load{T}(string, IOptimizer{T})"/>, with offsets from the stream's starting position;
    /// <see cref="FileContentException.FilePath"/> is the file of a <see cref="FileStream"/>, else "(stream)".
    /// The target is unchanged.
    /// </exception>
    public static byte[] Load<T>(Stream stream, IOptimizer<T> optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckReadable(stream);
        optimizer = Supported(optimizer);
        return ReadVerified(stream, (payload, name, type) => CheckpointCodec.LoadInto(payload, name, type, optimizer.Network, optimizer));
    }

    /// <summary>
    /// Writes the network's architecture and weights (no optimizer state) to <paramref name="stream"/>
    /// at its current position: the bytes of a weights-only checkpoint file.
    /// </summary>
    /// <remarks>
    /// Not atomic, as <see cref="Save{T}(Stream, IOptimizer{T}, ReadOnlySpan{byte})"/>; files should
    /// be written with <see cref="Save{T}(string, Network{T})"/>, which is.
    /// </remarks>
    /// <param name="stream">A writable stream; it is left open, positioned after the checkpoint.</param>
    /// <param name="network">The network to save.</param>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    /// <exception cref="InvalidOperationException">A weight is NaN or infinite (named); nothing is written.</exception>
    /// <exception cref="IOException">Writing failed.</exception>
    public static void Save<T>(Stream stream, Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckWritable(stream);
        ArgumentNullException.ThrowIfNull(network);
        CheckLittleEndian();
        CheckpointCodec.CheckFinite<T>(network, null);
        WriteTo<T>(stream, network, null, default);
    }

    /// <summary>
    /// Restores only the weights of <paramref name="network"/> from a checkpoint at the stream's
    /// current position (any optimizer state in it is verified and ignored).
    /// </summary>
    /// <param name="stream">A readable stream; it is left open, positioned after the checkpoint.</param>
    /// <param name="network">A network with the checkpoint's architecture and element type.</param>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    /// <exception cref="CheckpointFormatException">
    /// As for <see cref="Load{T}(Stream, IOptimizer{T})"/>, or an architecture that does not match
    /// <paramref name="network"/>; the network is unchanged.
    /// </exception>
    public static void Load<T>(Stream stream, Network<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckReadable(stream);
        ArgumentNullException.ThrowIfNull(network);
        ReadVerified(stream, (payload, name, type) => CheckpointCodec.LoadInto<T>(payload, name, type, network, null));
    }

    /// <summary>
    /// Builds a network with the architecture and weights of the checkpoint at the stream's current
    /// position (any optimizer state in it is verified and ignored).
    /// </summary>
    /// <param name="stream">A readable stream; it is left open, positioned after the checkpoint.</param>
    /// <param name="context">Kernel options of the new network; null for <see cref="KernelContext.Default"/>.</param>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    /// <exception cref="CheckpointFormatException">As for <see cref="Load{T}(Stream, IOptimizer{T})"/>.</exception>
    public static Network<T> LoadNetwork<T>(Stream stream, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckReadable(stream);
        return ReadVerified(stream, (payload, name, type) => CheckpointCodec.LoadNetwork<T>(payload, name, type, context));
    }

    /// <summary>Builds a network with the checkpoint's architecture and weights.</summary>
    /// <param name="path">The checkpoint.</param>
    /// <param name="context">Kernel options of the new network; null for <see cref="KernelContext.Default"/>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">As for <see cref="Load{T}(string, IOptimizer{T})"/>.</exception>
    public static Network<T> LoadNetwork<T>(string path, KernelContext? context = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ReadVerified(path, (payload, name, type) => CheckpointCodec.LoadNetwork<T>(payload, name, type, context));
    }

    /// <summary>Verifies a checkpoint completely (checksums and every field) and describes it.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">The file is not a valid checkpoint.</exception>
    public static CheckpointInfo ReadInfo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ReadVerified(path, CheckpointCodec.Describe);
    }

    /// <summary>The whole checkpoint file as bytes (header included), for tests and in-memory use.</summary>
    internal static byte[] ToBytes<T>(Network<T> network, IOptimizer<T>? optimizer, ReadOnlySpan<byte> applicationData = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var measure = new PayloadWriter([], measure: true);
        CheckpointCodec.Write(ref measure, network, optimizer, applicationData);
        var bytes = new byte[HeaderLength + measure.Position];
        var writer = new PayloadWriter(bytes.AsSpan(HeaderLength), measure: false);
        CheckpointCodec.Write(ref writer, network, optimizer, applicationData);
        WriteHeader(bytes, ElementTypeOf<T>());
        return bytes;
    }

    /// <summary>Verifies whole-file <paramref name="bytes"/> and returns what <paramref name="body"/> makes of the payload.</summary>
    internal static TResult FromBytes<TResult>(ReadOnlySpan<byte> bytes, string name, PayloadFunc<TResult> body)
    {
        VerifyHeader(bytes[..Math.Min(bytes.Length, HeaderLength)], bytes.Length, name, out uint payloadCrc, out CheckpointElementType type);
        ReadOnlySpan<byte> payload = bytes[HeaderLength..];
        VerifyPayload(payload, payloadCrc, name);
        return body(payload, name, type);
    }

    /// <summary>
    /// Writes the payload length and both checksums of a whole-file buffer: the last step of writing a
    /// header, and the fuzz tests' re-sealing of mutated files.
    /// </summary>
    internal static void Reseal(Span<byte> bytes)
    {
        if (bytes.Length < HeaderLength)
        {
            return;
        }

        BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], bytes.Length - HeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[24..], Crc32C.Compute(bytes[HeaderLength..]));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[28..], Crc32C.Compute(bytes[..28]));
    }

    /// <summary>What a load makes of a verified payload (<paramref name="name"/> is the file or stream, for errors).</summary>
    internal delegate TResult PayloadFunc<TResult>(ReadOnlySpan<byte> payload, string name, CheckpointElementType type);

    internal static CheckpointElementType ElementTypeOf<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? CheckpointElementType.Float32
        : typeof(T) == typeof(double) ? CheckpointElementType.Float64
        : throw new NotSupportedException($"Checkpoints hold float or double elements, not {typeof(T).Name}.");

    private static void WriteAtomically<T>(string path, Network<T> network, IOptimizer<T>? optimizer, ReadOnlySpan<byte> applicationData)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLittleEndian();
        CheckpointCodec.CheckFinite(network, optimizer);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                WriteTo(stream, network, optimizer, applicationData);
                stream.Flush(flushToDisk: true);
            }

            // rename(2): atomic replacement on POSIX file systems, MoveFileEx(REPLACE_EXISTING) on Windows.
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Header and payload, serialized whole before the first byte is written.</summary>
    private static void WriteTo<T>(Stream stream, Network<T> network, IOptimizer<T>? optimizer, ReadOnlySpan<byte> applicationData)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var measure = new PayloadWriter([], measure: true);
        CheckpointCodec.Write(ref measure, network, optimizer, applicationData);
        int length = HeaderLength + measure.Position;

        // Pooled so that periodic checkpoints of a large network do not churn the large object heap.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> bytes = buffer.AsSpan(0, length);
            var writer = new PayloadWriter(bytes[HeaderLength..], measure: false);
            CheckpointCodec.Write(ref writer, network, optimizer, applicationData);
            WriteHeader(bytes, ElementTypeOf<T>());
            stream.Write(bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CheckWritable(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        }
    }

    private static void CheckReadable(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }
    }

    /// <summary>The name errors give: a file stream's path, else "(stream)".</summary>
    private static string NameOf(Stream stream) => stream is FileStream file ? file.Name : "(stream)";

    private static void CheckLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoints are written and read on little-endian machines only.");
        }
    }

    /// <summary>
    /// The optimizer whose state a checkpoint holds (a <see cref="GuardedOptimizer{T}"/> checkpoints the
    /// optimizer it wraps); throws for a null or unsupported optimizer before any file or stream is touched.
    /// </summary>
    private static IOptimizer<T> Supported<T>(IOptimizer<T> optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        IOptimizer<T> inner = optimizer is GuardedOptimizer<T> guarded ? guarded.Inner : optimizer;
        CheckpointCodec.KindOf(inner);
        return inner;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void WriteHeader(Span<byte> bytes, CheckpointElementType type)
    {
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[12..], (int)type);
        Reseal(bytes);
    }

    private static TResult ReadVerified<TResult>(string path, PayloadFunc<TResult> body)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        return ReadVerified(stream, path, stream.Length, body);
    }

    /// <summary>A checkpoint inside a caller's stream, read up to the length its header declares.</summary>
    private static TResult ReadVerified<TResult>(Stream stream, PayloadFunc<TResult> body) => ReadVerified(stream, NameOf(stream), -1, body);

    /// <summary>
    /// Reads one checkpoint from the stream's position and returns what <paramref name="body"/> makes
    /// of the verified payload. <paramref name="length"/> is the whole file's length (a file must end with
    /// the checkpoint), or -1 for a stream, which is read up to the length its header declares.
    /// </summary>
    private static TResult ReadVerified<TResult>(Stream stream, string name, long length, PayloadFunc<TResult> body)
    {
        CheckLittleEndian();
        Span<byte> header = stackalloc byte[HeaderLength];
        int headerRead = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        long declared = headerRead == HeaderLength ? BinaryPrimitives.ReadInt64LittleEndian(header[16..]) : -1;
        bool inRange = declared >= 0 && declared <= Array.MaxLength - HeaderLength;
        VerifyHeader(header[..headerRead], length >= 0 ? length : headerRead + (inRange ? declared : 0), name,
            out uint payloadCrc, out CheckpointElementType type);

        // VerifyHeader checked the declared payload length against the file length (for a stream,
        // against Array.MaxLength); a stream's buffer grows only with the bytes actually read.
        int payloadLength = (int)declared;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length >= 0 ? payloadLength : Math.Min(payloadLength, 1 << 16));
        try
        {
            int read = 0;
            while (read < payloadLength)
            {
                if (read == buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, payloadLength));
                    buffer.AsSpan(0, read).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int n = stream.Read(buffer.AsSpan(read, Math.Min(buffer.Length, payloadLength) - read));
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            if (read < payloadLength)
            {
                throw new CheckpointFormatException(name, HeaderLength + read, length >= 0
                    ? string.Create(CultureInfo.InvariantCulture, $"the file ended after {HeaderLength + read} bytes while being read; it was {length} bytes when opened.")
                    : string.Create(CultureInfo.InvariantCulture, $"the stream ended after {HeaderLength + read} bytes; the header declares {HeaderLength + payloadLength} (it is truncated)."));
            }

            ReadOnlySpan<byte> payload = buffer.AsSpan(0, payloadLength);
            VerifyPayload(payload, payloadCrc, name);
            return body(payload, name, type);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Magic, version, header checksum, element type, payload length against the file length.</summary>
    private static void VerifyHeader(ReadOnlySpan<byte> header, long fileLength, string name, out uint payloadCrc, out CheckpointElementType elementType)
    {
        if (header.Length < HeaderLength)
        {
            int prefix = Math.Min(header.Length, Magic.Length);
            bool magicPrefix = header[..prefix].SequenceEqual(Magic[..prefix]);
            throw new CheckpointFormatException(name, header.Length, string.Create(CultureInfo.InvariantCulture,
                $"the file is {fileLength} bytes; a checkpoint starts with a {HeaderLength}-byte header{(magicPrefix ? " (it is truncated)" : " and this is not a checkpoint")}."));
        }

        if (!header[..8].SequenceEqual(Magic))
        {
            throw new CheckpointFormatException(name, 0,
                $"bad magic bytes {Convert.ToHexString(header[..8])}; a checkpoint starts with {Convert.ToHexString(Magic)} (\"NGDCKPT\\x1A\").");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != FormatVersion)
        {
            throw new CheckpointFormatException(name, 8, string.Create(CultureInfo.InvariantCulture,
                $"format version {version} is not supported; this library reads version {FormatVersion}."));
        }

        uint storedHeaderCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[28..]);
        uint headerCrc = Crc32C.Compute(header[..28]);
        if (storedHeaderCrc != headerCrc)
        {
            throw new CheckpointFormatException(name, 28, string.Create(CultureInfo.InvariantCulture,
                $"header checksum mismatch (stored 0x{storedHeaderCrc:X8}, computed 0x{headerCrc:X8}): the header is corrupt."));
        }

        int type = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        if (type is not ((int)CheckpointElementType.Float32 or (int)CheckpointElementType.Float64))
        {
            throw new CheckpointFormatException(name, 12, string.Create(CultureInfo.InvariantCulture,
                $"element type code {type} is unknown; expected 1 (float32) or 2 (float64)."));
        }

        long payloadLength = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        long available = fileLength - HeaderLength;
        if (payloadLength < 0 || payloadLength > available)
        {
            throw new CheckpointFormatException(name, fileLength, string.Create(CultureInfo.InvariantCulture,
                $"the file is truncated: the header declares {payloadLength} payload bytes from offset {HeaderLength} but only {available} follow."));
        }

        if (payloadLength < available)
        {
            throw new CheckpointFormatException(name, HeaderLength + payloadLength, string.Create(CultureInfo.InvariantCulture,
                $"{available - payloadLength} unexpected bytes after the {payloadLength}-byte payload declared by the header."));
        }

        if (payloadLength > Array.MaxLength)
        {
            throw new CheckpointFormatException(name, 16, string.Create(CultureInfo.InvariantCulture,
                $"the payload of {payloadLength} bytes is larger than the largest array."));
        }

        payloadCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
        elementType = (CheckpointElementType)type;
    }

    private static void VerifyPayload(ReadOnlySpan<byte> payload, uint storedCrc, string name)
    {
        uint crc = Crc32C.Compute(payload);
        if (crc != storedCrc)
        {
            throw new CheckpointFormatException(name, HeaderLength, string.Create(CultureInfo.InvariantCulture,
                $"payload checksum mismatch (stored 0x{storedCrc:X8}, computed 0x{crc:X8} over {payload.Length} bytes): the file is corrupt."));
        }
    }
}
