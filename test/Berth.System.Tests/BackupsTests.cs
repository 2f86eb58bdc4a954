namespace Berth.System.Tests;

/// <summary>Instance backups on a real berthd: lxc export/import round trips with snapshots, berth's own, bad files.</summary>
public sealed class BackupsTests : IAsyncLifetime
{
    private readonly string _pool = "bk" + Guid.NewGuid().ToString("N")[..6];
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

    private async Task LaunchAsync(string name, string driver)
    {
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        await Lxc("storage", "create", _pool, driver, driver == "btrfs" ? "size=1GiB" : "source=" + At("dirpool"));
        await Lxc("launch", "busybox", name, "-s", _pool);
    }

    [Fact]
    public async Task Lxc_ExportImport_RunningContainerWithSnapshot_RoundTrips()
    {
        await LaunchAsync("c1", "btrfs");
        await Lxc("exec", "c1", "--", "sh", "-c", "echo one > /root/marker");
        await Lxc("snapshot", "c1", "s1");
        await Lxc("exec", "c1", "--", "sh", "-c", "echo two > /root/marker");

        var export = await Lxc("export", "c1", At("c1.tar.gz"));
        Assert.Contains("Backup exported successfully!", export.Stdout, StringComparison.Ordinal);
        Assert.Equal("[]", (await Lxc("query", "/1.0/instances/c1/backups")).Stdout.Trim());
        var entries = (await ProcessRunner.RunAsync("tar", ["-tzf", At("c1.tar.gz")])).Stdout.Split('\n');
        Assert.Equal("backup/index.yaml", entries[0]);
        Assert.Contains("backup/container/rootfs/root/marker", entries);
        Assert.Contains("backup/snapshots/s1/rootfs/root/marker", entries);

        await Lxc("import", At("c1.tar.gz"), "c2");
        await Lxc("start", "c2");
        Assert.Equal("two\n", (await Lxc("exec", "c2", "--", "cat", "/root/marker")).Stdout);
        Assert.Equal("c2\n", (await Lxc("exec", "c2", "--", "hostname")).Stdout);
        Assert.Contains("s1", (await Lxc("info", "c2")).Stdout, StringComparison.Ordinal);
        await Lxc("restore", "c2", "s1");
        Assert.Equal("one\n", (await Lxc("exec", "c2", "--", "cat", "/root/marker")).Stdout);

        var again = await _berthd.LxcAsync("import", At("c1.tar.gz"), "c2");
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);

        await Lxc("export", "c1", At("c1-only.tar.gz"), "--instance-only");
        await Lxc("import", At("c1-only.tar.gz"), "c3");
        Assert.Equal("[]", (await Lxc("query", "/1.0/instances/c3/snapshots")).Stdout.Trim());

        foreach (var c in new[] { "c1", "c2", "c3" })
        {
            await Lxc("delete", "-f", c);
        }

        await Lxc("storage", "delete", _pool);
    }

    [Fact]
    public async Task Berth_ExportImport_XzOnDirPool_AndCorruptFileLeavesNothing()
    {
        Directory.CreateDirectory(At("dirpool"));
        await LaunchAsync("b1", "dir");
        await Lxc("exec", "b1", "--", "sh", "-c", "echo dirdata > /root/marker");

        var export = await _berthd.BerthAsync("export", "b1", At("b1.tar.xz"), "--compression", "xz");
        Assert.True(export.ExitCode == 0, export.ToString() + _berthd.Log());
        Assert.Equal(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }, (await File.ReadAllBytesAsync(At("b1.tar.xz")))[..6]);

        var import = await _berthd.BerthAsync("import", At("b1.tar.xz"), "b2");
        Assert.True(import.ExitCode == 0, import.ToString() + _berthd.Log());
        Assert.Equal("Instance b2 imported\n", import.Stdout);
        await Lxc("start", "b2");
        Assert.Equal("dirdata\n", (await Lxc("exec", "b2", "--", "cat", "/root/marker")).Stdout);

        await File.WriteAllBytesAsync(At("junk.tar.gz"), [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]);
        var corrupt = await _berthd.LxcAsync("import", At("junk.tar.gz"), "b3");
        Assert.Contains("Invalid backup file", corrupt.Stderr, StringComparison.Ordinal);
        var whole = await File.ReadAllBytesAsync(At("b1.tar.xz"), TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(At("cut.tar.xz"), whole[..(whole.Length / 2)], TestContext.Current.CancellationToken);
        var truncated = await _berthd.LxcAsync("import", At("cut.tar.xz"), "b3");
        Assert.Contains("Error: Invalid backup file: ", truncated.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("tar: tar:", truncated.Stderr, StringComparison.Ordinal);
        var notBackup = await _berthd.BerthAsync("import", At("b1.tar.xz.missing"), "b3");
        Assert.NotEqual(0, notBackup.ExitCode);
        Assert.DoesNotContain("b3", (await Lxc("list", "-c", "n", "--format", "csv")).Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(At("dirpool"), "containers", "b3")));
        Assert.DoesNotContain(Directory.GetDirectories(At("dirpool")), d => Path.GetFileName(d).StartsWith(".berth-import", StringComparison.Ordinal));

        // A kept backup follows its instance through a rename and goes when it is deleted.
        await Lxc("query", "-X", "POST", "--wait", "-d", "{\"name\":\"keep\"}", "/1.0/instances/b2/backups");
        await Lxc("stop", "-f", "b2");
        await Lxc("move", "b2", "b4");
        Assert.Contains("/1.0/instances/b4/backups/keep", (await Lxc("query", "/1.0/instances/b4/backups")).Stdout, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(At("dirpool"), "backups", "default_b4", "keep")));
        await Lxc("delete", "-f", "b1");
        await Lxc("delete", "-f", "b4");
        Assert.False(Directory.Exists(Path.Combine(At("dirpool"), "backups", "default_b4")));
        await Lxc("storage", "delete", _pool);
    }
}
