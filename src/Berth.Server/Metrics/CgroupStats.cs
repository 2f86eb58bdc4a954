using System.Globalization;

namespace Berth.Server.Metrics;

/// <summary>Per-device block I/O counters of a cgroup.</summary>
public sealed record IoStats(ulong ReadBytes, ulong ReadsCompleted, ulong WrittenBytes, ulong WritesCompleted);

/// <summary>
/// Parsers for the cgroup files LXD 5.0.2 reads for its metrics, on v1 and v2: names are folded as LXD folds them
/// (v1's hierarchical <c>total_*</c> and v2's names become one key each), so one set of metrics covers both.
/// </summary>
public static class CgroupStats
{
    // memory.stat key (v1 total_*, v1 plain, or v2) -> LXD's key. v1 lists its total_* lines after the plain ones,
    // so the hierarchical values win, as in LXD (the last line read wins).
    private static readonly Dictionary<string, string> MemoryKeys = new(StringComparer.Ordinal)
    {
        ["active_anon"] = "active_anon",
        ["active_file"] = "active_file",
        ["inactive_anon"] = "inactive_anon",
        ["inactive_file"] = "inactive_file",
        ["unevictable"] = "unevictable",
        ["file_writeback"] = "writeback",
        ["file_dirty"] = "dirty",
        ["file_mapped"] = "mapped",
        ["shmem"] = "shmem",
        ["file"] = "cache",
        ["total_active_anon"] = "active_anon",
        ["total_active_file"] = "active_file",
        ["total_inactive_anon"] = "inactive_anon",
        ["total_inactive_file"] = "inactive_file",
        ["total_unevictable"] = "unevictable",
        ["total_writeback"] = "writeback",
        ["total_dirty"] = "dirty",
        ["total_mapped_file"] = "mapped",
        ["total_rss"] = "rss",
        ["total_shmem"] = "shmem",
        ["total_cache"] = "cache",
    };

    /// <summary>memory.stat as LXD's keys (active_anon, ..., cache, rss on v1), plus active and inactive sums.</summary>
    public static Dictionary<string, ulong> Memory(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stats = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var (key, value) in Pairs(text))
        {
            if (MemoryKeys.TryGetValue(key, out var name) && ulong.TryParse(value, CultureInfo.InvariantCulture, out var number))
            {
                stats[name] = number;
            }
        }

        stats["active"] = stats.GetValueOrDefault("active_anon") + stats.GetValueOrDefault("active_file");
        stats["inactive"] = stats.GetValueOrDefault("inactive_anon") + stats.GetValueOrDefault("inactive_file");
        return stats;
    }

    /// <summary>
    /// CPU time in nanoseconds per CPU as (user, system): v1's cpuacct.usage_all, or v2's cpu.stat, which is not
    /// split per CPU and is reported as CPU 0 (as LXD does).
    /// </summary>
    public static SortedDictionary<int, (long User, long System)> Cpu(string text, bool v2)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cpus = new SortedDictionary<int, (long, long)>();
        if (v2)
        {
            var values = Pairs(text).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            long Usec(string key) => values.TryGetValue(key, out var v) && long.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n * 1000 : 0;
            cpus[0] = (Usec("user_usec"), Usec("system_usec"));
            return cpus;
        }

        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 3 && int.TryParse(fields[0], CultureInfo.InvariantCulture, out var cpu)
                && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var user) && long.TryParse(fields[2], CultureInfo.InvariantCulture, out var system))
            {
                cpus[cpu] = (user, system);
            }
        }

        return cpus;
    }

    /// <summary>/proc/partitions as "major:minor" -> device name.</summary>
    public static Dictionary<string, string> Partitions(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 4 && fields[0] != "major")
            {
                names[fields[0] + ":" + fields[1]] = fields[3];
            }
        }

        return names;
    }

    /// <summary>v1 blkio.throttle.io_service_bytes_recursive and io_serviced_recursive, by device name.</summary>
    public static SortedDictionary<string, IoStats> IoV1(string serviceBytes, string serviced, IReadOnlyDictionary<string, string> partitions)
    {
        var bytes = ReadWrite(serviceBytes, partitions);
        var counts = ReadWrite(serviced, partitions);
        var devices = new SortedDictionary<string, IoStats>(StringComparer.Ordinal);
        foreach (var device in bytes.Keys.Union(counts.Keys))
        {
            var (readBytes, writtenBytes) = bytes.GetValueOrDefault(device);
            var (reads, writes) = counts.GetValueOrDefault(device);
            devices[device] = new IoStats(readBytes, reads, writtenBytes, writes);
        }

        return devices;
    }

    /// <summary>v2 io.stat (<c>8:0 rbytes=.. wbytes=.. rios=.. wios=..</c>), by device name.</summary>
    public static SortedDictionary<string, IoStats> IoV2(string text, IReadOnlyDictionary<string, string> partitions)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(partitions);
        var devices = new SortedDictionary<string, IoStats>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = fields.Skip(1).Select(f => f.Split('=', 2)).Where(kv => kv.Length == 2)
                .ToDictionary(kv => kv[0], kv => ulong.TryParse(kv[1], CultureInfo.InvariantCulture, out var n) ? n : 0, StringComparer.Ordinal);
            devices[partitions.GetValueOrDefault(fields[0], "")] = new IoStats(
                values.GetValueOrDefault("rbytes"), values.GetValueOrDefault("rios"), values.GetValueOrDefault("wbytes"), values.GetValueOrDefault("wios"));
        }

        return devices;
    }

    /// <summary>"8:0 Read 123" lines summed per device name as (read, write); "Total" lines are skipped.</summary>
    private static Dictionary<string, (ulong Read, ulong Write)> ReadWrite(string text, IReadOnlyDictionary<string, string> partitions)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, (ulong, ulong)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3 || !ulong.TryParse(fields[2], CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var device = partitions.GetValueOrDefault(fields[0], "");
            var (read, write) = result.GetValueOrDefault(device);
            result[device] = fields[1] switch
            {
                "Read" => (value, write),
                "Write" => (read, value),
                _ => (read, write),
            };
        }

        return result;
    }

    private static IEnumerable<(string Key, string Value)> Pairs(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .Where(parts => parts.Length == 2)
            .Select(parts => (parts[0], parts[1].Trim()));
}
