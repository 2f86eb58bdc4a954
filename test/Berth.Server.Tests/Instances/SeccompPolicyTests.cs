using Berth.Server.Instances;

namespace Berth.Server.Tests.Instances;

/// <summary>The policies LXD 5.0.2 wrote to security/seccomp/&lt;name&gt; on this machine, for the same config.</summary>
public class SeccompPolicyTests
{
    private const string LxdDefault =
        "2\ndenylist\n[all]\nreject_force_umount  # comment this to allow umount -f;  not recommended\n[all]\n" +
        "kexec_load errno 38\nopen_by_handle_at errno 38\ninit_module errno 38\nfinit_module errno 38\ndelete_module errno 38\n";

    private static string? Render(params (string Key, string Value)[] config) =>
        SeccompPolicy.Render(config.ToDictionary(kv => kv.Key, kv => kv.Value), "x86_64");

    [Fact]
    public void Default_IsLxdsDenyList()
    {
        Assert.Equal(LxdDefault, Render());
        Assert.Equal(LxdDefault, Render(("security.privileged", "true")));
        Assert.Equal(LxdDefault, Render(("security.nesting", "true")));
    }

    [Fact]
    public void Deny_IsAppendedAsWritten()
    {
        Assert.Equal(LxdDefault + "mount\numount2", Render(("security.syscalls.deny", "mount\numount2")));
        Assert.Equal("2\ndenylist\n[all]\nmount\numount2", Render(("security.syscalls.deny_default", "false"), ("security.syscalls.deny", "mount\numount2")));
    }

    [Fact]
    public void DenyCompat_AddsX8664Section_OnlyOnX8664()
    {
        var policy = Render(("security.syscalls.deny_compat", "true"))!;
        Assert.StartsWith(LxdDefault + "[x86_64]\ncompat_sys_rt_sigaction errno 38\nstub_x32_rt_sigreturn errno 38\n", policy, StringComparison.Ordinal);
        Assert.EndsWith("compat_sys_io_submit errno 38\nstub_x32_execveat errno 38\n", policy, StringComparison.Ordinal);
        Assert.Equal(34, policy.Split('\n').Count(l => l.EndsWith(" errno 38", StringComparison.Ordinal) && (l.StartsWith("compat_", StringComparison.Ordinal) || l.StartsWith("stub_x32", StringComparison.Ordinal))));
        Assert.Equal(LxdDefault, SeccompPolicy.Render(new Dictionary<string, string> { ["security.syscalls.deny_compat"] = "true" }, "aarch64"));
    }

    [Fact]
    public void Allow_IsAnAllowList_RawReplacesEverything_NothingAskedIsNone()
    {
        Assert.Equal("2\nallowlist\n[all]\nread\nwrite", Render(("security.syscalls.allow", "read\nwrite")));
        Assert.Equal("[all]\nbpf errno 1", Render(("raw.seccomp", "[all]\nbpf errno 1"), ("security.syscalls.deny", "mount")));
        Assert.Null(Render(("security.syscalls.deny_default", "false")));
    }

    private const string LxdIntercepts =
        "seccomp errno 22 [1,2146435072,SCMP_CMP_MASKED_EQ,2146435072]\nseccomp errno 22 [1,8,SCMP_CMP_MASKED_EQ,8]\n";

    private const string LxdMknod =
        "mknod notify [1,8192,SCMP_CMP_MASKED_EQ,61440]\nmknod notify [1,24576,SCMP_CMP_MASKED_EQ,61440]\n" +
        "mknodat notify [2,8192,SCMP_CMP_MASKED_EQ,61440]\nmknodat notify [2,24576,SCMP_CMP_MASKED_EQ,61440]\n";

    [Fact]
    public void Intercept_NotifiesAfterTheDefaults_AsLxd()
    {
        Assert.Equal(LxdDefault + LxdIntercepts + LxdMknod + "setxattr notify [3,1,SCMP_CMP_EQ]\n",
            Render(("security.syscalls.intercept.mknod", "true"), ("security.syscalls.intercept.setxattr", "true")));
        Assert.Equal("2\ndenylist\n[all]\n" + LxdIntercepts + LxdMknod,
            Render(("security.syscalls.intercept.mknod", "true"), ("security.syscalls.deny_default", "false")));
        Assert.Equal(LxdDefault + LxdIntercepts + "setxattr notify [3,1,SCMP_CMP_EQ]\nmount",
            Render(("security.syscalls.intercept.setxattr", "yes"), ("security.syscalls.deny", "mount")));
        Assert.Equal(LxdDefault, Render(("security.syscalls.intercept.mknod", "false")));
    }

    [Fact]
    public void NeedsProxy_OnlyForTheInterceptionsDone()
    {
        Assert.True(SeccompPolicy.NeedsProxy(new Dictionary<string, string> { ["security.syscalls.intercept.mknod"] = "1" }));
        Assert.True(SeccompPolicy.NeedsProxy(new Dictionary<string, string> { ["security.syscalls.intercept.setxattr"] = "true" }));
        Assert.False(SeccompPolicy.NeedsProxy(new Dictionary<string, string> { ["security.syscalls.intercept.mknod"] = "false" }));
        Assert.False(SeccompPolicy.NeedsProxy(new Dictionary<string, string>()));
    }
}
