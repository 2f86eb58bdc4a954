using Berth.Api;
using Berth.Native;
using Berth.Server.Instances.Limits;

namespace Berth.Server.Instances;

/// <summary>Limits: CPU pinning at start, and changed limits written into running containers' cgroups.</summary>
public sealed partial class InstanceService
{
    /// <summary>
    /// <c>limits.cpu</c> as a CPU list: a count goes to the host CPUs least used by other running count-pinned
    /// instances (read back from their cgroups, so it holds across berthd restarts).
    /// </summary>
    private string? ResolveCpus(Instance instance)
    {
        var limit = instance.ExpandedConfig.GetValueOrDefault("limits.cpu");
        var host = CpuSet.HostOnline();
        var others = new List<IEnumerable<int>>();
        if (CgroupLimits.IsCount(limit))
        {
            foreach (var other in List(instance.Project))
            {
                if (other.Name != instance.Name && other.StatusCode != StatusCode.Stopped && CgroupLimits.IsCount(other.ExpandedConfig.GetValueOrDefault("limits.cpu"))
                    && CpuSet.Parse(_runtime.CgroupItem(other.Name, "cpuset.cpus") ?? "") is { } set)
                {
                    others.Add(set);
                }
            }
        }

        return CgroupLimits.ResolveCpus(limit, host, others);
    }

    /// <summary>
    /// Brings a running container's cgroup limits to its expanded config: every limits file is compared with what
    /// the cgroup holds and written when it differs (an unset key writes the unlimited value back).
    /// </summary>
    private void ApplyLimits(Instance instance)
    {
        if (instance.StatusCode == StatusCode.Stopped)
        {
            return;
        }

        var settings = _settings.Value;
        var hostCpus = CpuSet.HostOnline();
        var limit = instance.ExpandedConfig.GetValueOrDefault("limits.cpu");
        string? cpus;
        var current = CpuSet.Parse(_runtime.CgroupItem(instance.Name, "cpuset.cpus") ?? "");
        if (CgroupLimits.IsCount(limit) && current is not null && current.Count == Math.Min(int.Parse(limit!, System.Globalization.CultureInfo.InvariantCulture), hostCpus.Count))
        {
            // Already pinned to that many CPUs: keep the placement rather than move it.
            cpus = CpuSet.Format(current);
        }
        else
        {
            cpus = ResolveCpus(instance);
        }

        var items = CgroupLimits.Items(instance.ExpandedConfig, settings.Cgroups, settings.HostMemoryBytes, cpus, CpuSet.Format(hostCpus), withDefaults: true);
        var defaults = CgroupLimits.Items(new Dictionary<string, string>(), settings.Cgroups, settings.HostMemoryBytes, null, CpuSet.Format(hostCpus), withDefaults: true);
        foreach (var (key, value) in items)
        {
            var now = _runtime.CgroupItem(instance.Name, key);
            var isDefault = defaults.Contains((key, value));
            if (now is null ? isDefault : SameValue(key, now, value))
            {
                continue;
            }

            try
            {
                _runtime.SetCgroupItem(instance.Name, key, value);
            }
            catch (Exception e) when (e is ErrnoException or IOException)
            {
                throw new ApiException(400, $"Failed to apply {key}={value} to the running instance: {e.Message}");
            }
        }
    }

    private static bool SameValue(string key, string now, string wanted)
    {
        now = now.Trim();
        if (key.EndsWith("cpus", StringComparison.Ordinal))
        {
            return (CpuSet.Parse(now) is { } a ? CpuSet.Format(a) : now) == (CpuSet.Parse(wanted) is { } b ? CpuSet.Format(b) : wanted);
        }

        return Unlimited(now) && Unlimited(wanted) || now == wanted;
    }

    // v1 reads an unlimited memory limit back as a page-rounded huge number, v2 as "max".
    private static bool Unlimited(string value) =>
        value is "max" or "-1" || (long.TryParse(value, out var n) && n >= 1L << 62);
}
