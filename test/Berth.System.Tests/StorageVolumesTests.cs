namespace Berth.System.Tests;

/// <summary>Custom volumes on a real berthd: create, attach (hot-plugged, idmapped), snapshot, copy, rename, delete.</summary>
public sealed class StorageVolumesTests : IAsyncLifetime
{
    private readonly string _pool = "vp" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/bin/mkfs.btrfs") || File.Exists("/usr/sbin/mkfs.btrfs") || File.Exists("/sbin/mkfs.btrfs"), "btrfs-progs is not installed");
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private async Task<ProcessResult> Lxc(params string[] args)
    {
        var result = await _berthd.LxcAsync(args);
        Assert.True(result.ExitCode == 0, $"lxc {string.Join(' ', args)}: {result}\n{_berthd.Log()}");
        return result;
    }

    private async Task LaunchAsync(string name)
    {
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        await Lxc("launch", "busybox", name, "-s", _pool);
    }

    [Fact]
    public async Task Lxc_VolumeAttachedToRunningContainer_WritableAsRoot_DetachKeepsData()
    {
        await Lxc("storage", "create", _pool, "btrfs", "size=1GiB");
        await LaunchAsync("c1");
        await Lxc("storage", "volume", "create", _pool, "data");

        await Lxc("storage", "volume", "attach", _pool, "data", "c1", "/mnt/data");
        await Lxc("exec", "c1", "--", "sh", "-c", "echo kept > /mnt/data/f && chown 1000:1000 /mnt/data/f");

        Assert.Equal("1000 1000\n", (await Lxc("exec", "c1", "--", "stat", "-c", "%u %g", "/mnt/data/f")).Stdout);
        var hostFile = Path.Combine(_berthd.Dir, "storage-pools", _pool, "custom", "default_data", "f");
        Assert.Equal("kept\n", await File.ReadAllTextAsync(hostFile));
        Assert.Contains("/1.0/instances/c1", (await Lxc("storage", "volume", "show", _pool, "data")).Stdout, StringComparison.Ordinal);
        var inUse = await _berthd.LxcAsync("storage", "volume", "delete", _pool, "data");
        Assert.Equal("Error: The storage volume is still in use\n", inUse.Stderr);

        await Lxc("storage", "volume", "detach", _pool, "data", "c1");
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", "c1", "--", "cat", "/mnt/data/f")).ExitCode);
        await Lxc("restart", "-f", "c1");
        Assert.Equal("", (await Lxc("exec", "c1", "--", "ls", "/mnt/data")).Stdout);

        // Attached while stopped, mounted at start.
        await Lxc("stop", "-f", "c1");
        await Lxc("storage", "volume", "attach", _pool, "data", "c1", "d2", "/srv");
        await Lxc("start", "c1");
        Assert.Equal("kept\n", (await Lxc("exec", "c1", "--", "cat", "/srv/f")).Stdout);

        var poolInUse = await _berthd.LxcAsync("storage", "delete", _pool);
        Assert.Equal(1, poolInUse.ExitCode);
        await Lxc("delete", "-f", "c1");
        await Lxc("storage", "volume", "delete", _pool, "data");
        Assert.False(File.Exists(hostFile));
        await Lxc("storage", "delete", _pool);
    }

    [Fact]
    public async Task Lxc_VolumeSnapshotRestoreCopyRename()
    {
        await Lxc("storage", "create", _pool, "btrfs", "size=1GiB");
        await Lxc("storage", "volume", "create", _pool, "v1", "size=64MiB");
        var dir = Path.Combine(_berthd.Dir, "storage-pools", _pool, "custom");
        await File.WriteAllTextAsync(Path.Combine(dir, "default_v1", "f"), "one");

        await Lxc("storage", "volume", "snapshot", _pool, "v1", "s1");
        await File.WriteAllTextAsync(Path.Combine(dir, "default_v1", "f"), "two");
        await Lxc("storage", "volume", "restore", _pool, "v1", "s1");
        Assert.Equal("one", await File.ReadAllTextAsync(Path.Combine(dir, "default_v1", "f")));

        await Lxc("storage", "volume", "copy", $"{_pool}/v1", $"{_pool}/v2");
        Assert.Equal("one", await File.ReadAllTextAsync(Path.Combine(dir, "default_v2", "f")));
        Assert.Equal("64MiB\n", (await Lxc("storage", "volume", "get", _pool, "v2", "size")).Stdout);
        Assert.Contains("s1", (await Lxc("query", $"/1.0/storage-pools/{_pool}/volumes/custom/v2/snapshots")).Stdout, StringComparison.Ordinal);

        await Lxc("storage", "volume", "rename", _pool, "v2", "v3");
        Assert.False(Directory.Exists(Path.Combine(dir, "default_v2")));
        Assert.Equal("one", await File.ReadAllTextAsync(Path.Combine(dir, "default_v3", "f")));
        var list = (await Lxc("storage", "volume", "list", _pool, "--format", "csv")).Stdout;
        Assert.Equal("custom,v1,,filesystem,0\ncustom (snapshot),v1/s1,,filesystem,0\ncustom,v3,,filesystem,0\ncustom (snapshot),v3/s1,,filesystem,0\n", list);

        var tooSmall = await _berthd.LxcAsync("storage", "volume", "create", _pool, "tiny", "size=1KiB");
        var badName = await _berthd.LxcAsync("query", "-X", "POST", "-d", "{\"name\":\"a/b\",\"type\":\"custom\"}", $"/1.0/storage-pools/{_pool}/volumes");
        var exists = await _berthd.LxcAsync("storage", "volume", "create", _pool, "v1");
        Assert.Contains("too small", tooSmall.Stderr, StringComparison.Ordinal);
        Assert.Contains("Invalid storage volume name", badName.Stderr, StringComparison.Ordinal);
        Assert.Contains("already exists", exists.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir, "default_tiny")));

        await Lxc("storage", "volume", "delete", _pool, "v1");
        await Lxc("storage", "volume", "delete", _pool, "v3");
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        await Lxc("storage", "delete", _pool);
    }

    [Fact]
    public async Task Berth_And_Pylxd_Volumes()
    {
        Assert.Equal(0, (await _berthd.BerthAsync("storage", "create", _pool, "dir")).ExitCode);
        Assert.Equal($"Storage volume bv created\n", (await _berthd.BerthAsync("storage", "volume", "create", _pool, "bv")).Stdout);
        Assert.Equal(0, (await _berthd.BerthAsync("storage", "volume", "set", _pool, "bv", "user.note=hi")).ExitCode);
        Assert.Equal("hi\n", (await _berthd.BerthAsync("storage", "volume", "get", _pool, "bv", "user.note")).Stdout);
        Assert.Equal($"custom,bv,,filesystem,0\n", (await _berthd.BerthAsync("storage", "volume", "list", _pool, "--format", "csv")).Stdout);

        var script = $$"""
            import pylxd
            c = pylxd.Client()
            pool = c.storage_pools.get("{{_pool}}")
            pool.volumes.create(dict(name="pv", type="custom", config=dict()))
            print(sorted(v.name for v in pool.volumes.all()))
            v = pool.volumes.get("custom", "pv")
            print(v.type, v.config)
            v.delete()
            print(sorted(v.name for v in pool.volumes.all()))
            """;
        var result = await _berthd.PythonAsync(script);
        Assert.True(result.ExitCode == 0, result.ToString() + _berthd.Log());
        Assert.Equal("['bv', 'pv']\ncustom {}\n['bv']\n", result.Stdout);

        Assert.Equal(0, (await _berthd.BerthAsync("storage", "volume", "delete", _pool, "bv")).ExitCode);
        Assert.Equal(0, (await _berthd.BerthAsync("storage", "delete", _pool)).ExitCode);
    }
}
