namespace Berth.System.Tests;

/// <summary>
/// security.syscalls.intercept.mknod and .setxattr through Debian's lxc on real unprivileged busybox containers:
/// the harmless char devices and overlayfs's opaque marker, which a user namespace cannot make, are made for the
/// container by berth-fork's seccomp proxy, inside the container's own root; anything else gets the kernel's usual
/// EPERM; it keeps working across a berthd restart; interceptions berthd does not do are refused.
/// </summary>
public sealed class SyscallInterceptTests : IAsyncLifetime
{
    // setxattr(2) as an overlayfs-in-a-container user calls it (busybox has no setfattr); prints errno's text.
    private const string SetxattrSource = """
        #include <stdio.h>
        #include <string.h>
        #include <errno.h>
        #include <sys/xattr.h>
        int main(int argc, char **argv) {
            if (setxattr(argv[1], argv[2], argv[3], strlen(argv[3]), 0) < 0) { printf("%s\n", strerror(errno)); return 1; }
            return 0;
        }
        """;

    private readonly string _prefix = "si" + Guid.NewGuid().ToString("N")[..6];
    private readonly string _work = Directory.CreateTempSubdirectory("berth-intercept-").FullName;
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _berthd.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private string Rootfs(string name) => Path.Combine(_berthd.Dir, "storage-pools", "default", "containers", name, "rootfs");

    private async Task<ProcessResult> Sh(string name, string script) => await _berthd.LxcAsync("exec", name, "--", "sh", "-c", script);

    [Fact]
    public async Task Mknod_AllowedCharDevicesMadeInsideTheContainer_OthersRefused_SurvivesRestart()
    {
        var name = _prefix + "-m";
        var launch = await _berthd.LxcAsync("launch", "busybox", name, "-c", "security.syscalls.intercept.mknod=true");
        Assert.True(launch.ExitCode == 0, launch + _berthd.Log());

        var made = await Sh(name, "mknod /tmp/null c 1 3 && cd /tmp && mknod zero c 1 5 && stat -c '%F %t:%T %u:%g %a' /tmp/null /tmp/zero");
        Assert.True(made.ExitCode == 0, made + _berthd.Log());
        Assert.Equal("character special file 1:3 0:0 644\ncharacter special file 1:5 0:0 644\n", made.Stdout);

        // A symlink to / inside the container stays inside it: the node lands in the container's /etc, not the host's.
        var node = "berth-" + _prefix;
        Assert.Equal(0, (await Sh(name, $"ln -s / /tmp/up && mknod /tmp/up/etc/{node} c 1 9")).ExitCode);
        Assert.True(File.Exists(Path.Combine(Rootfs(name), "etc", node)));
        Assert.False(File.Exists(Path.Combine("/etc", node)));

        // Block devices and char devices off LXD's list get the kernel's own answer.
        var block = await Sh(name, "mknod /tmp/sda b 8 0");
        Assert.NotEqual(0, block.ExitCode);
        Assert.Contains("Operation not permitted", block.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await Sh(name, "mknod /tmp/mem c 1 1")).ExitCode);

        // berthd restarts, the container keeps running, and its monitor reaches the new proxy.
        Assert.True(await _berthd.TerminateAsync(TimeSpan.FromSeconds(30)), _berthd.Log());
        await _berthd.StartAgainAsync();
        var again = await Sh(name, "mknod /tmp/null2 c 1 3 && stat -c '%t:%T' /tmp/null2");
        Assert.True(again.ExitCode == 0, again + _berthd.Log());
        Assert.Equal("1:3\n", again.Stdout);
    }

    [Fact]
    public async Task WithoutTheKey_MknodIsRefused()
    {
        var name = _prefix + "-n";
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", name)).ExitCode);
        var mknod = await Sh(name, "mknod /tmp/null c 1 3");
        Assert.NotEqual(0, mknod.ExitCode);
        Assert.Contains("Operation not permitted", mknod.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setxattr_OverlayOpaqueMarkerSet_OtherTrustedNamesRefused()
    {
        var helper = Path.Combine(_work, "setxattr");
        await File.WriteAllTextAsync(Path.Combine(_work, "setxattr.c"), SetxattrSource);
        var cc = await ProcessRunner.RunAsync("gcc", ["-static", "-O2", "-o", helper, Path.Combine(_work, "setxattr.c")]);
        Assert.True(cc.ExitCode == 0, cc.ToString());

        var on = _prefix + "-x";
        var off = _prefix + "-y";
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", on, "-c", "security.syscalls.intercept.setxattr=true")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", off)).ExitCode);
        foreach (var name in new[] { on, off })
        {
            Assert.Equal(0, (await _berthd.LxcAsync("file", "push", "--mode", "0755", helper, name + "/bin/sx")).ExitCode);
            Assert.Equal(0, (await Sh(name, "mkdir /opaque")).ExitCode);
        }

        var set = await Sh(on, "sx /opaque trusted.overlay.opaque y");
        Assert.True(set.ExitCode == 0, set + _berthd.Log());
        var read = await ProcessRunner.RunAsync("/usr/bin/python3", ["-c", "import os,sys; print(os.getxattr(sys.argv[1], 'trusted.overlay.opaque').decode())", Path.Combine(Rootfs(on), "opaque")]);
        Assert.Equal("y\n", read.Stdout);

        var other = await Sh(on, "sx /opaque trusted.berth z");
        Assert.Equal(1, other.ExitCode);
        Assert.Equal("Operation not permitted\n", other.Stdout);

        var without = await Sh(off, "sx /opaque trusted.overlay.opaque y");
        Assert.Equal(1, without.ExitCode);
        Assert.Equal("Operation not permitted\n", without.Stdout);
    }

    [Fact]
    public async Task InterceptionsNotDone_AreRefused_NothingCreated()
    {
        var name = _prefix + "-r";
        var launch = await _berthd.LxcAsync("launch", "busybox", name, "-c", "security.syscalls.intercept.sysinfo=true");
        Assert.NotEqual(0, launch.ExitCode);
        Assert.Contains("interception of this syscall is not supported", launch.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await _berthd.LxcAsync("info", name)).ExitCode);

        Assert.Equal(0, (await _berthd.LxcAsync("init", "busybox", name)).ExitCode);
        var set = await _berthd.LxcAsync("config", "set", name, "security.syscalls.intercept.mount", "true");
        Assert.NotEqual(0, set.ExitCode);
        Assert.Contains("security.syscalls.intercept.mount", set.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await _berthd.LxcAsync("config", "get", name, "security.syscalls.intercept.mount")).Stdout.Trim());
    }
}
