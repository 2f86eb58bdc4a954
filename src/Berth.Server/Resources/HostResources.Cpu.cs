using System.Globalization;
using System.Runtime.InteropServices;
using Berth.Api;

namespace Berth.Server.Resources;

public static partial class HostResources
{
    /// <summary>
    /// Sockets, cores and threads from <c>/sys/devices/system/cpu/cpuN/topology</c>; names and vendors from
    /// <c>/proc/cpuinfo</c>; caches and frequencies where sysfs has them.
    /// </summary>
    internal static ResourcesCpu ReadCpu(HostPaths host)
    {
        var cpuRoot = host.Sys("devices/system/cpu");
        var isolated = ParseIdList(ReadText(Path.Combine(cpuRoot, "isolated")));
        var cpuinfo = ParseCpuinfo(ReadText(host.Proc("cpuinfo")) ?? "");
        var sockets = new SortedDictionary<ulong, ResourcesCpuSocket>();
        var cores = new Dictionary<ulong, SortedDictionary<(ulong Die, ulong Core), ResourcesCpuCore>>();
        ulong total = 0;

        var cpus = Entries(cpuRoot)
            .Select(name => (Name: name, Id: NumericSuffix(name, "cpu")))
            .Where(c => c.Id >= 0 && Directory.Exists(Path.Combine(cpuRoot, c.Name, "topology")))
            .OrderBy(c => c.Id);
        foreach (var (name, id) in cpus)
        {
            var dir = Path.Combine(cpuRoot, name);
            var topology = Path.Combine(dir, "topology");
            var socketId = NonNegative(ReadLong(Path.Combine(topology, "physical_package_id")));
            var coreId = NonNegative(ReadLong(Path.Combine(topology, "core_id")));
            var dieId = NonNegative(ReadLong(Path.Combine(topology, "die_id")));

            if (!sockets.TryGetValue(socketId, out var socket))
            {
                socket = NewSocket(dir, socketId, id, cpuinfo);
                sockets[socketId] = socket;
                cores[socketId] = [];
            }

            if (!cores[socketId].TryGetValue((dieId, coreId), out var core))
            {
                core = new ResourcesCpuCore
                {
                    Core = coreId,
                    Die = dieId,
                    Frequency = (ReadUlong(Path.Combine(dir, "cpufreq", "scaling_cur_freq")) ?? 0) / 1000,
                };
                cores[socketId][(dieId, coreId)] = core;
            }

            core.Threads.Add(new ResourcesCpuThread
            {
                Id = id,
                NumaNode = CpuNumaNode(dir),
                Thread = (ulong)core.Threads.Count,
                Online = ReadUlong(Path.Combine(dir, "online")) != 0,
                Isolated = isolated.Contains(id),
            });
            total++;
        }

        foreach (var (socketId, socket) in sockets)
        {
            socket.Cores = [.. cores[socketId].Values.OrderBy(c => c.Core).ThenBy(c => c.Die)];
            var frequencies = socket.Cores.Where(c => c.Frequency > 0).Select(c => c.Frequency).ToList();
            socket.Frequency = frequencies.Count > 0 ? (ulong)frequencies.Average(f => (double)f) : 0;
        }

        return new ResourcesCpu { Architecture = Architecture(host), Sockets = [.. sockets.Values], Total = total };
    }

    private static ResourcesCpuSocket NewSocket(string cpuDir, ulong socketId, int cpuId, List<Dictionary<string, string>> cpuinfo)
    {
        // The cpuinfo block of a thread on this socket: "physical id" where the architecture has it, else the thread's own.
        var block = cpuinfo.FirstOrDefault(b => b.TryGetValue("physical id", out var p) && p == socketId.ToString(CultureInfo.InvariantCulture))
            ?? cpuinfo.FirstOrDefault(b => b.TryGetValue("processor", out var p) && p == cpuId.ToString(CultureInfo.InvariantCulture))
            ?? cpuinfo.FirstOrDefault();
        string? name = null, vendor = null;
        if (block is not null)
        {
            name = block.GetValueOrDefault("model name") ?? block.GetValueOrDefault("cpu");
            vendor = block.GetValueOrDefault("vendor_id");
        }

        var freq = Path.Combine(cpuDir, "cpufreq");
        return new ResourcesCpuSocket
        {
            Name = NullIfEmpty(name),
            Vendor = NullIfEmpty(vendor),
            Socket = socketId,
            Cache = ReadCpuCaches(Path.Combine(cpuDir, "cache")),
            FrequencyMinimum = (ReadUlong(Path.Combine(freq, "cpuinfo_min_freq")) ?? ReadUlong(Path.Combine(freq, "scaling_min_freq")) ?? 0) / 1000,
            FrequencyTurbo = (ReadUlong(Path.Combine(freq, "cpuinfo_max_freq")) ?? ReadUlong(Path.Combine(freq, "scaling_max_freq")) ?? 0) / 1000,
        };
    }

    private static List<ResourcesCpuCache>? ReadCpuCaches(string cacheDir)
    {
        if (!Directory.Exists(cacheDir))
        {
            return null;
        }

        var caches = new List<ResourcesCpuCache>();
        foreach (var index in Entries(cacheDir).Where(n => NumericSuffix(n, "index") >= 0).OrderBy(n => NumericSuffix(n, "index")))
        {
            var dir = Path.Combine(cacheDir, index);
            var level = ReadUlong(Path.Combine(dir, "level"));
            if (level is null)
            {
                continue;
            }

            var sizeText = ReadText(Path.Combine(dir, "size")) ?? "";
            var multiplier = sizeText.EndsWith('K') ? 1024UL : sizeText.EndsWith('M') ? 1024UL * 1024 : 1UL;
            _ = ulong.TryParse(sizeText.TrimEnd('K', 'M'), NumberStyles.None, CultureInfo.InvariantCulture, out var size);
            caches.Add(new ResourcesCpuCache
            {
                Level = level.Value,
                Type = ReadText(Path.Combine(dir, "type")) ?? "Unknown",
                Size = size * multiplier,
            });
        }

        return caches;
    }

    /// <summary>The <c>nodeN</c> link inside a CPU's directory names its NUMA node.</summary>
    private static ulong CpuNumaNode(string cpuDir) =>
        Entries(cpuDir).Select(n => NumericSuffix(n, "node")).Where(n => n >= 0).Select(n => (ulong)n).FirstOrDefault();

    private static ulong NonNegative(long? value) => value is > 0 ? (ulong)value.Value : 0;

    /// <summary>Splits /proc/cpuinfo into one key/value map per processor block.</summary>
    internal static List<Dictionary<string, string>> ParseCpuinfo(string text)
    {
        var blocks = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                current = null;
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            if (current is null)
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                blocks.Add(current);
            }

            current.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
        }

        return blocks;
    }

    /// <summary>A kernel id list such as <c>0-3,8</c>; empty for null or blank text.</summary>
    internal static HashSet<long> ParseIdList(string? text)
    {
        var ids = new HashSet<long>();
        foreach (var chunk in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bounds = chunk.Split('-');
            if (!long.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low))
            {
                continue;
            }

            var high = bounds.Length == 2 && long.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h) ? h : low;
            for (var id = low; id <= high; id++)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>The kernel's machine name (<c>uname -m</c>) from procfs, else from the runtime.</summary>
    private static string Architecture(HostPaths host) =>
        NullIfEmpty(ReadText(host.Proc("sys/kernel/arch"))) ?? RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "x86_64",
            System.Runtime.InteropServices.Architecture.X86 => "i686",
            System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
            System.Runtime.InteropServices.Architecture.Arm => "armv7l",
            System.Runtime.InteropServices.Architecture.S390x => "s390x",
            System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
            System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
            System.Runtime.InteropServices.Architecture.LoongArch64 => "loongarch64",
            var other => other.ToString().ToLowerInvariant(),
        };
}
