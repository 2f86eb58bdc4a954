using Berth.Api;
using Berth.Server.Config;

namespace Berth.Server.Tests.Config;

public class InstanceConfigSchemaTests
{
    private static void Valid(string key, string value, bool isProfile = false) =>
        InstanceConfigSchema.Validate(new Dictionary<string, string> { [key] = value }, isProfile);

    private static ApiException Invalid(string key, string value, bool isProfile = false) =>
        Assert.Throws<ApiException>(() => Valid(key, value, isProfile));

    [Fact]
    public void Validate_LimitsMemoryBanana_Throws400()
    {
        var e = Invalid("limits.memory", "banana");

        Assert.Equal(400, e.Status);
        Assert.Equal("Invalid value for \"limits.memory\": \"banana\" (expected bytes like 512MiB or a percentage)", e.Message);
    }

    [Theory]
    [InlineData("security.syscalls.intercept.mount")]
    [InlineData("security.syscalls.intercept.bpf")]
    [InlineData("security.syscalls.intercept.sched_setscheduler")]
    [InlineData("security.syscalls.intercept.sysinfo")]
    public void Validate_InterceptionNotDone_TrueRefused_FalseAccepted(string key)
    {
        var e = Invalid(key, "true");

        Assert.Equal(400, e.Status);
        Assert.Equal($"Invalid value for \"{key}\": \"true\" (berthd intercepts only mknod and setxattr; interception of this syscall is not supported)", e.Message);
        Valid(key, "false");
        Assert.Equal(400, Invalid(key, "maybe").Status);
    }

    [Theory]
    [InlineData("security.syscalls.intercept.mknod")]
    [InlineData("security.syscalls.intercept.setxattr")]
    public void Validate_InterceptionDone_TrueAccepted(string key) => Valid(key, "true");

    [Theory]
    [InlineData("512MiB")]
    [InlineData("1GB")]
    [InlineData("2GiB")]
    [InlineData("1073741824")]
    [InlineData("100kB")]
    [InlineData("1EiB")]
    [InlineData("50%")]
    [InlineData("100%")]
    public void Validate_LimitsMemoryGood_Passes(string value) => Valid("limits.memory", value);

    [Theory]
    [InlineData("1.5GB")]
    [InlineData("512M")]
    [InlineData("512mib")]
    [InlineData("-1")]
    [InlineData("150%")]
    [InlineData("GiB")]
    [InlineData("99999999999EiB")]
    public void Validate_LimitsMemoryBad_Throws400(string value) => Assert.Equal(400, Invalid("limits.memory", value).Status);

    [Fact]
    public void Validate_UnknownKey_NamesTheKey()
    {
        var e = Invalid("no.such.key", "1");

        Assert.Equal(400, e.Status);
        Assert.Equal("Unknown configuration key: no.such.key", e.Message);
    }

    [Fact]
    public void Validate_EmptyValue_MeansUnsetAndPasses() => Valid("limits.memory", "");

    [Theory]
    [InlineData("limits.cpu", "2")]
    [InlineData("limits.cpu", "0-3,7")]
    [InlineData("limits.cpu", "0,2")]
    [InlineData("limits.cpu.allowance", "50%")]
    [InlineData("limits.cpu.allowance", "25ms/100ms")]
    [InlineData("limits.cpu.allowance", "1.5s/2s")]
    [InlineData("limits.cpu.priority", "0")]
    [InlineData("limits.cpu.priority", "10")]
    [InlineData("limits.memory.enforce", "soft")]
    [InlineData("limits.memory.swap", "no")]
    [InlineData("limits.processes", "500")]
    [InlineData("limits.hugepages.2MB", "1GiB")]
    [InlineData("boot.autostart", "on")]
    [InlineData("boot.autostart.delay", "5")]
    [InlineData("security.nesting", "TRUE")]
    [InlineData("security.privileged", "0")]
    [InlineData("security.idmap.size", "65536")]
    [InlineData("snapshots.schedule", "0 6 * * *")]
    [InlineData("snapshots.schedule", "*/15 0-6,22 1 jan-mar mon-fri")]
    [InlineData("snapshots.schedule", "@daily")]
    [InlineData("snapshots.schedule", "@hourly, 30 2 * * 0")]
    [InlineData("snapshots.expiry", "1d 2w")]
    [InlineData("snapshots.expiry", "3H")]
    [InlineData("snapshots.pattern", "snap%d")]
    [InlineData("linux.kernel_modules", "ip_tables,br_netfilter, overlay")]
    [InlineData("migration.incremental.memory.goal", "70")]
    [InlineData("cluster.evacuate", "stop")]
    public void Validate_GoodValue_Passes(string key, string value) => Valid(key, value);

    [Theory]
    [InlineData("limits.cpu", "0")]
    [InlineData("limits.cpu", "3-1")]
    [InlineData("limits.cpu", "two")]
    [InlineData("limits.cpu", "0-3,")]
    [InlineData("limits.cpu.allowance", "50")]
    [InlineData("limits.cpu.allowance", "25ms")]
    [InlineData("limits.cpu.allowance", "25/100")]
    [InlineData("limits.cpu.priority", "11")]
    [InlineData("limits.cpu.priority", "-1")]
    [InlineData("limits.memory.enforce", "medium")]
    [InlineData("limits.memory.swap", "maybe")]
    [InlineData("limits.processes", "many")]
    [InlineData("boot.autostart", "yup")]
    [InlineData("security.nesting", "2")]
    [InlineData("snapshots.schedule", "0 6 * *")]
    [InlineData("snapshots.schedule", "60 * * * *")]
    [InlineData("snapshots.schedule", "0 24 * * *")]
    [InlineData("snapshots.schedule", "0 0 0 * *")]
    [InlineData("snapshots.schedule", "@fortnightly")]
    [InlineData("snapshots.expiry", "1x")]
    [InlineData("snapshots.expiry", "1d 2d")]
    [InlineData("snapshots.expiry", "d")]
    [InlineData("linux.kernel_modules", "ip tables")]
    [InlineData("migration.incremental.memory.goal", "101")]
    public void Validate_BadValue_Throws400NamingTheKey(string key, string value)
    {
        var e = Invalid(key, value);

        Assert.Equal(400, e.Status);
        Assert.StartsWith($"Invalid value for \"{key}\": \"{value}\" (expected", e.Message);
    }

    [Theory]
    [InlineData("user.anything", "x")]
    [InlineData("user.user-data", "#cloud-config\npackages: [vim]")]
    [InlineData("environment.HTTP_PROXY", "http://proxy:3128")]
    [InlineData("image.os", "Alpine")]
    [InlineData("linux.sysctl.net.ipv4.ip_forward", "1")]
    [InlineData("cloud-init.user-data", "#cloud-config")]
    [InlineData("cloud-init.ssh-keys.mykey", "root:ssh-ed25519 AAAA")]
    public void Validate_FreeFormNamespace_Passes(string key, string value) => Valid(key, value);

    [Theory]
    [InlineData("user.")]
    [InlineData("environment.")]
    [InlineData("security.bogus")]
    [InlineData("raw.other")]
    public void Validate_NotAKey_Throws400(string key) =>
        Assert.Equal($"Unknown configuration key: {key}", Invalid(key, "1").Message);

    [Theory]
    [InlineData("limits.kernel.nofile", "1024")]
    [InlineData("limits.kernel.nofile", "1024:4096")]
    [InlineData("limits.kernel.memlock", "unlimited")]
    [InlineData("limits.kernel.core", "0:unlimited")]
    [InlineData("limits.kernel.rttime", "100")]
    public void Validate_KernelLimitGood_Passes(string key, string value) => Valid(key, value);

    [Theory]
    [InlineData("limits.kernel.nofile", "lots")]
    [InlineData("limits.kernel.nofile", "1:2:3")]
    [InlineData("limits.kernel.nofile", "-1")]
    public void Validate_KernelLimitBadValue_Throws400(string key, string value) =>
        Assert.StartsWith($"Invalid value for \"{key}\"", Invalid(key, value).Message);

    [Fact]
    public void Validate_KernelLimitUnknownName_Throws400() =>
        Assert.StartsWith("Unknown configuration key: limits.kernel.bogus", Invalid("limits.kernel.bogus", "1").Message);

    [Theory]
    [InlineData("volatile.base_image", "abc123")]
    [InlineData("volatile.eth0.hwaddr", "00:16:3e:00:00:01")]
    [InlineData("volatile.eth0.host_name", "veth1234")]
    [InlineData("volatile.eth0.last_state.created", "true")]
    [InlineData("volatile.idmap.next", "[]")]
    [InlineData("volatile.last_state.power", "RUNNING")]
    public void Validate_VolatileOnInstance_Passes(string key, string value) => Valid(key, value);

    [Fact]
    public void Validate_VolatileOnProfile_Throws400()
    {
        var e = Invalid("volatile.base_image", "abc123", isProfile: true);

        Assert.Equal(400, e.Status);
        Assert.Contains("volatile.base_image", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("volatile.bogus")]
    [InlineData("volatile.eth0.bogus")]
    [InlineData("volatile.eth0.last_state.")]
    public void Validate_UnknownVolatileKey_Throws400(string key) =>
        Assert.Equal($"Unknown configuration key: {key}", Invalid(key, "x").Message);

    [Fact]
    public void Validate_ProfileWithOrdinaryKeys_Passes() =>
        InstanceConfigSchema.Validate(new Dictionary<string, string> { ["limits.memory"] = "1GiB", ["user.a"] = "b" }, isProfile: true);

    [Fact]
    public void Validate_RawLxcGood_Passes() =>
        Valid("raw.lxc", "# comment\nlxc.apparmor.profile = unconfined\n\nlxc.cgroup2.devices.allow = a\nlxc.net.0.ipv4.address = 10.0.0.2/24");

    [Theory]
    [InlineData("lxc.logfile = /tmp/x", "Setting lxc.logfile is not allowed")]
    [InlineData("LXC.LOG.FILE = /tmp/x", "Setting lxc.logfile is not allowed")]
    [InlineData("lxc.syslog = daemon", "Setting lxc.log.syslog is not allowed")]
    [InlineData("lxc.log.syslog = daemon", "Setting lxc.log.syslog is not allowed")]
    [InlineData("lxc.ephemeral = 1", "Setting lxc.ephemeral is not allowed")]
    [InlineData("lxc.prlimit.nofile = 10", "Process limits should be set via \"limits.kernel.[limit name]\" and not directly via \"lxc.prlimit.[limit name]\"")]
    [InlineData("lxc.net.0.type = veth", "Only interface-specific ipv4/ipv6 lxc.net. keys are allowed")]
    [InlineData("lxc.net.0.ipv4.bogus = 1", "Only interface-specific ipv4/ipv6 lxc.net. keys are allowed")]
    [InlineData("no equals sign here", "Invalid raw.lxc line: no equals sign here")]
    [InlineData("# ok\n\t  bad line", "Invalid raw.lxc line: bad line")]
    public void Validate_RawLxcForbiddenOrMalformed_Throws400WithLxdMessage(string line, string reason)
    {
        var message = Invalid("raw.lxc", line).Message;
        Assert.StartsWith("Invalid value for \"raw.lxc\"", message);
        Assert.EndsWith($"({reason})", message);
    }

    [Theory]
    [InlineData("both 1000 1000")]
    [InlineData("uid 50-60 500-510\ngid 100000-110000 10000-20000")]
    public void Validate_RawIdmapGood_Passes(string value) => Valid("raw.idmap", value);

    [Theory]
    [InlineData("both 1000")]
    [InlineData("all 1000 1000")]
    [InlineData("uid 50-60 500-520")]
    [InlineData("uid 60-50 500-490")]
    public void Validate_RawIdmapBad_Throws400(string value) =>
        Assert.StartsWith("Invalid value for \"raw.idmap\"", Invalid("raw.idmap", value).Message);

    [Fact]
    public void Validate_ReportsFirstBadKeyInKeyOrder()
    {
        var config = new Dictionary<string, string> { ["zz.unknown"] = "1", ["limits.memory"] = "banana" };

        var e = Assert.Throws<ApiException>(() => InstanceConfigSchema.Validate(config, isProfile: false));

        Assert.Contains("limits.memory", e.Message, StringComparison.Ordinal);
    }
}
