using System.Text.Json;

namespace Berth.System.Tests;

/// <summary>Instance snapshots on dir and btrfs pools through the real lxc client and berth.</summary>
public sealed class SnapshotsTests : IAsyncLifetime
{
    private readonly string _pool = "sn" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private async Task LaunchAsync(string driver, string name)
    {
        var create = driver == "btrfs"
            ? await _berthd.LxcAsync("storage", "create", _pool, "btrfs", "size=1GiB")
            : await _berthd.LxcAsync("storage", "create", _pool, "dir");
        Assert.True(create.ExitCode == 0, create.ToString());
        var launch = await _berthd.LxcAsync("launch", "busybox", name, "-s", _pool);
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());
    }

    [Theory]
    [InlineData("btrfs")]
    [InlineData("dir")]
    public async Task Lxc_SnapshotChangeRestore_FileComesBack(string driver)
    {
        await LaunchAsync(driver, "c1");
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "c1", "--", "sh", "-c", "echo original > /f")).ExitCode);

        var snapshot = await _berthd.LxcAsync("snapshot", "c1", "s1");
        Assert.True(snapshot.ExitCode == 0, snapshot.ToString() + _berthd.Log());
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "c1", "--", "sh", "-c", "echo x > /f")).ExitCode);
        Assert.Equal("x\n", (await _berthd.LxcAsync("exec", "c1", "--", "cat", "/f")).Stdout);
        var restore = await _berthd.LxcAsync("restore", "c1", "s1");
        Assert.True(restore.ExitCode == 0, restore.ToString() + _berthd.Log());

        Assert.Equal("original\n", (await _berthd.LxcAsync("exec", "c1", "--", "cat", "/f")).Stdout);
        Assert.Equal("c1,RUNNING,,,CONTAINER,1\n", (await _berthd.LxcAsync("list", "--format", "csv")).Stdout);
        var snapshotDir = Path.Combine(_berthd.Dir, "storage-pools", _pool, "containers-snapshots", "c1", "s1");
        if (driver == "btrfs")
        {
            Assert.Equal("ro=true", (await ProcessRunner.RunAsync("btrfs", ["property", "get", snapshotDir, "ro"])).Stdout.Trim());
        }

        Assert.Equal(0, (await _berthd.LxcAsync("delete", "c1/s1")).ExitCode);
        Assert.False(Directory.Exists(snapshotDir));
        Assert.Equal("[]", (await _berthd.LxcAsync("query", "/1.0/instances/c1/snapshots")).Stdout.Trim());
    }

    [Fact]
    public async Task Lxc_SnapshotsAppearInInfoAndRecursion_RenameAndDeleteWithInstance()
    {
        await LaunchAsync("btrfs", "c2");
        Assert.Equal(0, (await _berthd.LxcAsync("snapshot", "c2")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("snapshot", "c2")).ExitCode);

        var info = (await _berthd.LxcAsync("info", "c2")).Stdout;
        Assert.Contains("| snap0 |", info, StringComparison.Ordinal);
        Assert.Contains("| snap1 |", info, StringComparison.Ordinal);
        using (var full = JsonDocument.Parse((await _berthd.LxcAsync("query", "/1.0/instances/c2?recursion=1")).Stdout))
        {
            var names = full.RootElement.GetProperty("snapshots").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
            Assert.Equal(["snap0", "snap1"], names);
        }

        using (var one = JsonDocument.Parse((await _berthd.LxcAsync("query", "/1.0/instances/c2/snapshots/snap0")).Stdout))
        {
            Assert.Equal("busybox", one.RootElement.GetProperty("config").GetProperty("image.os").GetString());
            Assert.Equal(-1, one.RootElement.GetProperty("size").GetInt64());
        }

        Assert.Equal(0, (await _berthd.LxcAsync("rename", "c2/snap1", "c2/later")).ExitCode);
        Assert.Equal("[\n\t\"/1.0/instances/c2/snapshots/snap0\",\n\t\"/1.0/instances/c2/snapshots/later\"\n]", (await _berthd.LxcAsync("query", "/1.0/instances/c2/snapshots")).Stdout.Trim());
        Assert.True(Directory.Exists(Path.Combine(_berthd.Dir, "storage-pools", _pool, "containers-snapshots", "c2", "later")));

        Assert.Equal(0, (await _berthd.LxcAsync("delete", "-f", "c2")).ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_berthd.Dir, "storage-pools", _pool, "containers-snapshots", "c2")));
        var subvolumes = (await ProcessRunner.RunAsync("btrfs", ["subvolume", "list", Path.Combine(_berthd.Dir, "storage-pools", _pool)])).Stdout;
        Assert.DoesNotContain("containers", subvolumes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lxc_BadSnapshotRequests_AreRefusedAndChangeNothing()
    {
        await LaunchAsync("dir", "c3");
        Assert.Equal(0, (await _berthd.LxcAsync("snapshot", "c3", "s1")).ExitCode);

        var stateful = await _berthd.LxcAsync("snapshot", "c3", "s2", "--stateful");
        var duplicate = await _berthd.LxcAsync("snapshot", "c3", "s1");
        var slash = await _berthd.LxcAsync("query", "-X", "POST", "-d", "{\"name\":\"a/b\"}", "/1.0/instances/c3/snapshots");
        var missing = await _berthd.LxcAsync("restore", "c3", "nope");

        Assert.Contains("CRIU", stateful.Stderr, StringComparison.Ordinal);
        Assert.Contains("already exists", duplicate.Stderr, StringComparison.Ordinal);
        Assert.Contains("may not be empty or contain \"/\"", slash.Stderr, StringComparison.Ordinal);
        Assert.Contains("not found", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal("[\n\t\"/1.0/instances/c3/snapshots/s1\"\n]", (await _berthd.LxcAsync("query", "/1.0/instances/c3/snapshots")).Stdout.Trim());
    }

    [Fact]
    public async Task Berth_SnapshotRestoreDelete()
    {
        await LaunchAsync("btrfs", "c4");
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "c4", "--", "sh", "-c", "echo one > /f")).ExitCode);

        var snapshot = await _berthd.BerthAsync("snapshot", "c4", "b1");
        Assert.True(snapshot.ExitCode == 0, snapshot.ToString());
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "c4", "--", "rm", "/f")).ExitCode);
        var restore = await _berthd.BerthAsync("restore", "c4", "b1");
        Assert.True(restore.ExitCode == 0, restore.ToString());

        Assert.Equal("one\n", (await _berthd.LxcAsync("exec", "c4", "--", "cat", "/f")).Stdout);
        Assert.Equal(0, (await _berthd.BerthAsync("delete", "c4/b1")).ExitCode);
        Assert.Equal("[]", (await _berthd.LxcAsync("query", "/1.0/instances/c4/snapshots")).Stdout.Trim());
    }
}
