using System.Globalization;
using System.Text;
using Berth.Server.Instances.Devices;
using Berth.Server.Instances.Limits;

namespace Berth.Server.Instances;

/// <summary>Everything the renderer needs besides the instance's expanded config.</summary>
public sealed record LxcRenderContext(
    string Name,
    string RootfsPath,
    string LogPath,
    string ConsoleLogPath,
    CgroupVersion Cgroups,
    IdmapRange? Idmap,
    string? LxcfsRoot,
    long HostMemoryBytes,
    int HostCpus)
{
    /// <summary>The CPU list <c>limits.cpu</c> resolved to (balanced pinning); null to pin from CPU 0.</summary>
    public string? Cpus { get; init; }

    /// <summary>The expanded devices: host-path disks and device nodes are rendered from them.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> Devices { get; init; } = new Dictionary<string, Dictionary<string, string>>();

    /// <summary>Device nodes resolved from the devices (see <see cref="UnixNodeResolver"/>), made in <see cref="DeviceNodeDir"/>.</summary>
    public IReadOnlyList<UnixNode> UnixNodes { get; init; } = [];

    public string DeviceNodeDir { get; init; } = "";

    /// <summary>The instance's NICs as veth pairs (none: an empty network namespace).</summary>
    public IReadOnlyList<LxcNic>? Nics { get; init; }

    /// <summary>Where the instance's seccomp policy (<see cref="SeccompPolicy"/>) is written; null when it has none.</summary>
    public string? SeccompProfilePath { get; init; }

    /// <summary>The seccomp notify proxy's socket when the instance intercepts syscalls; null otherwise.</summary>
    public string? SeccompProxySocket { get; init; }
}

/// <summary>
/// A NIC: for a veth the host end (<paramref name="HostName"/>) joins <paramref name="Link"/> (none for p2p), the other
/// is <paramref name="Name"/> inside; a macvlan or phys nic has <paramref name="Link"/> as its parent.
/// </summary>
public sealed record LxcNic(string Name, string Link, string Hwaddr, string HostName, string? Mtu)
{
    /// <summary>liblxc's <c>lxc.net.N.type</c>: veth, macvlan or phys.</summary>
    public string Type { get; init; } = "veth";
}

/// <summary>
/// Writes a container's <c>lxc.*</c> config from its expanded config (berthd owns the file; liblxc only reads it).
/// Limits use v1 or v2 keys to match the host.
/// </summary>
public static class LxcConfigRenderer
{
    public static string Render(IReadOnlyDictionary<string, string> config, LxcRenderContext context)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        var lines = new StringBuilder();
        void Add(string key, string value) => lines.Append(key).Append(" = ").Append(value).Append('\n');

        Add("lxc.uts.name", context.Name);
        Add("lxc.rootfs.path", "dir:" + context.RootfsPath);
        Add("lxc.log.file", context.LogPath);
        Add("lxc.log.level", "warn");
        Add("lxc.console.logfile", context.ConsoleLogPath);
        Add("lxc.console.buffer.size", "auto");
        Add("lxc.console.size", "auto");
        // As LXD 5.0.2 writes it: an unprivileged container's user namespace already limits what /proc and /sys let
        // it change, so they are mounted read-write; a privileged one gets read-only /proc/sys and /sys.
        var privileged = IsTrue(config, "security.privileged");
        Add("lxc.mount.auto", privileged ? "proc:mixed sys:mixed cgroup:mixed" : "proc:rw sys:rw cgroup:mixed");
        Add("lxc.autodev", "1");
        Add("lxc.pty.max", "1024");
        Add("lxc.tty.max", "0");
        Add("lxc.apparmor.profile", "unconfined");
        RenderNics(context.Nics ?? [], Add);

        if (privileged)
        {
            Add("lxc.cap.drop", SeccompPolicy.PrivilegedCapDrop);
        }

        if (context.SeccompProfilePath is { } seccomp)
        {
            Add("lxc.seccomp.profile", seccomp);
            if (context.SeccompProxySocket is { } proxy)
            {
                Add("lxc.seccomp.notify.proxy", "unix:" + proxy);
            }
        }

        if (!privileged && context.Idmap is { } idmap)
        {
            Add("lxc.idmap", $"u 0 {idmap.Base} {idmap.Size}");
            Add("lxc.idmap", $"g 0 {idmap.Base} {idmap.Size}");
            Add("lxc.rootfs.options", "idmap=container");
        }

        if (!IsTrue(config, "security.nesting"))
        {
            Add("lxc.mount.entry", "/sys/kernel/security sys/kernel/security none ro,bind,optional,create=dir 0 0");
        }

        if (context.LxcfsRoot is { } lxcfs)
        {
            foreach (var file in new[] { "cpuinfo", "diskstats", "loadavg", "meminfo", "stat", "swaps", "uptime", "slabinfo" })
            {
                Add("lxc.mount.entry", $"{lxcfs}/proc/{file} proc/{file} none bind,optional,create=file 0 0");
            }

            Add("lxc.mount.entry", $"{lxcfs}/sys/devices/system/cpu sys/devices/system/cpu none bind,optional,create=dir 0 0");
        }

        RenderLimits(config, context, Add);
        foreach (var (key, value) in config.Where(kv => kv.Key.StartsWith("environment.", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Add("lxc.environment", $"{key["environment.".Length..]}={value}");
        }

        foreach (var (key, value) in config.Where(kv => kv.Key.StartsWith("linux.sysctl.", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Add("lxc.sysctl." + key["linux.sysctl.".Length..], value);
        }

        foreach (var (key, value) in config.Where(kv => kv.Key.StartsWith("limits.kernel.", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Add("lxc.prlimit." + key["limits.kernel.".Length..], value);
        }

        ContainerDeviceRenderer.Render(context.Devices, context.UnixNodes, context.DeviceNodeDir, context.Cgroups, !privileged && context.Idmap is not null, Add);
        if (config.TryGetValue("raw.lxc", out var raw) && raw.Length > 0)
        {
            lines.Append(raw.TrimEnd('\n')).Append('\n');
        }

        return lines.ToString();
    }

    /// <summary>The cgroup settings for the limits keys that are set (see <see cref="CgroupLimits"/>).</summary>
    public static IReadOnlyList<(string Key, string Value)> CgroupItems(IReadOnlyDictionary<string, string> config, LxcRenderContext context)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        var hostCpus = Enumerable.Range(0, Math.Max(context.HostCpus, 1)).ToList();
        var cpus = context.Cpus ?? CgroupLimits.ResolveCpus(config.GetValueOrDefault("limits.cpu"), hostCpus, []);
        return CgroupLimits.Items(config, context.Cgroups, context.HostMemoryBytes, cpus, CpuSet.Format(hostCpus), withDefaults: false);
    }

    /// <summary><c>512MiB</c>, <c>1GB</c>, plain bytes (the validator's rules), or a percentage of host memory.</summary>
    public static long ParseMemory(string value, long hostMemory) => MemoryLimit.Parse(value, hostMemory);

    private static void RenderNics(IReadOnlyList<LxcNic> nics, Action<string, string> add)
    {
        if (nics.Count == 0)
        {
            add("lxc.net.0.type", "empty");
            return;
        }

        for (var i = 0; i < nics.Count; i++)
        {
            var prefix = "lxc.net." + i.ToString(CultureInfo.InvariantCulture) + ".";
            add(prefix + "type", nics[i].Type);
            if (nics[i].Link.Length > 0)
            {
                add(prefix + "link", nics[i].Link);
            }

            if (nics[i].Type == "macvlan")
            {
                add(prefix + "macvlan.mode", "bridge");
            }

            add(prefix + "name", nics[i].Name);
            if (nics[i].Hwaddr.Length > 0)
            {
                add(prefix + "hwaddr", nics[i].Hwaddr);
            }

            if (nics[i].Type == "veth")
            {
                add(prefix + "veth.pair", nics[i].HostName);
            }
            if (nics[i].Mtu is { Length: > 0 } mtu)
            {
                add(prefix + "mtu", mtu);
            }

            add(prefix + "flags", "up");
        }
    }

    private static void RenderLimits(IReadOnlyDictionary<string, string> config, LxcRenderContext context, Action<string, string> add)
    {
        var prefix = context.Cgroups == CgroupVersion.V2 ? "lxc.cgroup2." : "lxc.cgroup.";
        foreach (var (key, value) in CgroupItems(config, context))
        {
            add(prefix + key, value);
        }
    }

    private static bool IsTrue(IReadOnlyDictionary<string, string> config, string key) =>
        config.TryGetValue(key, out var value) && value is "true" or "1" or "yes" or "on";
}
