using static Berth.Server.Config.ValueChecks;

namespace Berth.Server.Config;

public static partial class InstanceConfigSchema
{
    // Fixed keys (LXD 5.0 lxd/instance/instancetype/instance.go). Virtual-machine keys are accepted too, as LXD
    // does for profiles, so profiles written for LXD load unchanged.
    private static readonly Dictionary<string, ConfigRule> Keys = new(StringComparer.Ordinal)
    {
        ["agent.nic_config"] = new(Bool),

        ["boot.autostart"] = new(Bool),
        ["boot.autostart.delay"] = new(Int(0)),
        ["boot.autostart.priority"] = new(Integer),
        ["boot.debug_edk2"] = new(Bool),
        ["boot.host_shutdown_timeout"] = new(Int(0)),
        ["boot.stop.priority"] = new(Integer),

        ["cloud-init.network-config"] = new(Any),
        ["cloud-init.user-data"] = new(Any),
        ["cloud-init.vendor-data"] = new(Any),

        ["cluster.evacuate"] = new(OneOf("auto", "migrate", "live-migrate", "stop")),

        ["limits.cpu"] = new(CpuLimit),
        ["limits.cpu.allowance"] = new(CpuAllowance),
        ["limits.cpu.nodes"] = new(IdSet),
        ["limits.cpu.priority"] = new(Priority),
        ["limits.disk.priority"] = new(Priority),
        ["limits.hugepages.1GB"] = new(ByteSize),
        ["limits.hugepages.1MB"] = new(ByteSize),
        ["limits.hugepages.2MB"] = new(ByteSize),
        ["limits.hugepages.64KB"] = new(ByteSize),
        ["limits.memory"] = new(MemoryLimit),
        ["limits.memory.enforce"] = new(OneOf("hard", "soft")),
        ["limits.memory.hugepages"] = new(Bool),
        ["limits.memory.swap"] = new(Bool),
        ["limits.memory.swap.priority"] = new(Priority),
        ["limits.network.priority"] = new(Priority),
        ["limits.processes"] = new(Int(1)),

        ["linux.kernel_modules"] = new(ListOf(
            v => v.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? null : "",
            "expected a comma-separated list of kernel module names")),

        ["migration.incremental.memory"] = new(Bool),
        ["migration.incremental.memory.goal"] = new(Int(0, 100)),
        ["migration.incremental.memory.iterations"] = new(Unsigned),
        ["migration.stateful"] = new(Bool),

        ["nvidia.driver.capabilities"] = new(Any),
        ["nvidia.require.cuda"] = new(Any),
        ["nvidia.require.driver"] = new(Any),
        ["nvidia.runtime"] = new(Bool),

        ["raw.apparmor"] = new(Any),
        ["raw.idmap"] = new(RawIdmap),
        ["raw.lxc"] = new(RawLxc),
        ["raw.qemu"] = new(Any),
        ["raw.qemu.conf"] = new(Any),
        ["raw.seccomp"] = new(Any),

        ["security.agent.metrics"] = new(Bool),
        ["security.csm"] = new(Bool),
        ["security.devlxd"] = new(Bool),
        ["security.devlxd.images"] = new(Bool),
        ["security.idmap.base"] = new(Unsigned),
        ["security.idmap.isolated"] = new(Bool),
        ["security.idmap.size"] = new(Unsigned),
        ["security.nesting"] = new(Bool),
        ["security.privileged"] = new(Bool),
        ["security.protection.delete"] = new(Bool),
        ["security.protection.shift"] = new(Bool),
        ["security.protection.start"] = new(Bool),
        ["security.secureboot"] = new(Bool),
        ["security.sev"] = new(Bool),
        ["security.sev.policy.es"] = new(Bool),
        ["security.sev.session.data"] = new(Any),
        ["security.sev.session.dh"] = new(Any),
        ["security.syscalls.allow"] = new(Any),
        ["security.syscalls.deny"] = new(Any),
        ["security.syscalls.deny_compat"] = new(Bool),
        ["security.syscalls.deny_default"] = new(Bool),
        ["security.syscalls.intercept.bpf"] = new(NotIntercepted),
        ["security.syscalls.intercept.bpf.devices"] = new(NotIntercepted),
        ["security.syscalls.intercept.mknod"] = new(Bool),
        ["security.syscalls.intercept.mount"] = new(NotIntercepted),
        ["security.syscalls.intercept.mount.allowed"] = new(Any),
        ["security.syscalls.intercept.mount.fuse"] = new(Any),
        ["security.syscalls.intercept.mount.shift"] = new(NotIntercepted),
        ["security.syscalls.intercept.sched_setscheduler"] = new(NotIntercepted),
        ["security.syscalls.intercept.setxattr"] = new(Bool),
        ["security.syscalls.intercept.sysinfo"] = new(NotIntercepted),

        ["snapshots.expiry"] = new(Expiry),
        ["snapshots.pattern"] = new(Any),
        ["snapshots.schedule"] = new(Schedule),
        ["snapshots.schedule.stopped"] = new(Bool),

        ["ubuntu_pro.guest_attach"] = new(OneOf("off", "available", "on")),
    };

    // Instance-only state the server writes; fixed names (volatile.<device>.* is handled by suffix).
    /// <summary>
    /// An intercept key berthd does not act on: true is refused rather than accepted and ignored (only mknod and
    /// setxattr are intercepted, see SeccompPolicy).
    /// </summary>
    private static string? NotIntercepted(string value) =>
        Bool(value) ?? (IsTrue(value) ? "berthd intercepts only mknod and setxattr; interception of this syscall is not supported" : null);

    private static readonly Dictionary<string, ConfigRule> VolatileKeys = new(StringComparer.Ordinal)
    {
        ["volatile.apply_nvram"] = new(Bool),
        ["volatile.apply_template"] = new(Any),
        ["volatile.base_image"] = new(Any),
        ["volatile.bus.mode"] = new(Any),
        ["volatile.cloud-init.instance-id"] = new(Any),
        ["volatile.cluster.group"] = new(Any),
        ["volatile.evacuate.origin"] = new(Any),
        ["volatile.idmap.base"] = new(Unsigned),
        ["volatile.idmap.current"] = new(Any),
        ["volatile.idmap.next"] = new(Any),
        ["volatile.last_state.idmap"] = new(Any),
        ["volatile.last_state.power"] = new(Any),
        ["volatile.last_state.ready"] = new(Bool),
        ["volatile.uuid"] = new(Any),
        ["volatile.uuid.generation"] = new(Any),
        ["volatile.vsock_id"] = new(Any),
    };

    // volatile.<device>.<suffix>; last_state.* is matched as a prefix.
    private static readonly string[] VolatileDeviceSuffixes =
        ["apply_quota", "bus", "ceph_rbd", "created", "driver", "host_name", "hwaddr", "id", "mtu", "name", "spoofcheck", "uuid", "vlan"];

    // prlimit resources LXD passes to liblxc (lxc.prlimit.*).
    private static readonly string[] KernelLimits =
        ["as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];
}
