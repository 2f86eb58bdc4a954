using Berth.Api;
using Berth.Server.Instances;

namespace Berth.Server.Tests.Instances;

public class LxcConfigRendererTests
{
    private static LxcRenderContext Context(CgroupVersion cgroups = CgroupVersion.V1) =>
        new("c1", "/pool/containers/c1/rootfs", "/log/c1/lxc.log", "/log/c1/console.log", cgroups, new IdmapRange(100000, 65536), "/var/lib/berth/lxcfs", 8L << 30, 4);

    [Fact]
    public void Render_Unprivileged_HasIdmapAndIdmappedRootfs()
    {
        var text = LxcConfigRenderer.Render(new Dictionary<string, string>(), Context());

        Assert.Contains("lxc.idmap = u 0 100000 65536\n", text, StringComparison.Ordinal);
        Assert.Contains("lxc.idmap = g 0 100000 65536\n", text, StringComparison.Ordinal);
        Assert.Contains("lxc.rootfs.options = idmap=container\n", text, StringComparison.Ordinal);
        Assert.Contains("lxc.rootfs.path = dir:/pool/containers/c1/rootfs\n", text, StringComparison.Ordinal);
        Assert.Contains("lxc.mount.entry = /var/lib/berth/lxcfs/proc/meminfo proc/meminfo none bind,optional,create=file 0 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Privileged_HasNoIdmap()
    {
        var text = LxcConfigRenderer.Render(new Dictionary<string, string> { ["security.privileged"] = "true" }, Context());
        Assert.DoesNotContain("lxc.idmap", text, StringComparison.Ordinal);
        Assert.Contains("lxc.cap.drop = sys_time sys_module sys_rawio mac_admin mac_override\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Unprivileged_DropsNoCapabilities_SeccompProfileWhenGiven()
    {
        Assert.DoesNotContain("lxc.cap.drop", LxcConfigRenderer.Render(new Dictionary<string, string>(), Context()), StringComparison.Ordinal);
        var text = LxcConfigRenderer.Render(new Dictionary<string, string>(), Context() with { SeccompProfilePath = "/d/c1/seccomp" });
        Assert.Contains("lxc.seccomp.profile = /d/c1/seccomp\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lxc.seccomp", LxcConfigRenderer.Render(new Dictionary<string, string>(), Context()), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ProcAndSys_ReadWriteUnprivileged_MixedPrivileged_AsLxd()
    {
        Assert.Contains("lxc.mount.auto = proc:rw sys:rw cgroup:mixed\n", LxcConfigRenderer.Render(new Dictionary<string, string>(), Context()), StringComparison.Ordinal);
        Assert.Contains("lxc.mount.auto = proc:mixed sys:mixed cgroup:mixed\n", LxcConfigRenderer.Render(new Dictionary<string, string> { ["security.privileged"] = "true" }, Context()), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_InterceptingInstance_NamesTheNotifyProxyAsLxd()
    {
        var text = LxcConfigRenderer.Render(new Dictionary<string, string>(), Context() with { SeccompProfilePath = "/d/c1/seccomp", SeccompProxySocket = "/d/seccomp.socket" });
        Assert.Contains("lxc.seccomp.profile = /d/c1/seccomp\nlxc.seccomp.notify.proxy = unix:/d/seccomp.socket\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CgroupVersion.V1, "lxc.cgroup.memory.limit_in_bytes = 134217728")]
    [InlineData(CgroupVersion.V2, "lxc.cgroup2.memory.max = 134217728")]
    public void Render_MemoryLimit_UsesTheHostsCgroupVersion(CgroupVersion version, string expected)
    {
        var text = LxcConfigRenderer.Render(new Dictionary<string, string> { ["limits.memory"] = "128MiB" }, Context(version));

        Assert.Contains(expected + "\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain(version == CgroupVersion.V1 ? "lxc.cgroup2." : "lxc.cgroup.memory", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CgroupItems_CpuAllowanceAndPriorityAndProcesses()
    {
        var items = LxcConfigRenderer.CgroupItems(new Dictionary<string, string>
        {
            ["limits.cpu"] = "2",
            ["limits.cpu.allowance"] = "25ms/100ms",
            ["limits.processes"] = "100",
        }, Context());

        Assert.Contains(("cpuset.cpus", "0-1"), items);
        Assert.Contains(("cpu.cfs_quota_us", "25000"), items);
        Assert.Contains(("cpu.cfs_period_us", "100000"), items);
        Assert.Contains(("pids.max", "100"), items);
    }

    [Theory]
    [InlineData("128MB", 128_000_000)]
    [InlineData("128MiB", 128L << 20)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("4096", 4096)]
    [InlineData("50%", 4L << 30)]
    public void ParseMemory_Units(string value, long expected) =>
        Assert.Equal(expected, LxcConfigRenderer.ParseMemory(value, 8L << 30));

    [Fact]
    public void ParseMemory_Banana_Throws400() =>
        Assert.Equal(400, Assert.Throws<ApiException>(() => LxcConfigRenderer.ParseMemory("banana", 1)).Status);

    [Fact]
    public void Render_EnvironmentSysctlAndRawLxc()
    {
        var text = LxcConfigRenderer.Render(new Dictionary<string, string>
        {
            ["environment.FOO"] = "bar",
            ["linux.sysctl.net.ipv4.ip_forward"] = "1",
            ["raw.lxc"] = "lxc.init.cmd = /sbin/init --x\n",
        }, Context());

        Assert.Contains("lxc.environment = FOO=bar\n", text, StringComparison.Ordinal);
        Assert.Contains("lxc.sysctl.net.ipv4.ip_forward = 1\n", text, StringComparison.Ordinal);
        Assert.EndsWith("lxc.init.cmd = /sbin/init --x\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void IdmapRange_ReadsRootFromSubuid()
    {
        var dir = Path.Combine(Path.GetTempPath(), "idmap-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "subuid"), "alice:200000:65536\nroot:100000:10000001\n");
            File.WriteAllText(Path.Combine(dir, "subgid"), "root:100000:10000001\n");

            var range = IdmapRange.ForRoot(Path.Combine(dir, "subuid"), Path.Combine(dir, "subgid"));

            Assert.Equal(new IdmapRange(100000, 10000001), range);
            Assert.Equal(IdmapRange.Default, IdmapRange.ForRoot(Path.Combine(dir, "missing"), Path.Combine(dir, "subgid")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void CgroupLayout_ThisHostIsDetected()
    {
        var mountinfo = File.ReadAllText("/proc/self/mountinfo");
        var expected = mountinfo.Split('\n').Any(l => l.Contains(" /sys/fs/cgroup ", StringComparison.Ordinal) && l.Contains(" - cgroup2 ", StringComparison.Ordinal))
            ? CgroupVersion.V2
            : CgroupVersion.V1;
        Assert.Equal(expected, CgroupLayout.Detect());
    }
}
