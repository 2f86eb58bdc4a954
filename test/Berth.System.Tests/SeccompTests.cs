using System.Globalization;

namespace Berth.System.Tests;

/// <summary>
/// The syscall policy and capability drops LXD applies, through Debian's lxc on real busybox containers: seccomp is
/// on for init and for every exec, LXD's default deny-list answers ENOSYS, security.syscalls.deny kills the caller
/// (SIGSYS, as on LXD), and a privileged container loses sys_module, sys_rawio and sys_time from its bounding set.
/// </summary>
public sealed class SeccompTests : IAsyncLifetime
{
    private readonly string _prefix = "sc" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Default_SeccompOnInitAndExec_ModuleLoadingIsNotImplemented()
    {
        var name = _prefix + "-a";
        var launch = await _berthd.LxcAsync("launch", "busybox", name);
        Assert.True(launch.ExitCode == 0, launch + _berthd.Log());

        Assert.Contains("Seccomp:\t2", (await _berthd.LxcAsync("exec", name, "--", "cat", "/proc/1/status")).Stdout, StringComparison.Ordinal);
        Assert.Contains("Seccomp:\t2", (await _berthd.LxcAsync("exec", name, "--", "cat", "/proc/self/status")).Stdout, StringComparison.Ordinal);

        // Without the policy an unprivileged root gets EPERM here; LXD's deny-list answers ENOSYS (errno 38), which
        // busybox's insmod reports as below and returns as its exit code (the same text and code as on LXD 5.0.2).
        var insmod = await _berthd.LxcAsync("exec", name, "--", "sh", "-c", "echo x > /tmp/m.ko; insmod /tmp/m.ko");
        Assert.Equal(38, insmod.ExitCode);
        Assert.Contains("kernel does not support requested operation", insmod.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyscallsDeny_KillsTheCaller_DenyDefaultFalseAlone_NoPolicy()
    {
        var denied = _prefix + "-b";
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", denied, "-c", "security.syscalls.deny=mount")).ExitCode);
        var mount = await _berthd.LxcAsync("exec", denied, "--", "mount", "-t", "tmpfs", "x", "/mnt");
        Assert.Equal(128 + 31, mount.ExitCode);

        var open = _prefix + "-c";
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", open, "-c", "security.syscalls.deny_default=false")).ExitCode);
        Assert.Contains("Seccomp:\t0", (await _berthd.LxcAsync("exec", open, "--", "cat", "/proc/1/status")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Privileged_LosesModuleRawioAndTimeCapabilities_KeepsSysAdmin()
    {
        var name = _prefix + "-d";
        var launch = await _berthd.LxcAsync("launch", "busybox", name, "-c", "security.privileged=true");
        Assert.True(launch.ExitCode == 0, launch + _berthd.Log());

        var status = (await _berthd.LxcAsync("exec", name, "--", "cat", "/proc/1/status")).Stdout;
        var line = status.Split('\n').Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal));
        var bounding = ulong.Parse(line["CapBnd:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        foreach (var (cap, bit) in new[] { ("sys_module", 16), ("sys_rawio", 17), ("sys_time", 25), ("mac_override", 32), ("mac_admin", 33) })
        {
            Assert.True((bounding & (1UL << bit)) == 0, $"{cap} still in {line}");
        }

        Assert.True((bounding & (1UL << 21)) != 0, $"sys_admin dropped: {line}");
    }
}
