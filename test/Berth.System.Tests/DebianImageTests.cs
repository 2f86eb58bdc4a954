using System.Diagnostics;

namespace Berth.System.Tests;

/// <summary>
/// <c>berth image build debian</c> (debootstrap from the host's apt mirror) boots systemd to "running" in an
/// unprivileged container and shuts down cleanly, driven through Debian's lxc.
/// </summary>
public sealed class DebianImageTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/sbin/debootstrap"), "debootstrap is not installed");
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task DebianImage_BootsSystemdToRunningAndStopsCleanly()
    {
        var build = await _berthd.BerthSlowAsync(TimeSpan.FromMinutes(10), "image", "build", "debian", "--alias", "debian");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("Image built: Debian bookworm", build.Stdout, StringComparison.Ordinal);
        var info = await _berthd.LxcAsync("image", "info", "debian");
        Assert.Contains("os: debian", info.Stdout, StringComparison.Ordinal);

        var launch = await _berthd.LxcAsync("launch", "debian", "deb1");
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());

        var status = "";
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 60 && clock.Elapsed < TimeSpan.FromSeconds(30); i++)
        {
            status = (await _berthd.LxcAsync("exec", "deb1", "--", "systemctl", "is-system-running")).Stdout.Trim();
            if (status is "running" or "degraded")
            {
                break;
            }

            await Task.Delay(500);
        }

        var failed = await _berthd.LxcAsync("exec", "deb1", "--", "systemctl", "--failed", "--no-legend");
        Assert.True(status == "running", $"systemd is \"{status}\"; failed units: {failed.Stdout}");
        Assert.Equal("systemd\n", (await _berthd.LxcAsync("exec", "deb1", "--", "cat", "/proc/1/comm")).Stdout);
        Assert.Equal("deb1\n", (await _berthd.LxcAsync("exec", "deb1", "--", "hostname")).Stdout);

        // A clean stop: systemd powers off on SIGRTMIN+3 well before the 30 s timeout would force it.
        clock.Restart();
        var stop = await _berthd.LxcAsync("stop", "deb1");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stop took {clock.Elapsed}");
        Assert.Equal("deb1,STOPPED\n", (await _berthd.LxcAsync("list", "--format", "csv", "-c", "ns")).Stdout);
    }
}
