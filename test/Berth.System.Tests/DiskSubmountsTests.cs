namespace Berth.System.Tests;

/// <summary>
/// Host-path disks whose source has a mount below it (a tmpfs here), through Debian's lxc on real unprivileged
/// busybox containers: they start (berthd binds the source on the host first, as LXD does, since a plain bind inside
/// the container's user namespace fails on locked submounts), <c>recursive=true</c> carries the submount, readonly
/// stays readonly on it, hot-plug works the same, and nothing stays mounted once the instance stops.
/// </summary>
public sealed class DiskSubmountsTests : IAsyncLifetime
{
    private readonly string _prefix = "s" + Guid.NewGuid().ToString("N")[..6];
    private readonly string _hostDir;
    private BerthdProcess _berthd = null!;

    public DiskSubmountsTests()
    {
        _hostDir = Path.Combine("/tmp", _prefix + "-src");
    }

    private string Inner => Path.Combine(_hostDir, "inner");

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        Directory.CreateDirectory(Inner);
        File.SetUnixFileMode(_hostDir, (UnixFileMode)Convert.ToInt32("755", 8));
        await File.WriteAllTextAsync(Path.Combine(_hostDir, "top"), "top-file\n");
        var mount = await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0777", "tmpfs", Inner]);
        Assert.True(mount.ExitCode == 0, mount.ToString());
        await File.WriteAllTextAsync(Path.Combine(Inner, "sub"), "sub-file\n");
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in new[] { _prefix + "-a", _prefix + "-b" })
        {
            await _berthd.LxcAsync("delete", "--force", name);
        }

        await _berthd.DisposeAsync();
        await ProcessRunner.RunAsync("umount", [Inner]);
        Directory.Delete(_hostDir, recursive: true);
    }

    [Fact]
    public async Task Disk_WithSubmount_StartsAndRecursiveCarriesIt()
    {
        var name = _prefix + "-a";
        Assert.Equal(0, (await _berthd.LxcAsync("init", "busybox", name)).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "add", name, "plain", "disk", "source=" + _hostDir, "path=/mnt/plain")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "add", name, "rec", "disk", "source=" + _hostDir, "path=/mnt/rec", "recursive=true")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "add", name, "ro", "disk", "source=" + _hostDir, "path=/mnt/ro", "recursive=true", "readonly=true")).ExitCode);

        var start = await _berthd.LxcAsync("start", name);
        Assert.True(start.ExitCode == 0, start + _berthd.Log());

        Assert.Equal("top-file\n", (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/plain/top")).Stdout);
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/plain/inner/sub")).ExitCode);
        Assert.Equal("sub-file\n", (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/rec/inner/sub")).Stdout);
        Assert.Equal("sub-file\n", (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/ro/inner/sub")).Stdout);
        var write = await _berthd.LxcAsync("exec", name, "--", "touch", "/mnt/ro/inner/x");
        Assert.Contains("Read-only", write.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Inner, "x")));
        Assert.Equal(0, (await _berthd.LxcAsync("exec", name, "--", "touch", "/mnt/rec/inner/y")).ExitCode);
        Assert.True(File.Exists(Path.Combine(Inner, "y")));
        Assert.NotEmpty(MountsUnder(Path.Combine(_berthd.Dir, "devices", name)));

        var stop = await _berthd.LxcAsync("stop", "--force", name);
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Empty(MountsUnder(Path.Combine(_berthd.Dir, "devices")));
        Assert.True(File.Exists(Path.Combine(_hostDir, "top")), "the host's files stay");
    }

    [Fact]
    public async Task Disk_WithSubmount_HotPluggedThenRemovedAndDeleted()
    {
        var name = _prefix + "-b";
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", name)).ExitCode);

        var add = await _berthd.LxcAsync("config", "device", "add", name, "h", "disk", "source=" + _hostDir, "path=/mnt/h", "recursive=true", "readonly=true");
        Assert.True(add.ExitCode == 0, add + _berthd.Log());

        Assert.Equal("sub-file\n", (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/h/inner/sub")).Stdout);
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", name, "--", "touch", "/mnt/h/inner/z")).ExitCode);
        Assert.False(File.Exists(Path.Combine(Inner, "z")));
        Assert.NotEmpty(MountsUnder(Path.Combine(_berthd.Dir, "devices", name)));

        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", name, "h")).ExitCode);
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/h/inner/sub")).ExitCode);
        Assert.Empty(MountsUnder(Path.Combine(_berthd.Dir, "devices")));

        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "add", name, "h2", "disk", "source=" + _hostDir, "path=/mnt/h2")).ExitCode);
        Assert.Equal("top-file\n", (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/h2/top")).Stdout);
        var delete = await _berthd.LxcAsync("delete", "--force", name);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Empty(MountsUnder(Path.Combine(_berthd.Dir, "devices")));
        Assert.False(Directory.Exists(Path.Combine(_berthd.Dir, "devices", name)));
        Assert.Equal("sub-file\n", await File.ReadAllTextAsync(Path.Combine(Inner, "sub"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Disk_BlockDeviceSource_MountsItsFilesystem_AndHotUnplugUnmountsIt()
    {
        // As LXD's config_profiles suite does: an ext4 loop device added to a running container shows its files.
        var name = _prefix + "-c";
        var image = Path.Combine(_hostDir, "fs.img");
        await using (var file = File.Create(image))
        {
            file.SetLength(64 << 20);
        }

        Assert.Equal(0, (await ProcessRunner.RunAsync("mkfs.ext4", ["-q", "-F", image])).ExitCode);
        var setup = await ProcessRunner.RunAsync("losetup", ["--show", "-f", image]);
        Assert.True(setup.ExitCode == 0, setup.ToString());
        var loop = setup.Stdout.Trim();
        try
        {
            var staging = Path.Combine(_hostDir, "fs");
            Directory.CreateDirectory(staging);
            Assert.Equal(0, (await ProcessRunner.RunAsync("mount", [loop, staging])).ExitCode);
            await File.WriteAllTextAsync(Path.Combine(staging, "hello"), "on-ext4\n", TestContext.Current.CancellationToken);
            Assert.Equal(0, (await ProcessRunner.RunAsync("umount", [staging])).ExitCode);

            Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", name)).ExitCode);
            var add = await _berthd.LxcAsync("config", "device", "add", name, "mnt", "disk", "source=" + loop, "path=/mnt");
            Assert.True(add.ExitCode == 0, add + _berthd.Log());
            Assert.Equal("on-ext4\n", (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/hello")).Stdout);
            Assert.Contains(loop, File.ReadAllText("/proc/self/mounts"), StringComparison.Ordinal);

            var restart = await _berthd.LxcAsync("restart", "--force", name);
            Assert.True(restart.ExitCode == 0, restart + _berthd.Log());
            Assert.Equal("on-ext4\n", (await _berthd.LxcAsync("exec", name, "--", "cat", "/mnt/hello")).Stdout);

            Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", name, "mnt")).ExitCode);
            Assert.DoesNotContain(loop + " ", File.ReadAllText("/proc/self/mounts"), StringComparison.Ordinal);
            Assert.Equal(0, (await _berthd.LxcAsync("delete", "--force", name)).ExitCode);
        }
        finally
        {
            await _berthd.LxcAsync("delete", "--force", name);
            await ProcessRunner.RunAsync("losetup", ["-d", loop]);
        }
    }

    private static List<string> MountsUnder(string dir) =>
        File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(dir + "/", StringComparison.Ordinal)).ToList();
}
