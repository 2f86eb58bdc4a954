using System.Diagnostics;

namespace Berth.Native.Tests;

/// <summary>start through berth-fork, then the in-process (non-forking) calls through libberth-lxc.so.</summary>
public class ContainerLifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Start_ThenInProcessCalls_ThenStop()
    {
        NativeRequirements.RequireContainers();
        await using var ct = TestContainer.Create();
        var cgroupBefore = await File.ReadAllTextAsync("/proc/self/cgroup", TestContext.Current.CancellationToken);

        var pid = await ct.StartAsync();

        Assert.True(pid > 0);
        Assert.Equal(cgroupBefore, await File.ReadAllTextAsync("/proc/self/cgroup", TestContext.Current.CancellationToken));
        Assert.Equal("RUNNING", ct.Control.GetState());
        Assert.Equal(pid, ct.Control.GetInitPid());
        Assert.Equal(ct.Name, ct.Control.GetRunningConfigItem("lxc.uts.name"));
        Assert.StartsWith("5.", LxcContainerControl.LxcVersion, StringComparison.Ordinal);

        ct.Control.Freeze();
        Assert.Equal("FROZEN", ct.Control.GetState());
        ct.Control.Unfreeze();
        Assert.Equal("RUNNING", ct.Control.GetState());

        if (CgroupLayoutDetector.Detect() != CgroupLayout.Unified)
        {
            ct.Control.SetCgroupItem("memory.limit_in_bytes", "268435456");
            Assert.Equal("268435456", ct.Control.GetCgroupItem("memory.limit_in_bytes"));
        }

        Assert.Throws<NotSupportedException>(() => ct.Control.SetRunningConfigItem("lxc.uts.name", "x"));
        var already = await Assert.ThrowsAsync<BerthForkException>(ct.StartAsync);
        Assert.Contains("already running", already.Message, StringComparison.Ordinal);

        ct.Control.Stop();
        Assert.Equal("STOPPED", ct.Control.GetState());
        var notRunning = Assert.Throws<ErrnoException>(() => ct.Control.GetInitPid());
        Assert.True(notRunning.IsNotRunning);

        // berth-fork left lxc.monitor.<name> before the monitor exited, so liblxc could remove it.
        await WaitForNoCgroupsAsync(ct);
        Assert.Empty(ct.LeakedCgroups());
        Assert.Equal(cgroupBefore, await File.ReadAllTextAsync("/proc/self/cgroup", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Start_BadInit_FailsWithLogPath_AndLeaksNoCgroup()
    {
        NativeRequirements.RequireContainers();
        await using var ct = TestContainer.Create();
        var config = Path.Combine(ct.LxcPath, ct.Name, "config");
        var text = await File.ReadAllTextAsync(config, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(config, text.Replace("/bin/berth-init", "/bin/missing-init", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<BerthForkException>(ct.StartAsync);

        Assert.Equal(1, e.ExitCode);
        Assert.Contains(ct.LogFile, e.Message, StringComparison.Ordinal);
        Assert.Equal("STOPPED", ct.Control.GetState());
        await WaitForNoCgroupsAsync(ct);
        Assert.Empty(ct.LeakedCgroups());
    }

    [Fact]
    public async Task MissingContainer_ThrowsFileNotFound()
    {
        NativeRequirements.RequireContainers();
        var control = new LxcContainerControl(Path.GetTempPath(), "bn-does-not-exist");
        Assert.Throws<FileNotFoundException>(() => control.GetInitPid());
        var e = await Assert.ThrowsAsync<BerthForkException>(
            () => BerthFork.StartAsync(Path.GetTempPath(), "bn-does-not-exist", TestContext.Current.CancellationToken));
        Assert.Contains("no config", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Measure_StartToRunning_Median()
    {
        NativeRequirements.RequireContainers();
        await using var ct = TestContainer.Create();
        var times = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var sw = Stopwatch.StartNew();
            await ct.StartAsync();
            times.Add(sw.Elapsed.TotalMilliseconds);
            Assert.Equal("RUNNING", ct.Control.GetState());
            sw.Restart();
            ct.Control.Stop();
            times.Add(-sw.Elapsed.TotalMilliseconds);
        }

        var starts = times.Where(t => t > 0).Order().ToList();
        var stops = times.Where(t => t < 0).Select(t => -t).Order().ToList();
        output.WriteLine($"start->RUNNING via berth-fork: median {starts[5]:F1} ms (min {starts[0]:F1}, max {starts[^1]:F1}); stop (kill) median {stops[5]:F1} ms");
        await WaitForNoCgroupsAsync(ct);
        Assert.Empty(ct.LeakedCgroups());
    }

    private static async Task WaitForNoCgroupsAsync(TestContainer ct)
    {
        var sw = Stopwatch.StartNew();
        while (ct.LeakedCgroups().Count > 0 && sw.ElapsedMilliseconds < 3000)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
