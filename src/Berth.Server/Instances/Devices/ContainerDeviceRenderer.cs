using Berth.Server.Config;

namespace Berth.Server.Instances.Devices;

/// <summary>
/// The <c>lxc.*</c> lines for container-side devices: host-path disks as bind mounts, and device nodes (unix-char,
/// unix-block, gpu, usb) as devices-cgroup rules plus bind mounts of nodes berthd made. Disks with a <c>pool</c>
/// (custom volumes, the root disk) and NICs are rendered elsewhere.
/// </summary>
public static class ContainerDeviceRenderer
{
    public static void Render(
        IReadOnlyDictionary<string, Dictionary<string, string>> devices,
        IReadOnlyList<UnixNode> nodes,
        string nodeDir,
        CgroupVersion cgroups,
        bool idmapped,
        Action<string, string> add)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(add);
        foreach (var (_, device) in devices.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (IsHostDisk(device))
            {
                add("lxc.mount.entry", DiskMountEntry(device, idmapped));
            }
        }

        var prefix = cgroups == CgroupVersion.V2 ? "lxc.cgroup2." : "lxc.cgroup.";
        foreach (var node in nodes)
        {
            add(prefix + "devices.allow", node.CgroupRule);
            add("lxc.mount.entry", $"{Escape(Path.Combine(nodeDir, node.HostName))} {Escape(node.PathInside.TrimStart('/'))} none bind,create=file 0 0");
        }
    }

    /// <summary>A <c>disk</c> with a host <c>source</c> path, no pool, not the root: the ones bind-mounted here.</summary>
    public static bool IsHostDisk(IReadOnlyDictionary<string, string> device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.GetValueOrDefault("type") == "disk"
            && device.GetValueOrDefault("pool") is null or ""
            && device.GetValueOrDefault("path") is { Length: > 1 }
            && device.GetValueOrDefault("source") is { Length: > 0 } source && source.StartsWith('/');
    }

    /// <summary><c>required=false</c> (or the older <c>optional=true</c>): a missing source is skipped, not an error.</summary>
    public static bool IsRequired(IReadOnlyDictionary<string, string> device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return !(device.GetValueOrDefault("required") is { Length: > 0 } required && ValueChecks.IsFalse(required))
            && !(device.GetValueOrDefault("optional") is { Length: > 0 } optional && ValueChecks.IsTrue(optional));
    }

    /// <summary>The mount options a host-path disk gets (also used for hot-plug).</summary>
    public static IReadOnlyList<string> DiskOptions(IReadOnlyDictionary<string, string> device, bool idmapped)
    {
        ArgumentNullException.ThrowIfNull(device);
        var options = new List<string> { IsTrue(device, "recursive") ? "rbind" : "bind" };
        if (IsTrue(device, "readonly"))
        {
            options.Add("ro");
        }

        if (device.GetValueOrDefault("propagation") is { Length: > 0 } propagation)
        {
            options.Add(propagation);
        }

        if (IsTrue(device, "shift") && idmapped)
        {
            // Files owned by host root show as root inside, as LXD's shift does with idmapped mounts.
            options.Add("idmap=container");
        }

        if (!IsRequired(device))
        {
            options.Add("optional");
        }

        options.Add(File.Exists(device["source"]) ? "create=file" : "create=dir");
        return options;
    }

    private static string DiskMountEntry(IReadOnlyDictionary<string, string> device, bool idmapped) =>
        $"{Escape(device["source"])} {Escape(device["path"].TrimStart('/'))} none {string.Join(',', DiskOptions(device, idmapped))} 0 0";

    private static bool IsTrue(IReadOnlyDictionary<string, string> device, string key) =>
        device.GetValueOrDefault(key) is { Length: > 0 } value && ValueChecks.IsTrue(value);

    // fstab syntax: a space in a path is \040.
    private static string Escape(string path) => path.Replace(" ", "\\040", StringComparison.Ordinal);
}
