using System.Globalization;
using System.Text;
using Berth.Api;

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
    int HostCpus,
    IReadOnlyList<LxcNic>? Nics = null);

/// <summary>A veth NIC: the host end (<paramref name="HostName"/>) joins <paramref name="Link"/>, the other is <paramref name="Name"/> inside.</summary>
public sealed record LxcNic(string Name, string Link, string Hwaddr, string HostName, string? Mtu);

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
        Add("lxc.mount.auto", "proc:mixed sys:mixed cgroup:mixed");
        Add("lxc.autodev", "1");
        Add("lxc.pty.max", "1024");
        Add("lxc.tty.max", "0");
        Add("lxc.apparmor.profile", "unconfined");
        RenderNics(context.Nics ?? [], Add);

        var privileged = IsTrue(config, "security.privileged");
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

        if (config.TryGetValue("raw.lxc", out var raw) && raw.Length > 0)
        {
            lines.Append(raw.TrimEnd('\n')).Append('\n');
        }

        return lines.ToString();
    }

    /// <summary>The cgroup settings for the limits keys; the same set is hot-applied to running containers.</summary>
    public static IReadOnlyList<(string Key, string Value)> CgroupItems(IReadOnlyDictionary<string, string> config, LxcRenderContext context)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        var v2 = context.Cgroups == CgroupVersion.V2;
        var items = new List<(string, string)>();
        if (config.TryGetValue("limits.memory", out var memory) && memory.Length > 0)
        {
            var bytes = ParseMemory(memory, context.HostMemoryBytes);
            var soft = config.GetValueOrDefault("limits.memory.enforce") == "soft";
            items.Add(v2
                ? (soft ? "memory.high" : "memory.max", bytes.ToString(CultureInfo.InvariantCulture))
                : (soft ? "memory.soft_limit_in_bytes" : "memory.limit_in_bytes", bytes.ToString(CultureInfo.InvariantCulture)));
            if (config.GetValueOrDefault("limits.memory.swap") == "false")
            {
                items.Add(v2 ? ("memory.swap.max", "0") : ("memory.memsw.limit_in_bytes", bytes.ToString(CultureInfo.InvariantCulture)));
            }
        }

        if (config.TryGetValue("limits.cpu", out var cpu) && cpu.Length > 0)
        {
            items.Add(("cpuset.cpus", CpuSet(cpu, context.HostCpus)));
        }

        if (config.TryGetValue("limits.cpu.allowance", out var allowance) && allowance.Length > 0)
        {
            var (quota, period) = Allowance(allowance);
            if (quota > 0)
            {
                if (v2)
                {
                    items.Add(("cpu.max", $"{quota} {period}"));
                }
                else
                {
                    items.Add(("cpu.cfs_period_us", period.ToString(CultureInfo.InvariantCulture)));
                    items.Add(("cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture)));
                }
            }
        }

        if (config.TryGetValue("limits.cpu.priority", out var priority) && int.TryParse(priority, out var prio))
        {
            var weight = 10 + (prio * 100);
            items.Add(v2 ? ("cpu.weight", Math.Clamp(weight / 10, 1, 10000).ToString(CultureInfo.InvariantCulture)) : ("cpu.shares", (weight + 24).ToString(CultureInfo.InvariantCulture)));
        }

        if (config.TryGetValue("limits.processes", out var processes) && processes.Length > 0)
        {
            items.Add(("pids.max", processes));
        }

        return items;
    }

    /// <summary><c>512MiB</c>, <c>1GB</c>, plain bytes (the validator's rules), or a percentage of host memory.</summary>
    public static long ParseMemory(string value, long hostMemory)
    {
        ArgumentNullException.ThrowIfNull(value);
        value = value.Trim();
        if (value.EndsWith('%') && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            return (long)(hostMemory * percent / 100);
        }

        return Config.ValueChecks.TryParseByteSize(value, out var bytes) ? bytes : throw new ApiException(400, $"Invalid memory value \"{value}\"");
    }

    /// <summary>A count gives the first N cpus (balancing comes later); a list or range is used as is.</summary>
    public static string CpuSet(string value, int hostCpus)
    {
        if (int.TryParse(value, out var count) && !value.Contains('-', StringComparison.Ordinal) && !value.Contains(',', StringComparison.Ordinal))
        {
            count = Math.Clamp(count, 1, Math.Max(hostCpus, 1));
            return count == 1 ? "0" : $"0-{count - 1}";
        }

        return value;
    }

    /// <summary><c>50%</c> of one period of 100 ms, or an explicit <c>25ms/100ms</c>; returns microseconds.</summary>
    public static (long Quota, long Period) Allowance(string value)
    {
        value = value.Trim();
        if (value.EndsWith('%') && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            return ((long)(100_000 * percent / 100), 100_000);
        }

        var parts = value.Split('/');
        if (parts.Length == 2 && parts[0].EndsWith("ms", StringComparison.Ordinal) && parts[1].EndsWith("ms", StringComparison.Ordinal)
            && long.TryParse(parts[0][..^2], out var quota) && long.TryParse(parts[1][..^2], out var period))
        {
            return (quota * 1000, period * 1000);
        }

        throw new ApiException(400, $"Invalid CPU allowance \"{value}\"");
    }

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
            add(prefix + "type", "veth");
            add(prefix + "link", nics[i].Link);
            add(prefix + "name", nics[i].Name);
            add(prefix + "hwaddr", nics[i].Hwaddr);
            add(prefix + "veth.pair", nics[i].HostName);
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
