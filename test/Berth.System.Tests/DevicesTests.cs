namespace Berth.System.Tests;

/// <summary>
/// Container-side devices through Debian's lxc on real unprivileged busybox containers: host-path disks (at start
/// and hot-plugged), readonly, shift, missing sources, and unix-char devices.
/// </summary>
public sealed class DevicesTests : IAsyncLifetime
{
    private readonly string _prefix = "d" + Guid.NewGuid().ToString("N")[..6];
    private readonly string _hostDir;
    private BerthdProcess _berthd = null!;

    public DevicesTests()
    {
        _hostDir = Path.Combine("/tmp", _prefix + "-src");
    }

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        Directory.CreateDirectory(_hostDir);
        File.SetUnixFileMode(_hostDir, (UnixFileMode)Convert.ToInt32("755", 8));
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _berthd.DisposeAsync();
        Directory.Delete(_hostDir, recursive: true);
    }

    [Fact]
    public async Task Disk_AddedBeforeStart_SharesFilesWithTheHost()
    {
        var name = _prefix + "-a";
        Assert.Equal(0, (await _berthd.LxcAsync("init", "busybox", name)).ExitCode);
        var add = await _berthd.LxcAsync("config", "device", "add", name, "d", "disk", "source=" + _hostDir, "path=/mnt/d");
        Assert.True(add.ExitCode == 0, add.ToString());
        var start = await _berthd.LxcAsync("start", name);
        Assert.True(start.ExitCode == 0, start + _berthd.Log());

        await File.WriteAllTextAsync(Path.Combine(_hostDir, "from-host"), "hello\n", TestContext.Current.CancellationToken);

        Assert.Equal("hello\n", (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/d/from-host")).Stdout);
        var remove = await _berthd.LxcAsync("config", "device", "remove", name, "d");
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/d/from-host")).ExitCode);
    }

    [Fact]
    public async Task Disk_HotPlugged_ReadonlyAndRemoved()
    {
        var name = _prefix + "-b";
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", name)).ExitCode);

        var add = await _berthd.LxcAsync("config", "device", "add", name, "d", "disk", "source=" + _hostDir, "path=/mnt/d", "readonly=true");
        Assert.True(add.ExitCode == 0, add + _berthd.Log());
        await File.WriteAllTextAsync(Path.Combine(_hostDir, "late"), "after-add\n", TestContext.Current.CancellationToken);

        Assert.Equal("after-add\n", (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/d/late")).Stdout);
        var write = await _berthd.LxcAsync("exec", name, "--", "touch", "/mnt/d/inside");
        Assert.NotEqual(0, write.ExitCode);
        Assert.Contains("Read-only", write.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_hostDir, "inside")));

        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", name, "d")).ExitCode);
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/d/late")).ExitCode);
    }

    [Fact]
    public async Task Disk_Shift_ShowsHostRootAsRoot()
    {
        var name = _prefix + "-c";
        await File.WriteAllTextAsync(Path.Combine(_hostDir, "owned"), "x", TestContext.Current.CancellationToken);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", name)).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "add", name, "plain", "disk", "source=" + _hostDir, "path=/mnt/plain")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "add", name, "shifted", "disk", "source=" + _hostDir, "path=/mnt/shifted", "shift=true")).ExitCode);

        var plain = (await _berthd.LxcAsync("exec", name, "--", "stat", "-c", "%u", "/mnt/plain/owned")).Stdout.Trim();
        var shifted = (await _berthd.LxcAsync("exec", name, "--", "stat", "-c", "%u", "/mnt/shifted/owned")).Stdout.Trim();

        Assert.Equal(("65534", "0"), (plain, shifted));
    }

    [Fact]
    public async Task Disk_MissingSource_IsRefusedUnlessNotRequired()
    {
        var name = _prefix + "-d";
        Assert.Equal(0, (await _berthd.LxcAsync("init", "busybox", name)).ExitCode);
        var missing = "/tmp/" + _prefix + "-missing";

        var bad = await _berthd.LxcAsync("config", "device", "add", name, "m", "disk", "source=" + missing, "path=/mnt/m");
        var optional = await _berthd.LxcAsync("config", "device", "add", name, "o", "disk", "source=" + missing, "path=/mnt/o", "required=false");

        Assert.Equal(1, bad.ExitCode);
        Assert.Contains(missing, bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, optional.ExitCode);
        Assert.Equal($"o:\n  path: /mnt/o\n  required: \"false\"\n  source: {missing}\n  type: disk\n", (await _berthd.LxcAsync("config", "device", "show", name)).Stdout);
        var start = await _berthd.LxcAsync("start", name);
        Assert.True(start.ExitCode == 0, start + _berthd.Log());
    }

    [Fact]
    public async Task UnixChar_AtStartAndHotPlugged_IsUsableInside()
    {
        var name = _prefix + "-e";
        Assert.Equal(0, (await _berthd.LxcAsync("init", "busybox", name)).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "add", name, "z", "unix-char", "source=/dev/zero", "path=/dev/myzero")).ExitCode);
        var start = await _berthd.LxcAsync("start", name);
        Assert.True(start.ExitCode == 0, start + _berthd.Log());

        var zeros = await _berthd.LxcAsync("exec", name, "--", "sh", "-c", "head -c 4 /dev/myzero | od -An -tx1");
        Assert.Equal("00 00 00 00", zeros.Stdout.Trim());

        var hot = await _berthd.LxcAsync("config", "device", "add", name, "n", "unix-char", "path=/dev/mynull", "major=1", "minor=3", "mode=0666");
        Assert.True(hot.ExitCode == 0, hot + _berthd.Log());
        var node = await _berthd.LxcAsync("exec", name, "--", "sh", "-c", "echo data > /dev/mynull && stat -c '%t:%T %a' /dev/mynull");
        Assert.Equal((0, "1:3 666"), (node.ExitCode, node.Stdout.Trim()));
    }

    [Fact]
    public async Task UnixChar_MissingSource_IsRefused()
    {
        var name = _prefix + "-f";
        Assert.Equal(0, (await _berthd.LxcAsync("init", "busybox", name)).ExitCode);

        var bad = await _berthd.LxcAsync("config", "device", "add", name, "x", "unix-char", "source=/dev/" + _prefix);

        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("{}\n", (await _berthd.LxcAsync("config", "device", "show", name)).Stdout);
    }
}
