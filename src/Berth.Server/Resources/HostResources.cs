using System.Globalization;
using System.Text.RegularExpressions;
using ApiResources = Berth.Api.Resources;

namespace Berth.Server.Resources;

/// <summary>
/// Reads the host's hardware for <c>GET /1.0/resources</c> from procfs and sysfs, the way LXD's
/// <c>lxd/resources</c> package does. Missing files are not errors: the field stays empty, as in LXD.
/// </summary>
public static partial class HostResources
{
    /// <summary>Reads everything; the roots are parameters so tests can point at a fake tree.</summary>
    public static ApiResources Read(string procRoot = "/proc", string sysRoot = "/sys")
    {
        var host = new HostPaths(procRoot, sysRoot);
        return new ApiResources
        {
            Cpu = ReadCpu(host),
            Memory = ReadMemory(host),
            Gpu = ReadGpu(host),
            Network = ReadNetwork(host),
            Storage = ReadStorage(host),
            Usb = ReadUsb(host),
            Pci = ReadPci(host),
            System = ReadSystem(host),
        };
    }

    /// <summary>Where procfs and sysfs are mounted; <see cref="Root"/> is their parent, the file system root.</summary>
    internal sealed record HostPaths(string ProcRoot, string SysRoot)
    {
        public string Proc(string relative) => Path.Combine(ProcRoot, relative);

        public string Sys(string relative) => Path.Combine(SysRoot, relative);

        public string Root => Path.GetDirectoryName(Path.GetFullPath(ProcRoot).TrimEnd('/')) ?? "/";

        /// <summary>The running kernel's release, used as driver version for drivers without a module version.</summary>
        public string KernelRelease => ReadText(Proc("sys/kernel/osrelease")) ?? "";
    }

    /// <summary>A sysfs attribute, trimmed; null when missing or unreadable.</summary>
    internal static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static ulong? ReadUlong(string path) =>
        ulong.TryParse(ReadText(path), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    internal static long? ReadLong(string path) =>
        long.TryParse(ReadText(path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A hexadecimal attribute such as <c>0x1af4</c> or <c>09</c>; null when missing.</summary>
    internal static ulong? ReadHex(string path)
    {
        var text = ReadText(path);
        if (text is null)
        {
            return null;
        }

        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        return ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>A vendor or product id attribute (<c>0x1af4</c>) in LXD's form (<c>1af4</c>); null when missing.</summary>
    internal static string? ReadId(string path)
    {
        var text = ReadText(path);
        return string.IsNullOrEmpty(text) ? null : text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
    }

    internal static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Entries of a directory (following it if it is a link), or none when it does not exist.</summary>
    internal static IEnumerable<string> Entries(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>() : [];

    /// <summary>
    /// <c>realpath(3)</c> in managed code: resolves every symbolic link along <paramref name="path"/>, so relative
    /// sysfs links (<c>../../devices/...</c>) resolve against their real location. Null if a component is missing.
    /// </summary>
    internal static string? RealPath(string path)
    {
        var pending = new Stack<string>(Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = "/" + string.Join('/', resolved.Append(part));
            var info = new FileInfo(candidate);
            if (info.LinkTarget is { } target)
            {
                if (++hops > 40)
                {
                    return null;
                }

                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                }

                foreach (var segment in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.Push(segment);
                }

                continue;
            }

            if (!info.Exists && !Directory.Exists(candidate))
            {
                return null;
            }

            resolved.Add(part);
        }

        return "/" + string.Join('/', resolved);
    }

    /// <summary>The name a link points at (<c>driver</c> → <c>virtio_net</c>); null when there is no link.</summary>
    internal static string? LinkName(string path)
    {
        var real = RealPath(path);
        return real is null ? null : Path.GetFileName(real);
    }

    /// <summary>The kernel driver bound to a device directory and its version (module version or kernel release).</summary>
    internal static (string Driver, string Version) Driver(HostPaths host, string deviceDirectory)
    {
        var driverLink = Path.Combine(deviceDirectory, "driver");
        var driver = LinkName(driverLink);
        if (driver is null)
        {
            return ("", "");
        }

        var version = ReadText(Path.Combine(driverLink, "module", "version"));
        return (driver, string.IsNullOrEmpty(version) ? host.KernelRelease : version);
    }

    /// <summary>The NUMA node of a device: its own <c>numa_node</c>, else its nearest ancestor's; 0 when unknown (-1).</summary>
    internal static ulong DeviceNumaNode(string realDevicePath)
    {
        for (var dir = realDevicePath; !string.IsNullOrEmpty(dir) && dir != "/"; dir = Path.GetDirectoryName(dir))
        {
            var node = ReadLong(Path.Combine(dir, "numa_node"));
            if (node is not null)
            {
                return node > 0 ? (ulong)node.Value : 0;
            }
        }

        return 0;
    }

    /// <summary>The PCI address nearest to a device along its real sysfs path (the device itself or its parent).</summary>
    internal static string? PciAddressOf(string realDevicePath) =>
        realDevicePath.Split('/').LastOrDefault(segment => PciAddressRegex().IsMatch(segment));

    /// <summary>The USB <c>bus:device</c> of the USB device a sysfs path sits under; null when not on USB.</summary>
    internal static string? UsbAddressOf(string realDevicePath)
    {
        for (var dir = realDevicePath; !string.IsNullOrEmpty(dir) && dir != "/"; dir = Path.GetDirectoryName(dir))
        {
            var bus = ReadUlong(Path.Combine(dir, "busnum"));
            var device = ReadUlong(Path.Combine(dir, "devnum"));
            if (bus is not null && device is not null)
            {
                return $"{bus}:{device}";
            }
        }

        return null;
    }

    /// <summary>Sorts names like <c>cpu10</c> after <c>cpu9</c>: by their number when they have one.</summary>
    internal static int NumericSuffix(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal)
        && int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : -1;

    [GeneratedRegex(@"^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$", RegexOptions.CultureInvariant)]
    private static partial Regex PciAddressRegex();
}
