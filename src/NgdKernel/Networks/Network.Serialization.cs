using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using CommunityToolkit.HighPerformance;
using NgdKernel.LinearAlgebra;

namespace NgdKernel.Networks;

public sealed partial class Network<T>
{
    private const uint Magic = 0x4E57444E; // "NDWN" little-endian: NgdKernel network weights
    private const int FormatVersion = 1;

    /// <summary>
    /// Writes architecture and weights to <paramref name="stream"/> (little-endian binary: magic,
    /// version, element size, widths, activations, bias, output covariance, weights row-major).
    /// </summary>
    /// <remarks>A simple format; checkpoints with optimizer state and checksums come separately.</remarks>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(Marshal.SizeOf<T>());
        writer.Write(LayerCount);
        foreach (int w in _widths)
        {
            writer.Write(w);
        }

        foreach (Activation a in _activations)
        {
            writer.Write((int)a);
        }

        writer.Write(HasBias);
        OutputCovariance covariance = Options.OutputCovariance;
        writer.Write(covariance.IsIsotropic);
        if (covariance.IsIsotropic)
        {
            writer.Write(covariance.Variance);
        }
        else
        {
            foreach (double v in covariance.ToDense(OutputSize))
            {
                writer.Write(v);
            }
        }

        for (int l = 0; l < LayerCount; l++)
        {
            writer.Write(MemoryMarshal.AsBytes(_weights[l].AsSpan()));
        }
    }

    /// <summary>Reads a network written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">Wrong magic, version, element type or truncated data.</exception>
    public static Network<T> Load(Stream stream, Kernels.KernelContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadUInt32() != Magic)
            {
                throw new InvalidDataException("Not an NgdKernel network file (bad magic).");
            }

            int version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException(
                    string.Create(CultureInfo.InvariantCulture, $"Network file version {version} is not supported (expected {FormatVersion})."));
            }

            int size = reader.ReadInt32();
            if (size != Marshal.SizeOf<T>())
            {
                throw new InvalidDataException(
                    string.Create(CultureInfo.InvariantCulture, $"Network file holds {size}-byte elements but {typeof(T).Name} has {Marshal.SizeOf<T>()}."));
            }

            int layers = reader.ReadInt32();
            if (layers < 1 || layers > 1 << 16)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Layer count {layers} is invalid."));
            }

            var widths = new int[layers + 1];
            for (int l = 0; l <= layers; l++)
            {
                widths[l] = reader.ReadInt32();
                if (widths[l] < 1 || widths[l] > 1 << 20)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Width {l} is {widths[l]}."));
                }
            }

            var activations = new Activation[layers];
            for (int l = 0; l < layers; l++)
            {
                activations[l] = (Activation)reader.ReadInt32();
            }

            bool bias = reader.ReadBoolean();
            OutputCovariance covariance;
            if (reader.ReadBoolean())
            {
                covariance = OutputCovariance.Isotropic(reader.ReadDouble());
            }
            else
            {
                int n = widths[layers];
                var dense = new double[n, n];
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        dense[i, j] = reader.ReadDouble();
                    }
                }

                covariance = OutputCovariance.Full(dense);
            }

            var network = new Network<T>(
                new NetworkOptions { Widths = widths, Activations = activations, Bias = bias, OutputCovariance = covariance, InitScale = 0 },
                context);
            for (int l = 0; l < layers; l++)
            {
                Span<byte> bytes = MemoryMarshal.AsBytes(network._weights[l].AsSpan());
                reader.BaseStream.ReadExactly(bytes);
            }

            return network;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("Network file is truncated.", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("Network file holds an invalid architecture: " + e.Message, e);
        }
    }

    /// <summary>Copies the weights of layer <paramref name="layer"/> into <paramref name="destination"/>.</summary>
    /// <param name="layer">0-based layer.</param>
    /// <param name="destination"><c>[n_{l+1}, n_l (+1)]</c>, the shape of <see cref="Weights(int)"/>, any row pitch.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not in [0, <see cref="LayerCount"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has another shape.</exception>
    public void CopyWeights(int layer, Span2D<T> destination)
    {
        CheckLayer(layer, LayerCount);
        Matrix<T> weights = _weights[layer];
        if (destination.Height != weights.Rows || destination.Width != weights.Columns)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'destination' is {destination.Height}x{destination.Width} but the weights of layer {layer} are {weights.Rows}x{weights.Columns}: it must be {weights.Rows}x{weights.Columns}."),
                nameof(destination));
        }

        weights.Span.CopyTo(destination);
    }
}
