namespace Berth.System.Tests;

/// <summary><c>lxc copy SRC DST --refresh</c> through Debian's lxc: only missing snapshots sent, the volume synced.</summary>
public sealed class CopyRefreshTests : IAsyncLifetime
{
    private readonly string _pool = "cr" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(0, (await _berthd.LxcAsync("storage", "create", _pool, "btrfs", "size=1GiB")).ExitCode);
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private async Task<string> SubvolumeIdAsync(string path)
    {
        var show = await ProcessRunner.RunAsync("btrfs", ["subvolume", "show", path]);
        Assert.True(show.ExitCode == 0, show.ToString());
        return show.Stdout.Split('\n').Single(l => l.Trim().StartsWith("Subvolume ID:", StringComparison.Ordinal)).Trim();
    }

    [Fact]
    public async Task Lxc_CopyRefresh_SendsMissingSnapshotsDropsStaleOnesAndSyncsTheVolume()
    {
        var launch = await _berthd.LxcAsync("launch", "busybox", "src", "-s", _pool);
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "src", "--", "sh", "-c", "echo one > /f")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("snapshot", "src", "s1")).ExitCode);
        var copy = await _berthd.LxcAsync("copy", "src", "dst");
        Assert.True(copy.ExitCode == 0, copy.ToString() + _berthd.Log());
        Assert.Equal(0, (await _berthd.LxcAsync("config", "set", "dst", "user.mine", "kept")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("snapshot", "dst", "extra")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "src", "--", "sh", "-c", "echo two > /f")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("snapshot", "src", "s2")).ExitCode);
        var snapshots = Path.Combine(_berthd.Dir, "storage-pools", _pool, "containers-snapshots", "dst");
        var s1Before = await SubvolumeIdAsync(Path.Combine(snapshots, "s1"));
        Assert.Equal(0, (await _berthd.LxcAsync("config", "set", "src", "user.tag", "fromsrc")).ExitCode);

        var refresh = await _berthd.LxcAsync("copy", "src", "dst", "--refresh");

        Assert.True(refresh.ExitCode == 0, refresh.ToString() + _berthd.Log());
        Assert.Equal("[\n\t\"/1.0/instances/dst/snapshots/s1\",\n\t\"/1.0/instances/dst/snapshots/s2\"\n]", (await _berthd.LxcAsync("query", "/1.0/instances/dst/snapshots")).Stdout.Trim());
        Assert.Equal(s1Before, await SubvolumeIdAsync(Path.Combine(snapshots, "s1")));
        Assert.False(Directory.Exists(Path.Combine(snapshots, "extra")));
        // Debian's lxc brings the target's config in line with the source's after the refresh, as with LXD.
        Assert.Equal("fromsrc", (await _berthd.LxcAsync("config", "get", "dst", "user.tag")).Stdout.Trim());
        Assert.Equal("", (await _berthd.LxcAsync("config", "get", "dst", "user.mine")).Stdout.Trim());
        Assert.Equal(0, (await _berthd.LxcAsync("start", "dst")).ExitCode);
        Assert.Equal("two\ndst\n", (await _berthd.LxcAsync("exec", "dst", "--", "cat", "/f", "/etc/hostname")).Stdout);

        // A running target is refused and left as it was; without a target, a refresh is a plain copy.
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "src", "--", "sh", "-c", "echo three > /f")).ExitCode);
        var running = await _berthd.LxcAsync("copy", "src", "dst", "--refresh");
        Assert.NotEqual(0, running.ExitCode);
        Assert.Contains("Cannot refresh a running instance", running.Stderr, StringComparison.Ordinal);
        Assert.Equal("two\n", (await _berthd.LxcAsync("exec", "dst", "--", "cat", "/f")).Stdout);
        var fresh = await _berthd.LxcAsync("copy", "src", "fresh", "--refresh");
        Assert.True(fresh.ExitCode == 0, fresh.ToString() + _berthd.Log());
        Assert.Equal(0, (await _berthd.LxcAsync("start", "fresh")).ExitCode);
        Assert.Equal("three\n", (await _berthd.LxcAsync("exec", "fresh", "--", "cat", "/f")).Stdout);
    }
}
