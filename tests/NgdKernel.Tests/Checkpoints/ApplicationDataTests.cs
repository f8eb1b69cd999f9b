namespace NgdKernel.Tests.Checkpoints;

public sealed class ApplicationDataTests
{
    [Fact]
    public void Every_field_reads_back_bit_for_bit_and_the_end_is_checked()
    {
        var writer = new ApplicationDataWriter();
        writer.Write("résumé/2");
        writer.Write(-7);
        writer.Write(long.MaxValue);
        writer.Write(double.NaN);
        writer.Write(double.NegativeInfinity);
        writer.Write(BitConverter.Int64BitsToDouble(1)); // the smallest subnormal
        writer.Write(true);
        writer.Write(string.Concat(Enumerable.Repeat("x", 300))); // grows the buffer

        var reader = new ApplicationDataReader(writer.WrittenSpan, "c.ckpt");
        Assert.Equal("résumé/2", reader.ReadString("tag"));
        Assert.Equal(-7, reader.ReadInt32("i"));
        Assert.Equal(long.MaxValue, reader.ReadInt64("l"));
        Assert.Equal(BitConverter.DoubleToInt64Bits(double.NaN), BitConverter.DoubleToInt64Bits(reader.ReadDouble("nan")));
        Assert.Equal(double.NegativeInfinity, reader.ReadDouble("inf"));
        Assert.Equal(1L, BitConverter.DoubleToInt64Bits(reader.ReadDouble("sub")));
        Assert.True(reader.ReadBoolean("b"));
        Assert.Equal(300, reader.ReadString("long").Length);
        reader.EnsureEnd();
    }

    [Fact]
    public void Truncated_or_out_of_range_fields_name_the_field_and_offset()
    {
        var writer = new ApplicationDataWriter();
        writer.Write("tag");
        writer.Write(5);
        byte[] bytes = writer.WrittenSpan.ToArray();

        CheckpointFormatException truncated = Assert.Throws<CheckpointFormatException>(() =>
        {
            var reader = new ApplicationDataReader(bytes.AsSpan(0, bytes.Length - 1), "c.ckpt");
            reader.ReadString("tag");
            reader.ReadInt32("count");
        });
        Assert.Contains("count", truncated.Message, StringComparison.Ordinal);
        Assert.Contains("c.ckpt", truncated.Message, StringComparison.Ordinal);

        CheckpointFormatException range = Assert.Throws<CheckpointFormatException>(() =>
        {
            var reader = new ApplicationDataReader(bytes, "c.ckpt");
            reader.ReadString("tag");
            reader.ReadInt32("count", 0, 4);
        });
        Assert.Contains("count is 5", range.Message, StringComparison.Ordinal);

        Assert.Throws<CheckpointFormatException>(() => new ApplicationDataReader(bytes, "c.ckpt").EnsureEnd());
    }
}
