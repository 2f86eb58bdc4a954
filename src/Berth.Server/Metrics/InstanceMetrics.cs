using System.Globalization;
using Berth.Api;

namespace Berth.Server.Metrics;

/// <summary>A filesystem an instance's disk device sits on, as LXD labels it.</summary>
public sealed record FilesystemSample(string Device, string FsType, string MountPoint, ulong SizeBytes, ulong FreeBytes, ulong AvailableBytes);

/// <summary>
/// One running instance's samples, as LXD 5.0.2's container driver gathers them: memory from memory.stat and the
/// effective limit, CPU per CPU, block I/O per device, its disks' filesystems, its interfaces and its process count.
/// A cgroup file that cannot be read leaves its metrics out (LXD logs and goes on).
/// </summary>
public static class InstanceMetrics
{
    private static readonly (string Key, MetricType Type)[] MemoryTypes =
    [
        ("active_anon", MetricType.MemoryActiveAnonBytes),
        ("active_file", MetricType.MemoryActiveFileBytes),
        ("active", MetricType.MemoryActiveBytes),
        ("cache", MetricType.MemoryCachedBytes),
        ("dirty", MetricType.MemoryDirtyBytes),
        ("inactive_anon", MetricType.MemoryInactiveAnonBytes),
        ("inactive_file", MetricType.MemoryInactiveFileBytes),
        ("inactive", MetricType.MemoryInactiveBytes),
        ("mapped", MetricType.MemoryMappedBytes),
        ("rss", MetricType.MemoryRssBytes),
        ("shmem", MetricType.MemoryShmemBytes),
        ("unevictable", MetricType.MemoryUnevictableBytes),
        ("writeback", MetricType.MemoryWritebackBytes),
    ];

    /// <summary>The cgroup-based samples; <paramref name="item"/> reads one of the instance's cgroup files.</summary>
    public static void AddCgroup(MetricSet set, string project, string name, Func<string, string?> item, bool v2, long hostMemoryBytes, IReadOnlyDictionary<string, string> partitions)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(item);
        var labels = Labels(project, name);
        var cached = 0L;
        if (item("memory.stat") is { } memoryStat)
        {
            var stats = CgroupStats.Memory(memoryStat);
            foreach (var (key, type) in MemoryTypes)
            {
                if (stats.TryGetValue(key, out var value))
                {
                    set.Add(type, value, labels);
                }
            }

            cached = (long)stats.GetValueOrDefault("cache");
        }

        var usage = Long(item(v2 ? "memory.current" : "memory.usage_in_bytes"));
        // No limit ("max" on v2, a huge number on v1) or one above the host's memory: the host's memory.
        var limit = Long(item(v2 ? "memory.max" : "memory.limit_in_bytes")) is { } l && l <= hostMemoryBytes ? l : hostMemoryBytes;
        if (limit > 0)
        {
            set.Add(MetricType.MemoryMemTotalBytes, limit, labels);
            set.Add(MetricType.MemoryMemAvailableBytes, limit - (usage ?? 0) + cached, labels);
            set.Add(MetricType.MemoryMemFreeBytes, limit - (usage ?? 0), labels);
        }

        // Swap only where the kernel accounts it (v1 memsw needs swapaccount; v2 memory.swap.current).
        var swap = v2 ? Long(item("memory.swap.current")) : Long(item("memory.memsw.usage_in_bytes")) - usage;
        if (swap is { } s)
        {
            set.Add(MetricType.MemorySwapBytes, s, labels);
        }

        if (item(v2 ? "cpu.stat" : "cpuacct.usage_all") is { } cpuText)
        {
            foreach (var (cpu, (user, system)) in CgroupStats.Cpu(cpuText, v2))
            {
                var id = cpu.ToString(CultureInfo.InvariantCulture);
                set.Add(MetricType.CpuSecondsTotal, system / 1e9, With(labels, ("mode", "system"), ("cpu", id)));
                set.Add(MetricType.CpuSecondsTotal, user / 1e9, With(labels, ("mode", "user"), ("cpu", id)));
            }
        }

        foreach (var (device, stats) in Io(item, v2, partitions))
        {
            var deviceLabels = With(labels, ("device", device));
            set.Add(MetricType.DiskReadBytesTotal, stats.ReadBytes, deviceLabels);
            set.Add(MetricType.DiskReadsCompletedTotal, stats.ReadsCompleted, deviceLabels);
            set.Add(MetricType.DiskWrittenBytesTotal, stats.WrittenBytes, deviceLabels);
            set.Add(MetricType.DiskWritesCompletedTotal, stats.WritesCompleted, deviceLabels);
        }

        if (Long(item("pids.current")) is { } processes)
        {
            set.Add(MetricType.ProcsTotal, processes, labels);
        }
    }

    /// <summary>Block I/O per device: v2's io.stat, or v1's two blkio throttle files; none when unreadable.</summary>
    private static SortedDictionary<string, IoStats> Io(Func<string, string?> item, bool v2, IReadOnlyDictionary<string, string> partitions)
    {
        if (v2)
        {
            return item("io.stat") is { } stat ? CgroupStats.IoV2(stat, partitions) : [];
        }

        return item("blkio.throttle.io_service_bytes_recursive") is { } bytes && item("blkio.throttle.io_serviced_recursive") is { } serviced
            ? CgroupStats.IoV1(bytes, serviced, partitions)
            : [];
    }

    /// <summary>Filesystem samples: LXD labels them with project and name only (no type).</summary>
    public static void AddFilesystems(MetricSet set, string project, string name, IEnumerable<FilesystemSample> filesystems)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(filesystems);
        foreach (var fs in filesystems)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["project"] = project,
                ["name"] = name,
                ["device"] = fs.Device,
                ["fstype"] = fs.FsType,
                ["mountpoint"] = fs.MountPoint,
            };
            set.Add(MetricType.FilesystemSizeBytes, fs.SizeBytes, labels);
            set.Add(MetricType.FilesystemAvailBytes, fs.AvailableBytes, labels);
            set.Add(MetricType.FilesystemFreeBytes, fs.FreeBytes, labels);
        }
    }

    /// <summary>Interface counters, per interface inside the instance.</summary>
    public static void AddNetwork(MetricSet set, string project, string name, IReadOnlyDictionary<string, InstanceStateNetwork> interfaces)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(interfaces);
        foreach (var (device, state) in interfaces.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            var labels = With(Labels(project, name), ("device", device));
            var c = state.Counters;
            set.Add(MetricType.NetworkReceiveBytesTotal, c.BytesReceived, labels);
            set.Add(MetricType.NetworkReceivePacketsTotal, c.PacketsReceived, labels);
            set.Add(MetricType.NetworkTransmitBytesTotal, c.BytesSent, labels);
            set.Add(MetricType.NetworkTransmitPacketsTotal, c.PacketsSent, labels);
            set.Add(MetricType.NetworkReceiveErrsTotal, c.ErrorsReceived, labels);
            set.Add(MetricType.NetworkTransmitErrsTotal, c.ErrorsSent, labels);
            set.Add(MetricType.NetworkReceiveDropTotal, c.PacketsDroppedInbound, labels);
            set.Add(MetricType.NetworkTransmitDropTotal, c.PacketsDroppedOutbound, labels);
        }
    }

    /// <summary>LXD's name for a statfs magic: the five it knows, else the magic in hex.</summary>
    public static string FsTypeName(long magic) => (uint)magic switch
    {
        0x9123683E => "btrfs",
        0x01021994 => "tmpfs",
        0xEF53 => "ext4",
        0x58465342 => "xfs",
        0x6969 => "nfs",
        0x2FC12FC1 => "zfs",
        var other => "0x" + other.ToString("x", CultureInfo.InvariantCulture),
    };

    private static Dictionary<string, string> Labels(string project, string name) => new(StringComparer.Ordinal)
    {
        ["project"] = project,
        ["name"] = name,
        ["type"] = "container",
    };

    private static Dictionary<string, string> With(Dictionary<string, string> labels, params (string Key, string Value)[] more)
    {
        var result = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        foreach (var (key, value) in more)
        {
            result[key] = value;
        }

        return result;
    }

    private static long? Long(string? text) => long.TryParse(text, CultureInfo.InvariantCulture, out var n) ? n : null;
}
