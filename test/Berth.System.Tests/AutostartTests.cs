using System.Diagnostics;

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
}
