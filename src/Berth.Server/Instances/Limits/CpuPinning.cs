namespace Berth.Server.Instances.Limits;

/// <summary>
/// <c>limits.cpu</c> as a count: pick that many host CPUs, the least used by other pinned instances first (LXD
/// balances the same way), so two 1-CPU containers land on different CPUs.
/// </summary>
public static class CpuPinning
{
    /// <param name="count">CPUs wanted; at least the host's count means all of them.</param>
    /// <param name="hostCpus">The host's online CPUs.</param>
    /// <param name="othersPinned">The CPU sets other running count-limited instances are pinned to.</param>
    public static IReadOnlyList<int> Choose(int count, IReadOnlyList<int> hostCpus, IEnumerable<IEnumerable<int>> othersPinned)
    {
        ArgumentNullException.ThrowIfNull(hostCpus);
        ArgumentNullException.ThrowIfNull(othersPinned);
        if (count >= hostCpus.Count)
        {
            return hostCpus;
        }

        var load = hostCpus.ToDictionary(c => c, _ => 0);
        foreach (var set in othersPinned)
        {
            foreach (var cpu in set)
            {
                if (load.ContainsKey(cpu))
                {
                    load[cpu]++;
                }
            }
        }

        return [.. load.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key).Take(Math.Max(count, 1)).Select(kv => kv.Key).Order()];
    }
}
