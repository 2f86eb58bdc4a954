using System.Globalization;
using Berth.Api;

namespace Berth.Server.Resources;

public static partial class HostResources
{
    /// <summary>
    /// Memory from <c>/proc/meminfo</c> and per NUMA node from <c>/sys/devices/system/node/nodeN/meminfo</c>.
    /// Like LXD, the total counts the online memory blocks of <c>/sys/devices/system/memory</c> when that is
    /// available (MemTotal leaves out what the kernel reserved), and falls back to MemTotal otherwise.
    /// </summary>
    internal static ResourcesMemory ReadMemory(HostPaths host)
    {
        var info = ParseMeminfo(ReadText(host.Proc("meminfo")) ?? "");
        var blockSize = MemoryBlockSize(host);
        var total = OnlineMemoryBlocks(host.Sys("devices/system/memory"), blockSize) is > 0 and var blocks ? blocks : info.GetValueOrDefault("MemTotal");
        var pageSize = info.GetValueOrDefault("Hugepagesize");
        var hugeTotal = info.GetValueOrDefault("HugePages_Total");
        var hugeFree = info.GetValueOrDefault("HugePages_Free");

        var memory = new ResourcesMemory
        {
            HugepagesTotal = hugeTotal * pageSize,
            HugepagesUsed = (hugeTotal - Math.Min(hugeFree, hugeTotal)) * pageSize,
            HugepagesSize = pageSize,
            Used = Subtract(total, info.GetValueOrDefault("MemFree") + info.GetValueOrDefault("Cached") + info.GetValueOrDefault("Buffers")),
            Total = total,
        };

        var nodeRoot = host.Sys("devices/system/node");
        if (!Directory.Exists(nodeRoot))
        {
            return memory;
        }

        memory.Nodes = [];
        foreach (var (name, id) in Entries(nodeRoot).Select(n => (Name: n, Id: NumericSuffix(n, "node"))).Where(n => n.Id >= 0).OrderBy(n => n.Id))
        {
            var dir = Path.Combine(nodeRoot, name);
            var text = ReadText(Path.Combine(dir, "meminfo"));
            if (text is null)
            {
                continue;
            }

            var node = ParseMeminfo(text);
            var nodeHugeTotal = node.GetValueOrDefault("HugePages_Total");
            var nodeHugeFree = node.GetValueOrDefault("HugePages_Free");
            memory.Nodes.Add(new ResourcesMemoryNode
            {
                NumaNode = (ulong)id,
                HugepagesUsed = (nodeHugeTotal - Math.Min(nodeHugeFree, nodeHugeTotal)) * pageSize,
                HugepagesTotal = nodeHugeTotal * pageSize,
                Used = node.GetValueOrDefault("MemUsed"),
                Total = OnlineMemoryBlocks(dir, blockSize) is > 0 and var nodeBlocks ? nodeBlocks : node.GetValueOrDefault("MemTotal"),
            });
        }

        return memory;
    }

    /// <summary>
    /// Parses meminfo lines (<c>MemTotal: 123 kB</c>, or <c>Node 0 MemTotal: ...</c> in a node's file): values in
    /// kB become bytes, unit-less counts (<c>HugePages_Total</c>) stay counts.
    /// </summary>
    internal static Dictionary<string, ulong> ParseMeminfo(string text)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim().Split(' ')[^1];
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || !ulong.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            values[key] = fields.Length > 1 && fields[1] == "kB" ? value * 1024 : value;
        }

        return values;
    }

    private static ulong MemoryBlockSize(HostPaths host) => ReadHex(host.Sys("devices/system/memory/block_size_bytes")) ?? 0;

    /// <summary>Online <c>memoryN</c> blocks in a directory times the block size; 0 when unknown.</summary>
    private static ulong OnlineMemoryBlocks(string directory, ulong blockSize)
    {
        if (blockSize == 0)
        {
            return 0;
        }

        var online = Entries(directory)
            .Where(n => NumericSuffix(n, "memory") >= 0)
            .Count(n => ReadText(Path.Combine(directory, n, "online")) == "1");
        return (ulong)online * blockSize;
    }

    private static ulong Subtract(ulong a, ulong b) => a > b ? a - b : 0;
}
