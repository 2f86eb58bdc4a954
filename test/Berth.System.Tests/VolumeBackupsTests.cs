namespace Berth.System.Tests;

/// <summary>Custom volume backups on a real berthd: lxc storage volume export/import with snapshots, berth's own, the backups API, bad files.</summary>
public sealed class VolumeBackupsTests : IAsyncLifetime
{
    private readonly string _pool = "vb" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/bin/mkfs.btrfs") || File.Exists("/usr/sbin/mkfs.btrfs") || File.Exists("/sbin/mkfs.btrfs"), "btrfs-progs is not installed");
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private string At(string name) => Path.Combine(_berthd.Dir, name);

    private async Task<ProcessResult> Lxc(params string[] args)
    {
        var result = await _berthd.LxcAsync(args);
        Assert.True(result.ExitCode == 0, $"lxc {string.Join(' ', args)}: {result}\n{_berthd.Log()}");
        return result;
    }

    private async Task<ProcessResult> Berth(params string[] args)
    {
        var result = await _berthd.BerthAsync(args);
        Assert.True(result.ExitCode == 0, $"berth {string.Join(' ', args)}: {result}\n{_berthd.Log()}");
        return result;
    }

    [Fact]
    public async Task Lxc_VolumeExportImport_WithSnapshot_RoundTripsIntoARunningContainer()
    {
        await Berth("image", "build", "busybox", "--alias", "busybox");
        await Lxc("storage", "create", _pool, "btrfs", "size=1GiB");
        await Lxc("launch", "busybox", "c1", "-s", _pool);
        await Lxc("storage", "volume", "create", _pool, "v1");
        await Lxc("storage", "volume", "attach", _pool, "v1", "c1", "/data");
        await Lxc("exec", "c1", "--", "sh", "-c", "echo one > /data/marker");
        await Lxc("storage", "volume", "snapshot", _pool, "v1", "s1");
        await Lxc("exec", "c1", "--", "sh", "-c", "echo two > /data/marker");

        await Lxc("storage", "volume", "export", _pool, "v1", At("v1.tar.gz"));
        Assert.Equal("[]", (await Lxc("query", $"/1.0/storage-pools/{_pool}/volumes/custom/v1/backups")).Stdout.Trim());
        var entries = (await ProcessRunner.RunAsync("tar", ["-tzf", At("v1.tar.gz")])).Stdout.Split('\n');
        Assert.Equal("backup/index.yaml", entries[0]);
        Assert.Contains("backup/volume/marker", entries);
        Assert.Contains("backup/volume-snapshots/s1/marker", entries);
        var index = (await ProcessRunner.RunAsync("tar", ["-xzOf", At("v1.tar.gz"), "backup/index.yaml"])).Stdout;
        Assert.Contains("type: custom", index, StringComparison.Ordinal);
        Assert.Contains("- \"s1\"", index, StringComparison.Ordinal);

        await Lxc("storage", "volume", "import", _pool, At("v1.tar.gz"), "v2");
        Assert.Contains("/snapshots/s1", (await Lxc("query", $"/1.0/storage-pools/{_pool}/volumes/custom/v2/snapshots")).Stdout, StringComparison.Ordinal);
        await Lxc("storage", "volume", "attach", _pool, "v2", "c1", "/data2");
        Assert.Equal("two\n", (await Lxc("exec", "c1", "--", "cat", "/data2/marker")).Stdout);
        await Lxc("storage", "volume", "detach", _pool, "v2", "c1");
        await Lxc("storage", "volume", "restore", _pool, "v2", "s1");
        await Lxc("storage", "volume", "attach", _pool, "v2", "c1", "/data2");
        Assert.Equal("one\n", (await Lxc("exec", "c1", "--", "cat", "/data2/marker")).Stdout);

        var again = await _berthd.LxcAsync("storage", "volume", "import", _pool, At("v1.tar.gz"), "v2");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);

        await Lxc("storage", "volume", "export", _pool, "v1", At("v1-only.tar.gz"), "--volume-only");
        await Lxc("storage", "volume", "import", _pool, At("v1-only.tar.gz"), "v3");
        Assert.Equal("[]", (await Lxc("query", $"/1.0/storage-pools/{_pool}/volumes/custom/v3/snapshots")).Stdout.Trim());

        await Lxc("delete", "-f", "c1");
        foreach (var v in new[] { "v1", "v2", "v3" })
        {
            await Lxc("storage", "volume", "delete", _pool, v);
        }

        await Lxc("storage", "delete", _pool);
    }

    [Fact]
    public async Task Berth_VolumeExportImport_XzOnDirPool_BackupsApi_AndBadFilesLeaveNothing()
    {
        var poolDir = At("dirpool");
        Directory.CreateDirectory(poolDir);
        await Lxc("storage", "create", _pool, "dir", "source=" + poolDir);
        await Lxc("storage", "volume", "create", _pool, "d1");
        await File.WriteAllTextAsync(Path.Combine(poolDir, "custom", "default_d1", "marker"), "dirdata\n");

        await Berth("storage", "volume", "export", _pool, "d1", At("d1.tar.xz"), "--compression", "xz");
        Assert.Equal(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }, (await File.ReadAllBytesAsync(At("d1.tar.xz")))[..6]);
        var import = await Berth("storage", "volume", "import", _pool, At("d1.tar.xz"), "d2");
        Assert.Equal("Storage volume d2 imported\n", import.Stdout);
        Assert.Equal("dirdata\n", await File.ReadAllTextAsync(Path.Combine(poolDir, "custom", "default_d2", "marker")));
        Assert.Contains("d2", (await Lxc("storage", "volume", "list", _pool, "--format", "csv")).Stdout, StringComparison.Ordinal);

        // Not a backup, and a backup of an instance rather than a volume: 400, and nothing is made.
        await File.WriteAllBytesAsync(At("junk.tar.gz"), [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]);
        var corrupt = await _berthd.LxcAsync("storage", "volume", "import", _pool, At("junk.tar.gz"), "bad");
        Assert.NotEqual(0, corrupt.ExitCode);
        Assert.Contains("Invalid backup file", corrupt.Stderr, StringComparison.Ordinal);
        Directory.CreateDirectory(At("inst/backup"));
        await File.WriteAllTextAsync(At("inst/backup/index.yaml"), "name: c1\ntype: container\nconfig: {\"container\": {\"name\": \"c1\"}}\n");
        await ProcessRunner.RunAsync("tar", ["-czf", At("inst.tar.gz"), "-C", At("inst"), "backup"]);
        var instance = await _berthd.LxcAsync("storage", "volume", "import", _pool, At("inst.tar.gz"), "bad");
        Assert.NotEqual(0, instance.ExitCode);
        Assert.Contains("not a custom volume", instance.Stderr, StringComparison.Ordinal);
        // A good head with a truncated body: tar fails after the volume was made, which must go again.
        var bytes = await File.ReadAllBytesAsync(At("d1.tar.xz"));
        await File.WriteAllBytesAsync(At("cut.tar.xz"), bytes[..(bytes.Length / 2)]);
        var cut = await _berthd.LxcAsync("storage", "volume", "import", _pool, At("cut.tar.xz"), "bad");
        Assert.NotEqual(0, cut.ExitCode);
        Assert.DoesNotContain("bad", (await Lxc("storage", "volume", "list", _pool, "--format", "csv")).Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(poolDir, "custom", "default_bad")));
        Assert.DoesNotContain(Directory.GetDirectories(poolDir), d => Path.GetFileName(d).StartsWith(".berth-import", StringComparison.Ordinal));

        // The backups API: a kept backup follows its volume through a rename and goes when the volume is deleted.
        var url = $"/1.0/storage-pools/{_pool}/volumes/custom/d2/backups";
        await Lxc("query", "-X", "POST", "--wait", "-d", "{\"name\":\"keep\"}", url);
        Assert.Contains("\"name\": \"keep\"", (await Lxc("query", url + "?recursion=1")).Stdout, StringComparison.Ordinal);
        await Lxc("query", "-X", "POST", "--wait", "-d", "{\"name\":\"kept\"}", url + "/keep");
        Assert.Contains(url + "/kept", (await Lxc("query", url)).Stdout, StringComparison.Ordinal);
        var taken = await _berthd.LxcAsync("query", "-X", "POST", "--wait", "-d", "{\"name\":\"kept\"}", url);
        Assert.Contains("already exists", taken.Stderr, StringComparison.Ordinal);
        await Lxc("storage", "volume", "rename", _pool, "d2", "d3");
        Assert.Contains("/volumes/custom/d3/backups/kept", (await Lxc("query", $"/1.0/storage-pools/{_pool}/volumes/custom/d3/backups")).Stdout, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(poolDir, "custom-backups", "default_d3", "kept")));
        await Lxc("storage", "volume", "delete", _pool, "d3");
        Assert.False(Directory.Exists(Path.Combine(poolDir, "custom-backups", "default_d3")));
        await Lxc("storage", "volume", "delete", _pool, "d1");
        await Lxc("storage", "delete", _pool);
    }
}
