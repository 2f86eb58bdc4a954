using Berth.Api;
using Berth.Native;
using Berth.Server.Metrics;
using Berth.Server.Storage;

namespace Berth.Server.Instances;

/// <summary><c>/1.0/metrics</c>: LXD 5.0.2's instance metrics for every running instance of a project.</summary>
public sealed partial class InstanceService
{
    public MetricSet Metrics(string project)
    {
        var set = new MetricSet();
        var settings = _settings.Value;
        var partitions = CgroupStats.Partitions(KernelFiles.Read("/proc/partitions") ?? "");
        var mounts = MountSources();
        foreach (var instance in List(project).OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            var (state, pid) = _runtime.StateAndPid(instance.Name);
            if (StatusOf(state) == StatusCode.Stopped || pid <= 0)
            {
                continue; // LXD reports running (and frozen) instances only
            }

            InstanceMetrics.AddCgroup(set, project, instance.Name, key => _runtime.RunningCgroupItem(instance.Name, pid, key),
                settings.Cgroups == CgroupVersion.V2, settings.HostMemoryBytes, partitions);
            InstanceMetrics.AddFilesystems(set, project, instance.Name, Filesystems(instance, mounts));
            if (NetworkState.Read(pid) is { } interfaces)
            {
                InstanceMetrics.AddNetwork(set, project, instance.Name, interfaces);
            }
        }

        return set;
    }

    /// <summary>
    /// The filesystem under each disk device with a path, labelled as LXD labels it: the device is what is mounted
    /// at the stat'ed path (a loop device's backing file for a host path), else the disk's own source.
    /// </summary>
    private List<FilesystemSample> Filesystems(Instance instance, IReadOnlyDictionary<string, string> mounts)
    {
        var samples = new List<FilesystemSample>();
        var disks = instance.ExpandedDevices.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Value).ToList();
        if (!disks.Any(d => d.GetValueOrDefault("type") == "disk" && d.GetValueOrDefault("path") == "/"))
        {
            // No root disk device (berthd then keeps the root in the default pool): its filesystem still counts.
            disks.Insert(0, new Dictionary<string, string>(StringComparer.Ordinal) { ["type"] = "disk", ["path"] = "/", ["pool"] = PoolOf(instance.Project, instance.Name) });
        }

        foreach (var device in disks)
        {
            if (device.GetValueOrDefault("type") != "disk" || device.GetValueOrDefault("path") is not { Length: > 0 } path)
            {
                continue;
            }

            var source = device.GetValueOrDefault("source") ?? "";
            var pool = device.GetValueOrDefault("pool") ?? "";
            var statPath = pool.Length == 0 ? source
                : source.Length == 0 ? _paths.Volume(instance.Name, PoolOf(instance.Project, instance.Name))
                : _volumes.DiskSource(instance.Project, device);
            if (statPath.Length == 0 || FilesystemStats.Of(statPath) is not { } stats)
            {
                continue; // a missing source: nothing to measure (LXD drops every filesystem sample then)
            }

            var label = mounts.TryGetValue(statPath.TrimEnd('/'), out var mounted) ? mounted : source;
            if (pool.Length == 0 && mounted is not null && LoopBackingFile(statPath) is { } backing)
            {
                label = backing;
            }

            samples.Add(new FilesystemSample(label, InstanceMetrics.FsTypeName(stats.Type), path, stats.SizeBytes, stats.FreeBytes, stats.AvailableBytes));
        }

        return samples;
    }

    /// <summary>Mount point -> source (the last mount at a point wins, as it is the visible one).</summary>
    private static Dictionary<string, string> MountSources()
    {
        var mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (point, source) in StorageTools.Mounts())
        {
            mounts[point] = source;
        }

        return mounts;
    }

    /// <summary>The backing file of the loop device a path's filesystem is on; null when it is not on one.</summary>
    private static string? LoopBackingFile(string path)
    {
        if (DeviceNodes.FilesystemDevice(path) is not { } device)
        {
            return null;
        }

        return KernelFiles.Read($"/sys/dev/block/{device.Major}:{device.Minor}/loop/backing_file")?.Trim();
    }
}
