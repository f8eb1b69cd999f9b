using System.Runtime.InteropServices;

namespace NgdKernel.Distributed.Tests;

/// <summary>All-reduce (ring, star), broadcast and gather among the three silos' collective grains.</summary>
[Collection(DistributedClusterCollection.Name)]
public sealed class DistributedCollectivesTests(DistributedClusterFixture fixture)
{
    public static TheoryData<int, CollectiveAlgorithm> Cases()
    {
        var data = new TheoryData<int, CollectiveAlgorithm>();
        foreach (int length in new[] { 1, 2, 3, 7, 64, 1001 }) // fewer elements than ranks leaves chunks empty
        {
            data.Add(length, CollectiveAlgorithm.Ring);
            data.Add(length, CollectiveAlgorithm.Star);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Distributed_AllReduce_EqualsSumOnEveryRank(int length, CollectiveAlgorithm algorithm)
    {
        CollectiveGroup group = await CollectiveGroup.CreateAsync(fixture.Cluster.Client, DistributedClusterFixture.SiloCount,
            TimeSpan.FromSeconds(30));
        Assert.Equal(group.Size, group.Silos.Distinct().Count());
        var rng = new Xoshiro256((ulong)length);

        // Integers below 2^20: every order of the sums is exact, so the expected sum is exact too.
        var values = new double[group.Size][];
        for (int r = 0; r < group.Size; r++)
        {
            values[r] = [.. Enumerable.Range(0, length).Select(_ => (double)(long)(rng.NextDouble() * (1 << 20)) - (1 << 19))];
        }

        byte[][] results = await group.AllReduceAsync([.. values.Select(v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray())], true, algorithm);
        double[] expected = [.. Enumerable.Range(0, length).Select(i => values.Sum(v => v[i]))];
        foreach (byte[] result in results)
        {
            Assert.Equal(expected, MemoryMarshal.Cast<byte, double>(result).ToArray());
        }

        float[][] floats = [.. values.Select(v => v.Select(x => (float)(x / 3.0)).ToArray())];
        byte[][] first = await group.AllReduceAsync([.. floats.Select(v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray())], false, algorithm);
        byte[][] second = await group.AllReduceAsync([.. floats.Select(v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray())], false, algorithm);
        for (int r = 0; r < group.Size; r++)
        {
            Assert.Equal(first[0], first[r]); // the same bits on every rank
            Assert.Equal(first[r], second[r]); // and on every run
            float[] sum = MemoryMarshal.Cast<byte, float>(first[r]).ToArray();
            for (int i = 0; i < length; i++)
            {
                double exact = floats.Sum(v => (double)v[i]);
                double bound = 2 * group.Size * float.Epsilon + (2 * group.Size * (MathF.BitIncrement(1f) - 1f) * floats.Sum(v => Math.Abs(v[i])));
                Assert.True(Math.Abs(sum[i] - exact) <= bound, $"element {i}: {sum[i]} against {exact}");
            }
        }
    }

    [Fact]
    public async Task Distributed_BroadcastAndGather_MoveEveryRanksBytes()
    {
        CollectiveGroup group = await CollectiveGroup.CreateAsync(fixture.Cluster.Client, DistributedClusterFixture.SiloCount,
            TimeSpan.FromSeconds(30));
        byte[] payload = [.. Enumerable.Range(0, 100_003).Select(i => (byte)(i * 7))];
        byte[][] received = await group.BroadcastAsync(1, payload);
        Assert.All(received, r => Assert.Equal(payload, r));

        byte[][] contributions = [.. Enumerable.Range(0, group.Size).Select(r => Enumerable.Repeat((byte)(r + 1), 10 + r).ToArray())];
        byte[][] gathered = await group.GatherAsync(2, contributions);
        Assert.Equal(contributions, gathered);
    }
}
