using System.Globalization;
using System.Text.Json;

namespace Berth.System.Tests;

/// <summary>Storage pools on a real berthd: dir and loop-backed btrfs pools, instances on them, through lxc and berth.</summary>
public sealed class StoragePoolsTests : IAsyncLifetime
{
    private readonly string _pool = "bt" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/bin/mkfs.btrfs") || File.Exists("/usr/sbin/mkfs.btrfs") || File.Exists("/sbin/mkfs.btrfs"), "btrfs-progs is not installed");
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private string PoolPath => Path.Combine(_berthd.Dir, "storage-pools", _pool);

    private async Task BuildImageAsync()
    {
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    [Fact]
    public async Task Lxc_BtrfsLoopPool_CreateShowListDelete_LeavesNothingMounted()
    {
        var create = await _berthd.LxcAsync("storage", "create", _pool, "btrfs", "size=1GiB");
        Assert.True(create.ExitCode == 0, create.ToString() + _berthd.Log());

        var loopFile = Path.Combine(_berthd.Dir, "disks", _pool + ".img");
        Assert.Equal(loopFile, (await _berthd.LxcAsync("storage", "get", _pool, "source")).Stdout.Trim());
        Assert.Equal("1GiB", (await _berthd.LxcAsync("storage", "get", _pool, "size")).Stdout.Trim());
        Assert.True(IsMounted(PoolPath), "the pool is mounted");
        Assert.Equal("btrfs", (await ProcessRunner.RunAsync("stat", ["-f", "-c", "%T", PoolPath])).Stdout.Trim());
        Assert.Equal($"{_pool},btrfs,{loopFile},,0,CREATED\n", (await _berthd.LxcAsync("storage", "list", "--format", "csv")).Stdout);
        Assert.Contains("total space: 1.00GiB", (await _berthd.LxcAsync("storage", "info", _pool)).Stdout, StringComparison.Ordinal);
        Assert.Contains("total space: 1.00GiB", (await _berthd.BerthAsync("storage", "info", _pool)).Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await _berthd.LxcAsync("storage", "delete", _pool)).ExitCode);
        Assert.False(IsMounted(PoolPath));
        Assert.False(File.Exists(loopFile));
        Assert.Equal("", (await _berthd.LxcAsync("storage", "list", "--format", "csv")).Stdout);
    }

    [Fact]
    public async Task Lxc_DriversThisHostCannotRun_SayWhyAndChangeNothing()
    {
        var zfs = await _berthd.LxcAsync("storage", "create", _pool, "zfs");
        var lvm = await _berthd.LxcAsync("storage", "create", _pool, "lvm");
        var badKey = await _berthd.LxcAsync("storage", "create", _pool, "btrfs", "size=1GiB", "banana=1");

        Assert.Equal((1, true), (zfs.ExitCode, zfs.Stderr.Contains("no ZFS module", StringComparison.Ordinal)));
        Assert.Equal((1, true), (lvm.ExitCode, lvm.Stderr.Contains("device-mapper", StringComparison.Ordinal)));
        Assert.Equal("Error: Invalid option \"banana\"\n", badKey.Stderr);
        Assert.Equal("", (await _berthd.LxcAsync("storage", "list", "--format", "csv")).Stdout);
        Assert.False(Directory.Exists(Path.Combine(_berthd.Dir, "disks")) && Directory.EnumerateFiles(Path.Combine(_berthd.Dir, "disks")).Any());
    }

    [Fact]
    public async Task Berth_DirPool_SetUnsetGetShow()
    {
        Assert.Equal($"Storage pool {_pool} created\n", (await _berthd.BerthAsync("storage", "create", _pool, "dir")).Stdout);
        Assert.Equal(0, (await _berthd.BerthAsync("storage", "set", _pool, "volume.size=2GiB")).ExitCode);
        Assert.Equal("2GiB\n", (await _berthd.LxcAsync("storage", "get", _pool, "volume.size")).Stdout);
        Assert.Equal("2GiB\n", (await _berthd.BerthAsync("storage", "get", _pool, "volume.size")).Stdout);
        var badSet = await _berthd.BerthAsync("storage", "set", _pool, "volume.size=lots");
        Assert.Equal(1, badSet.ExitCode);
        Assert.Equal(0, (await _berthd.BerthAsync("storage", "unset", _pool, "volume.size")).ExitCode);
        Assert.Equal("", (await _berthd.LxcAsync("storage", "get", _pool, "volume.size")).Stdout.Trim());
        var show = await _berthd.BerthAsync("storage", "show", _pool);
        Assert.Contains("driver: dir", show.Stdout, StringComparison.Ordinal);
        Assert.Contains($"source: {PoolPath}", show.Stdout, StringComparison.Ordinal);
        Assert.Equal($"{_pool},dir,{PoolPath},,0,CREATED\n", (await _berthd.BerthAsync("storage", "list", "--format", "csv")).Stdout);
        Assert.Equal(0, (await _berthd.BerthAsync("storage", "delete", _pool)).ExitCode);
        Assert.False(Directory.Exists(PoolPath));
    }

    [Fact]
    public async Task Lxc_LaunchOnBtrfs_RootfsIsASnapshotOfTheImage_UsageAndInUse()
    {
        await BuildImageAsync();
        Assert.Equal(0, (await _berthd.LxcAsync("storage", "create", _pool, "btrfs", "size=1GiB")).ExitCode);

        var launch = await _berthd.LxcAsync("launch", "busybox", "c1", "-s", _pool);
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());

        Assert.Equal("c1\n", (await _berthd.LxcAsync("exec", "c1", "--", "hostname")).Stdout);
        var volume = Path.Combine(PoolPath, "containers", "c1");
        var show = await ProcessRunner.RunAsync("btrfs", ["subvolume", "show", volume]);
        var image = Directory.GetDirectories(Path.Combine(PoolPath, "images")).Single();
        var imageUuid = Field(await ProcessRunner.RunAsync("btrfs", ["subvolume", "show", image]), "UUID:");
        Assert.Equal(imageUuid, Field(show, "Parent UUID:"));
        // The usage is the subvolume's qgroup "referenced" bytes, as btrfs itself reports them, and grows with a write.
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "c1", "--", "sh", "-c", "head -c 8388608 /dev/urandom > /big && sync")).ExitCode);
        await ProcessRunner.RunAsync("btrfs", ["filesystem", "sync", PoolPath]);
        var qgroup = (await ProcessRunner.RunAsync("btrfs", ["qgroup", "show", "-f", "--raw", volume])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using (var state = JsonDocument.Parse((await _berthd.LxcAsync("query", "/1.0/instances/c1/state")).Stdout))
        {
            var usage = state.RootElement.GetProperty("disk").GetProperty("root").GetProperty("usage").GetInt64();
            Assert.Equal(qgroup.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], usage.ToString(CultureInfo.InvariantCulture));
            Assert.True(usage > 8 << 20, $"usage {usage} after an 8 MiB write");
        }

        var usedBy = (await _berthd.LxcAsync("storage", "show", _pool)).Stdout;
        Assert.Contains("- /1.0/instances/c1", usedBy, StringComparison.Ordinal);
        var inUse = await _berthd.LxcAsync("storage", "delete", _pool);
        Assert.Equal("Error: The storage pool is currently in use\n", inUse.Stderr);

        Assert.Equal(0, (await _berthd.LxcAsync("delete", "-f", "c1")).ExitCode);
        Assert.False(Directory.Exists(volume));
        Assert.Equal(0, (await _berthd.LxcAsync("storage", "delete", _pool)).ExitCode);
        Assert.False(IsMounted(PoolPath));
    }

    [Fact]
    public async Task Lxc_RootDiskSize_IsEnforcedOnBtrfs()
    {
        await BuildImageAsync();
        Assert.Equal(0, (await _berthd.LxcAsync("storage", "create", _pool, "btrfs", "size=1GiB")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("profile", "create", "small")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("profile", "device", "add", "small", "root", "disk", "path=/", $"pool={_pool}", "size=40MiB")).ExitCode);
        var launch = await _berthd.LxcAsync("launch", "busybox", "q1", "-p", "small");
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());

        var write = await _berthd.LxcAsync("exec", "q1", "--", "sh", "-c", "dd if=/dev/zero of=/big bs=1M count=100 && sync");
        var size = long.Parse((await _berthd.LxcAsync("exec", "q1", "--", "sh", "-c", "sync; stat -c %s /big")).Stdout.Trim());

        Assert.NotEqual(0, write.ExitCode);
        Assert.True(size < 45L * 1024 * 1024, $"wrote {size} bytes past a 40MiB quota");
    }

    [Fact]
    public async Task DaemonRestart_MountsTheBtrfsPoolAgain()
    {
        await BuildImageAsync();
        Assert.Equal(0, (await _berthd.LxcAsync("storage", "create", _pool, "btrfs", "size=1GiB")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("init", "busybox", "r1", "-s", _pool)).ExitCode);

        Assert.Equal(0, (await _berthd.BerthdAsync("shutdown")).ExitCode);
        await _berthd.WaitExitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, (await ProcessRunner.RunAsync("umount", [PoolPath])).ExitCode);
        await _berthd.StartAgainAsync();

        Assert.True(IsMounted(PoolPath), _berthd.Log());
        Assert.Equal(0, (await _berthd.LxcAsync("start", "r1")).ExitCode);
        Assert.Equal("r1\n", (await _berthd.LxcAsync("exec", "r1", "--", "hostname")).Stdout);
    }

    [Fact]
    public async Task InitAuto_MakesDefaultBtrfsPoolAndRootDisk_LaunchUsesIt()
    {
        await BuildImageAsync();
        var init = await _berthd.BerthdAsync("init", "--auto", "--storage-create-loop", "1");
        Assert.True(init.ExitCode == 0, init.ToString() + _berthd.Log());

        Assert.Equal("btrfs\n", (await _berthd.LxcAsync("query", "/1.0/storage-pools/default")).Stdout.Split('\n').Where(l => l.Contains("\"driver\"", StringComparison.Ordinal)).Select(l => l.Split('"')[3] + "\n").Single());
        var root = (await _berthd.LxcAsync("profile", "device", "get", "default", "root", "pool")).Stdout;
        Assert.Equal("default\n", root);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "a1")).ExitCode);
        Assert.True(Directory.Exists(Path.Combine(_berthd.Dir, "storage-pools", "default", "containers", "a1", "rootfs", "bin")));
        Assert.Equal("btrfs", (await ProcessRunner.RunAsync("stat", ["-f", "-c", "%T", Path.Combine(_berthd.Dir, "storage-pools", "default", "containers", "a1")])).Stdout.Trim());
    }

    [Fact]
    public async Task InitPreseed_StoragePoolsSection_CreatesThePool()
    {
        var preseed = $"""
            storage_pools:
            - name: {_pool}
              driver: dir
              description: from preseed
            profiles:
            - name: default
              devices:
                root:
                  path: /
                  pool: {_pool}
                  type: disk
            """;

        var init = await _berthd.BerthdStdinAsync(preseed, "init", "--preseed");

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal($"{_pool},dir,{PoolPath},from preseed,1,CREATED\n", (await _berthd.LxcAsync("storage", "list", "--format", "csv")).Stdout);
    }

    private static string Field(ProcessResult result, string name) =>
        result.Stdout.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(name, StringComparison.Ordinal))[name.Length..].Trim();

    private static bool IsMounted(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ') is { Length: > 4 } f && f[4] == path);
}
