using System.Diagnostics;
using System.Text.Json;

namespace Berth.System.Tests;

/// <summary>Scheduled snapshots on a real berthd: snapshots.schedule, .pattern and .expiry through lxc.</summary>
public sealed class SnapshotScheduleTests : IAsyncLifetime
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

    private async Task<List<(string Name, DateTimeOffset Created, DateTimeOffset Expires)>> SnapshotsAsync()
    {
        using var doc = JsonDocument.Parse((await Lxc("query", "/1.0/instances/s1/snapshots?recursion=1")).Stdout);
        return [.. doc.RootElement.EnumerateArray().Select(s => (s.GetProperty("name").GetString()!, s.GetProperty("created_at").GetDateTimeOffset(), s.GetProperty("expires_at").GetDateTimeOffset()))];
    }

    [Fact]
    public async Task Lxc_ScheduleEveryMinute_TakesPatternNamedSnapshots_AndPrunesExpired()
    {
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        await Lxc("launch", "busybox", "s1");
        await Lxc("config", "set", "s1", "snapshots.pattern", "auto-%d");
        var bad = await _berthd.LxcAsync("config", "set", "s1", "snapshots.schedule", "every minute");
        Assert.NotEqual(0, bad.ExitCode);

        // A manual snapshot without a name follows the pattern and the expiry.
        await Lxc("config", "set", "s1", "snapshots.expiry", "2d");
        await Lxc("snapshot", "s1");
        var manual = Assert.Single(await SnapshotsAsync());
        Assert.Equal("auto-0", manual.Name);
        Assert.InRange((manual.Expires - manual.Created).TotalHours, 47.9, 48.1);

        await Lxc("config", "set", "s1", "snapshots.expiry", "1S");
        await Lxc("config", "set", "s1", "snapshots.schedule", "* * * * *");
        var clock = Stopwatch.StartNew();
        List<(string Name, DateTimeOffset Created, DateTimeOffset Expires)> list = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(75) && !list.Any(s => s.Name == "auto-1"))
        {
            await Task.Delay(2000);
            list = await SnapshotsAsync();
        }

        Assert.Contains(list, s => s.Name == "auto-1");

        // auto-1 expired a second after it was taken: the next tick deletes it (and takes auto-N anew).
        await Lxc("config", "unset", "s1", "snapshots.schedule");
        clock.Restart();
        while (clock.Elapsed < TimeSpan.FromSeconds(75) && list.Any(s => s.Name == "auto-1"))
        {
            await Task.Delay(2000);
            list = await SnapshotsAsync();
        }

        Assert.DoesNotContain(list, s => s.Name == "auto-1");
        Assert.Contains(list, s => s.Name == "auto-0");
        await Lxc("delete", "-f", "s1");
    }
}
