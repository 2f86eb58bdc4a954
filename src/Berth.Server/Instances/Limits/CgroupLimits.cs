using System.Globalization;

namespace Berth.Server.Instances.Limits;

/// <summary>
/// The <c>limits.*</c> keys as cgroup files, in the host's cgroup version: rendered as <c>lxc.cgroup[2].*</c> at
/// start, and written through liblxc's set_cgroup_item to running containers. With <c>withDefaults</c> every file
/// gets a value (the unlimited one for unset keys), so unsetting a key on a running container resets it.
/// </summary>
public static class CgroupLimits
{
    /// <param name="config">The expanded config.</param>
    /// <param name="version">The host's cgroup version.</param>
    /// <param name="hostMemory">Host memory in bytes, for <c>limits.memory=50%</c>.</param>
    /// <param name="cpus">The resolved CPU list for <c>limits.cpu</c> (see <see cref="ResolveCpus"/>), null when unset.</param>
    /// <param name="hostCpus">The host's CPU list, the cpuset default.</param>
    /// <param name="withDefaults">Include the unlimited values of unset keys.</param>
    public static IReadOnlyList<(string Key, string Value)> Items(
        IReadOnlyDictionary<string, string> config, CgroupVersion version, long hostMemory, string? cpus, string hostCpus, bool withDefaults)
    {
        ArgumentNullException.ThrowIfNull(config);
        var v2 = version == CgroupVersion.V2;
        var items = new List<(string, string)>();
        void Add(string key, string value, bool isDefault)
        {
            if (!isDefault || withDefaults)
            {
                items.Add((key, value));
            }
        }

        // Memory.
        var memory = Get(config, "limits.memory");
        long? bytes = memory is null ? null : MemoryLimit.Parse(memory, hostMemory);
        var soft = Get(config, "limits.memory.enforce") == "soft";
        var hard = bytes is { } b && !soft ? b.ToString(CultureInfo.InvariantCulture) : null;
        var low = bytes is { } s ? (soft ? s : (long)(s * 0.9)).ToString(CultureInfo.InvariantCulture) : null;
        if (v2)
        {
            Add("memory.max", hard ?? "max", hard is null);
            var softLow = soft ? low : null;
            Add("memory.low", softLow ?? "0", softLow is null);
        }
        else
        {
            // Soft limit 10% under the hard one, as LXD sets it.
            Add("memory.limit_in_bytes", hard ?? "-1", hard is null);
            Add("memory.soft_limit_in_bytes", low ?? "-1", low is null);
        }

        var noSwap = Get(config, "limits.memory.swap") is { } swap && Config.ValueChecks.IsFalse(swap);
        if (v2)
        {
            Add("memory.swap.max", noSwap ? "0" : "max", !noSwap);
        }
        else
        {
            // LXD: swap off is swappiness 0; limits.memory.swap.priority (0-10) maps to 50-60.
            var swappiness = noSwap ? "0" : Get(config, "limits.memory.swap.priority") is { } priority && int.TryParse(priority, CultureInfo.InvariantCulture, out var p) ? (50 + p).ToString(CultureInfo.InvariantCulture) : "60";
            Add("memory.swappiness", swappiness, swappiness == "60");
        }

        // CPU.
        Add("cpuset.cpus", cpus ?? (v2 ? "" : hostCpus), cpus is null);
        var allowance = CpuAllowance.Parse(Get(config, "limits.cpu.allowance"), Get(config, "limits.cpu.priority"));
        var sharesDefault = allowance.Shares == CpuAllowance.Unlimited.Shares;
        if (v2)
        {
            // The kernel's default weight is 100; the shares conversion is only for limited containers.
            Add("cpu.weight", sharesDefault ? "100" : CpuAllowance.WeightFromShares(allowance.Shares).ToString(CultureInfo.InvariantCulture), sharesDefault);
            Add("cpu.max", allowance.HasQuota ? $"{allowance.QuotaMicroseconds} {allowance.PeriodMicroseconds}" : $"max {CpuAllowance.DefaultPeriod}", !allowance.HasQuota);
        }
        else
        {
            Add("cpu.shares", allowance.Shares.ToString(CultureInfo.InvariantCulture), sharesDefault);
            Add("cpu.cfs_period_us", allowance.PeriodMicroseconds.ToString(CultureInfo.InvariantCulture), !allowance.HasQuota);
            Add("cpu.cfs_quota_us", allowance.HasQuota ? allowance.QuotaMicroseconds.ToString(CultureInfo.InvariantCulture) : "-1", !allowance.HasQuota);
        }

        // Processes.
        var processes = Get(config, "limits.processes");
        Add("pids.max", processes ?? "max", processes is null);
        return items;
    }

    /// <summary>
    /// <c>limits.cpu</c> as a CPU list: a count is pinned to the least used host CPUs (<see cref="CpuPinning"/>),
    /// a list or range is used as given. Null when unset.
    /// </summary>
    public static string? ResolveCpus(string? limitsCpu, IReadOnlyList<int> hostCpus, IEnumerable<IEnumerable<int>> othersPinned)
    {
        if (string.IsNullOrEmpty(limitsCpu))
        {
            return null;
        }

        if (int.TryParse(limitsCpu, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return CpuSet.Format(CpuPinning.Choose(count, hostCpus, othersPinned));
        }

        return CpuSet.Parse(limitsCpu) is { } set ? CpuSet.Format(set) : throw new Api.ApiException(400, $"Invalid CPU limit \"{limitsCpu}\"");
    }

    /// <summary>A count (<c>2</c>) rather than a list: these containers are the ones balanced across CPUs.</summary>
    public static bool IsCount(string? limitsCpu) =>
        !string.IsNullOrEmpty(limitsCpu) && int.TryParse(limitsCpu, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static string? Get(IReadOnlyDictionary<string, string> config, string key) =>
        config.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
}
