namespace NgdKernel.Distributed.Tests;

/// <summary>
/// Data-parallel training on three silos against the one-machine optimizer on the concatenated batch.
/// </summary>
[Collection(DistributedClusterCollection.Name)]
public sealed class DistributedEquivalenceTests(DistributedClusterFixture fixture)
{
    private const int Steps = 20;

    internal static DataParallelOptions Options(DataParallelAlgorithm algorithm = DataParallelAlgorithm.NaturalGradient) => new()
    {
        WorkerCount = DistributedClusterFixture.SiloCount,
        BatchSize = 30, // ranks take 10 rows each of shards of 32 examples: a new epoch every third step
        Algorithm = algorithm,
        DataSet = DistributedData.Name,
        DataSeed = 5,
        Timeout = TimeSpan.FromSeconds(30),

        // Covariance space on one machine too: the owners never see the examples.
        NaturalGradient = new NaturalGradientOptions { SampleCount = 2, Seed = 9, SampleSpace = SampleSpacePolicy.Never },
        Sgd = new SgdOptions { LearningRate = 0.05, Momentum = 0.5 },
    };

    [Fact]
    public Task Distributed_NaturalGradient_EqualsOneMachineOnConcatenatedBatch_Double() =>
        EqualsOneMachine<double>(DataParallelAlgorithm.NaturalGradient, 1e-12);

    [Fact]
    public Task Distributed_NaturalGradient_EqualsOneMachineOnConcatenatedBatch_Float() =>
        EqualsOneMachine<float>(DataParallelAlgorithm.NaturalGradient, 1e-5);

    [Fact]
    public Task Distributed_Sgd_EqualsOneMachineOnConcatenatedBatch_Double() =>
        EqualsOneMachine<double>(DataParallelAlgorithm.Sgd, 1e-12);

    [Fact]
    public Task Distributed_BatchSentByCaller_EqualsOneMachine_Double() =>
        EqualsOneMachine<double>(fixture.Cluster.Client, fixture.Source, Options() with { DataSet = "" }, 1e-12);

    [Fact]
    public async Task Distributed_SameSeedAndWorkers_BitIdentical()
    {
        DataParallelOptions options = Options();
        double[][] first = await Train<double>(options);
        double[][] second = await Train<double>(options);
        for (int l = 0; l < first.Length; l++)
        {
            Assert.Equal(first[l], second[l]);
        }
    }

    private Task EqualsOneMachine<T>(DataParallelAlgorithm algorithm, double tolerance)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        EqualsOneMachine<T>(fixture.Cluster.Client, fixture.Source, Options(algorithm), tolerance);

    /// <summary>
    /// Twenty steps on <paramref name="grains"/>' silos against the one-machine optimizer on the
    /// concatenated batches: same losses, same Eq. 21 decisions, weights within <paramref name="tolerance"/>
    /// relative to the largest weight, and every rank holding the same bits.
    /// </summary>
    internal static async Task EqualsOneMachine<T>(IGrainFactory grains, IDataShardSource source, DataParallelOptions options,
        double tolerance)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        DataParallelAlgorithm algorithm = options.Algorithm;
        Network<T> network = DistributedData.CreateNetwork<T>();
        DataParallelTrainer<T> trainer = await DataParallelTrainer<T>.StartAsync(grains, network, options);
        Assert.Equal(options.WorkerCount, trainer.WorkerSilos.Distinct().Count()); // one worker per silo

        IOptimizer<T> optimizer = algorithm == DataParallelAlgorithm.Sgd
            ? new SgdOptimizer<T>(network, options.Sgd)
            : new NaturalGradientOptimizer<T>(network, options.NaturalGradient);
        var reference = new DistributedReference<T>(source, options.DataSet.Length == 0 ? options with { DataSet = DistributedData.Name } : options, network.InputSize, network.OutputSize);
        var dampings = new List<(double, double)>();
        for (int s = 0; s < Steps; s++)
        {
            reference.NextBatch();
            StepResult distributed = options.DataSet.Length == 0
                ? await trainer.StepAsync(reference.Inputs, reference.Targets)
                : await trainer.StepAsync();
            StepResult local = optimizer.Step(reference.Inputs, reference.Targets);
            Assert.Equal(local.Step, distributed.Step);
            Assert.Equal(local.Retries, distributed.Retries);
            AssertClose(local.Loss, distributed.Loss, tolerance, $"loss of step {s + 1}");
            dampings.Add((local.NextDamping, distributed.NextDamping));
        }

        // The damping followed the same Eq. 21 decisions (NaN for SGD on both sides).
        Assert.All(dampings, d => Assert.Equal(d.Item1, d.Item2));
        if (algorithm == DataParallelAlgorithm.NaturalGradient)
        {
            Assert.Contains(dampings, d => d.Item1 != options.NaturalGradient.InitialDamping); // Eq. 21 did act
        }

        for (int l = 0; l < network.LayerCount; l++)
        {
            T[] rank0 = await trainer.GetWeightsAsync(0, l);
            for (int r = 1; r < options.WorkerCount; r++)
            {
                Assert.Equal(rank0, await trainer.GetWeightsAsync(r, l)); // every rank holds the owner's bits
            }

            T[] expected = network.Weights(l).ToArray().Cast<T>().ToArray();
            double scale = expected.Max(w => Math.Abs(double.CreateTruncating(w)));
            double worst = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(double.CreateTruncating(expected[i]) - double.CreateTruncating(rank0[i])) / scale);
            }

            Assert.True(worst <= tolerance, $"layer {l}: max |W_distributed - W_one machine| / max |W| = {worst:E3} > {tolerance:E0}");
            Assert.True(worst > 0 || typeof(T) == typeof(float), "the sums of the ranks round differently from one product; bit equality would mean the test compares a run with itself");
        }
    }

    internal async Task<double[][]> Train<T>(DataParallelOptions options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Network<T> network = DistributedData.CreateNetwork<T>();
        DataParallelTrainer<T> trainer = await DataParallelTrainer<T>.StartAsync(fixture.Cluster.Client, network, options);
        for (int s = 0; s < Steps; s++)
        {
            await trainer.StepAsync();
        }

        return await WeightsOf(trainer, network.LayerCount);
    }

    internal static async Task<double[][]> WeightsOf<T>(DataParallelTrainer<T> trainer, int layers)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var weights = new double[layers][];
        for (int l = 0; l < layers; l++)
        {
            weights[l] = [.. (await trainer.GetWeightsAsync(0, l)).Select(w => double.CreateTruncating(w))];
        }

        return weights;
    }

    private static void AssertClose(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Abs(expected),
            $"{what}: one machine {expected:R}, distributed {actual:R}");
}
