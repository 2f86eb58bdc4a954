using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Berth.System.Tests;

/// <summary>Instances coming back when berthd starts after its containers died (a host reboot, simulated).</summary>
public sealed class AutostartTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync() => _berthd = await BerthdProcess.StartAsync();

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private async Task<ProcessResult> Lxc(params string[] args)
    {
        var result = await _berthd.LxcAsync(args);
        Assert.True(result.ExitCode == 0, $"lxc {string.Join(' ', args)}: {result}\n{_berthd.Log()}");
        return result;
    }

    [Fact]
    public async Task Lxc_AfterReboot_RunningAndAutostartInstancesComeBack_OthersStayStopped()
    {
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        await Lxc("launch", "busybox", "was-running");
        await Lxc("launch", "busybox", "opted-out", "-c", "boot.autostart=false");
        await Lxc("init", "busybox", "opted-in", "-c", "boot.autostart=true", "-c", "boot.autostart.priority=10");
        await Lxc("launch", "busybox", "was-stopped");
        await Lxc("stop", "-f", "was-stopped");

        // The "reboot": berthd dies, then every container is killed behind its back.
        await _berthd.KillAsync();
        var lxcPath = Path.Combine(_berthd.Dir, "containers");
        foreach (var name in new[] { "was-running", "opted-out" })
        {
            var stop = await ProcessRunner.RunAsync("lxc-stop", ["-P", lxcPath, "-n", name, "-k"]);
            Assert.True(stop.ExitCode == 0, stop.ToString());
        }

        await _berthd.StartAgainAsync();
        var clock = Stopwatch.StartNew();
        var states = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            states = (await Lxc("list", "-c", "ns", "--format", "csv")).Stdout;
            if (states.Contains("was-running,RUNNING", StringComparison.Ordinal) && states.Contains("opted-in,RUNNING", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(500);
        }

        Assert.Equal("opted-in,RUNNING\nopted-out,STOPPED\nwas-running,RUNNING\nwas-stopped,STOPPED\n", states);
        Assert.Equal("was-running\n", (await Lxc("exec", "was-running", "--", "hostname")).Stdout);
    }

    [Fact]
    public async Task BerthdShutdown_StopsInstancesByStopPriority_AndTheyComeBackAtTheNextStart()
    {
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        await Lxc("launch", "busybox", "last", "-c", "boot.stop.priority=1", "-c", "boot.host_shutdown_timeout=3");
        await Lxc("launch", "busybox", "first", "-c", "boot.stop.priority=10", "-c", "boot.host_shutdown_timeout=3");
        await Lxc("init", "busybox", "idle");
        var pids = new[] { "first", "last" }.ToDictionary(n => n, n => PidOf(n));

        var monitor = ProcessRunner.RunAsync("timeout", ["30", SystemRequirements.Tool("lxc"), "monitor", "--type", "lifecycle"], _berthd.Env, timeout: TimeSpan.FromSeconds(40));
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        var shutdown = await _berthd.BerthdAsync("shutdown");
        Assert.True(shutdown.ExitCode == 0, shutdown + "\n" + _berthd.Log());
        Assert.True(await _berthd.WaitExitAsync(TimeSpan.FromSeconds(20)), "berthd did not exit");
        var events = (await monitor).Stdout;

        foreach (var (name, pid) in pids)
        {
            Assert.False(Directory.Exists($"/proc/{await pid}"), $"{name}'s init still runs after berthd shutdown");
        }

        var firstStopped = events.IndexOf("source: /1.0/instances/first", StringComparison.Ordinal);
        var lastStopped = events.IndexOf("source: /1.0/instances/last", StringComparison.Ordinal);
        Assert.True(firstStopped >= 0 && lastStopped > firstStopped, "stop order (priority 10 before 1):\n" + events);

        await _berthd.StartAgainAsync();
        var clock = Stopwatch.StartNew();
        var states = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            states = (await Lxc("list", "-c", "ns", "--format", "csv")).Stdout;
            if (states == "first,RUNNING\nidle,STOPPED\nlast,RUNNING\n")
            {
                break;
            }

            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        Assert.Equal("first,RUNNING\nidle,STOPPED\nlast,RUNNING\n", states);
    }

    private async Task<string> PidOf(string name)
    {
        var state = (await Lxc("query", $"/1.0/instances/{name}/state")).Stdout;
        var pid = Regex.Match(state, "\"pid\":\\s*(\\d+)").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(pid) || pid == "0", state);
        return pid;
    }
}
