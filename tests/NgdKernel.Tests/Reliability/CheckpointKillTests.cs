using System.Diagnostics;
using System.Globalization;
using NgdKernel.CheckpointWriter;

namespace NgdKernel.Tests.Reliability;

/// <summary>
/// A child process trains and checkpoints in a loop (about 0.4 MB per file, flushed to disk and
/// renamed each step) and is killed at random moments; after every kill the file on disk must load
/// and hold either the last state the child reported saved or the one it was writing.
/// </summary>
public sealed class CheckpointKillTests(ITestOutputHelper output)
{
    /// <summary>CI-sized; set NGD_KILL_COUNT for a longer run.</summary>
    private static int KillCount =>
        int.TryParse(Environment.GetEnvironmentVariable("NGD_KILL_COUNT"), CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 24;

    [Fact]
    public void Checkpoint_WriterKilledAtRandomMoments_LeavesOldOrNewState()
    {
        using var folder = new TempFolder();
        string path = folder.File("loop.ckpt");
        var random = new Random(20261127);
        long lastOnDisk = -1;
        int killsBeforeReady = 0;
        int killsWithTemporaryFile = 0;
        int kills = KillCount;
        for (int k = 0; k < kills; k++)
        {
            long reported = -1;
            long readyAt = -1;
            var ready = new ManualResetEventSlim();
            long spawnedAt = Stopwatch.GetTimestamp();
            long readyTicks = 0;
            using Process child = ChildProcess.Start("loop", "kill-loop", path, "30");
            child.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                string[] parts = e.Data.Split(' ');
                long value = long.Parse(parts[1], CultureInfo.InvariantCulture);
                if (parts[0] == "ready")
                {
                    Interlocked.Exchange(ref readyAt, value);
                    Interlocked.Exchange(ref readyTicks, Stopwatch.GetTimestamp());
                    ready.Set();
                }
                else if (parts[0] == "saved")
                {
                    Interlocked.Exchange(ref reported, value);
                }
                else
                {
                    throw new InvalidOperationException("unexpected line from the writer: " + e.Data);
                }
            };
            child.BeginOutputReadLine();

            // One kill in six lands during start-up or loading; the rest while saving in the loop.
            if (random.Next(6) == 0)
            {
                Thread.Sleep(random.Next(0, 150));
            }
            else
            {
                if (!ready.Wait(TimeSpan.FromSeconds(60)))
                {
                    child.Kill();
                    Assert.Fail("the checkpoint writer did not start: " + child.StandardError.ReadToEnd());
                }

                // Let it save at least once (the first step and save include JIT), then kill at a
                // random point of the step / write / flush / rename loop.
                var waitForSave = Stopwatch.StartNew();
                while (Interlocked.Read(ref reported) <= Interlocked.Read(ref readyAt) && waitForSave.Elapsed < TimeSpan.FromSeconds(30) && !child.HasExited)
                {
                    Thread.Sleep(1);
                }

                Thread.Sleep(random.Next(0, 60));
            }

            if (!ready.IsSet)
            {
                killsBeforeReady++;
            }

            long killAt = Stopwatch.GetTimestamp();
            try
            {
                child.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited (it never does on its own within 30 s, but do not fail on the race).
            }

            child.WaitForExit(); // also drains the redirected output
            if (k < 3)
            {
                output.WriteLine($"kill {k}: ready after {Stopwatch.GetElapsedTime(spawnedAt, readyTicks == 0 ? spawnedAt : readyTicks).TotalSeconds:F2} s, exited {Stopwatch.GetElapsedTime(killAt).TotalSeconds:F2} s after the kill, {Stopwatch.GetElapsedTime(spawnedAt).TotalSeconds:F2} s in all, steps {readyAt}..{reported}");
            }

            if (File.Exists(path + ".tmp"))
            {
                killsWithTemporaryFile++;
            }

            if (!File.Exists(path))
            {
                Assert.Equal(-1, lastOnDisk);
                Assert.Equal(-1, Interlocked.Read(ref reported));
                continue;
            }

            // The old state (last reported, or the one loaded at start) or the new one being written.
            CheckpointInfo info = Checkpoint.ReadInfo(path);
            long known = Math.Max(Interlocked.Read(ref reported), Math.Max(Interlocked.Read(ref readyAt), lastOnDisk));
            Assert.True(info.StepCount == known || info.StepCount == known + 1,
                $"kill {k}: file holds step {info.StepCount}, last known {known}");
            Assert.True(info.StepCount >= lastOnDisk, $"kill {k}: went back from {lastOnDisk} to {info.StepCount}");
            var check = new Scenario<double>("kill-loop");
            Checkpoint.Load(path, check.Optimizer);
            Assert.Equal(info.StepCount, check.Optimizer.StepCount);
            lastOnDisk = info.StepCount;
        }

        output.WriteLine($"{kills} kills ({killsBeforeReady} before the writer was ready, {killsWithTemporaryFile} with a temporary file left mid-write); final state at step {lastOnDisk}; every state on disk loaded.");
        Assert.True(lastOnDisk > 0);
    }
}
