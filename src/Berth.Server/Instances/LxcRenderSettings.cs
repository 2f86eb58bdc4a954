namespace Berth.Server.Instances;

/// <summary>Host facts the lxc config depends on, detected once.</summary>
public sealed record LxcRenderSettings(CgroupVersion Cgroups, IdmapRange Idmap, long HostMemoryBytes, int HostCpus)
{
    public static LxcRenderSettings Detect() =>
        new(CgroupLayout.Detect(), IdmapRange.ForRoot(), HostMemory(), Environment.ProcessorCount);

    private static long HostMemory()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal) && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb))
            {
                return kb * 1024;
            }
        }

        return 0;
    }
}
