using System.Globalization;
using Berth.Server.Resources;

namespace Berth.Server.Tests.Resources;

public class RealHostResourcesTests
{
    [Fact]
    public void Read_ThisMachine_ReportsCpusAndMemory()
    {
        var resources = HostResources.Read();

        Assert.True(resources.Cpu.Total >= 1);
        Assert.Equal(resources.Cpu.Total, (ulong)resources.Cpu.Sockets.SelectMany(s => s.Cores).SelectMany(c => c.Threads).Count());
        Assert.True(resources.Memory.Total > 0);
        Assert.Equal(ExpectedTotalMemory(), resources.Memory.Total);
    }

    /// <summary>
    /// /proc/meminfo's MemTotal, unless /sys/devices/system/memory describes the memory blocks: then LXD (and so
    /// Berth) reports online blocks x block size, which includes what the kernel reserved and is never below MemTotal.
    /// </summary>
    private static ulong ExpectedTotalMemory()
    {
        var memTotalLine = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var memTotal = ulong.Parse(memTotalLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

        const string Blocks = "/sys/devices/system/memory";
        if (!File.Exists($"{Blocks}/block_size_bytes"))
        {
            return memTotal;
        }

        var blockSize = ulong.Parse(File.ReadAllText($"{Blocks}/block_size_bytes").Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var online = (ulong)Directory.EnumerateDirectories(Blocks, "memory*")
            .Count(d => File.Exists($"{d}/online") && File.ReadAllText($"{d}/online").Trim() == "1");
        if (online == 0)
        {
            return memTotal;
        }

        Assert.True(online * blockSize >= memTotal);
        return online * blockSize;
    }
}
