using Berth.Api;
using Berth.Native;
using Berth.Server.Instances.Devices;

namespace Berth.Server.Instances;

/// <summary>
/// Devices added to or removed from a running container: host-path disks are mounted into (or detached from) its
/// mount namespace through berth-fork; device nodes (unix-char/block, gpu, usb) are made, allowed in the devices
/// cgroup and bind-mounted the same way. custom-volume disks arrive here as host-path disks (see MountableDevices). NICs are handled by their own code.
/// </summary>
public sealed partial class InstanceService
{
    private async Task HotplugDevicesAsync(Instance before, Instance after, CancellationToken cancellationToken)
    {
        var (old, now) = (MountableDevices(before), MountableDevices(after));
        var removed = old.Where(kv => !Same(now.GetValueOrDefault(kv.Key), kv.Value)).ToList();
        var added = now.Where(kv => !Same(old.GetValueOrDefault(kv.Key), kv.Value)).ToList();
        if (removed.Count == 0 && added.Count == 0)
        {
            return;
        }

        var privileged = after.ExpandedConfig.GetValueOrDefault("security.privileged") is "true" or "1";
        foreach (var (name, device) in removed)
        {
            if (ContainerDeviceRenderer.IsHostDisk(device) || IsNodeDevice(device))
            {
                foreach (var target in Targets(name, device))
                {
                    await Hotplug(() => _runtime.UnmountAsync(after.Name, target, cancellationToken), name).ConfigureAwait(false);
                }

                if (IsHostPathDisk(before, name, device))
                {
                    ReleaseHostDisk(after.Name, name, device);
                }
            }
        }

        foreach (var (name, device) in added)
        {
            if (ContainerDeviceRenderer.IsHostDisk(device))
            {
                if (!Path.Exists(device["source"]))
                {
                    continue; // Not required (checked when it was added), and absent: as at start.
                }

                var hostPath = IsHostPathDisk(after, name, device);
                var source = hostPath ? BindHostDisk(after.Name, name, device) : device["source"];
                // From the prepared source: a block device's is the directory its filesystem is mounted on.
                var options = ContainerDeviceRenderer.DiskOptions(new Dictionary<string, string>(device, StringComparer.Ordinal) { ["source"] = source }, idmapped: !privileged)
                    .Where(o => o is not "optional").Select(o => o == "idmap=container" ? "idmap" : o).Where(o => o is "bind" or "rbind" or "ro" or "idmap" || o.StartsWith("create=", StringComparison.Ordinal));
                try
                {
                    await Hotplug(() => _runtime.MountAsync(after.Name, source, device["path"], string.Join(',', options), cancellationToken), name).ConfigureAwait(false);
                }
                catch (ApiException) when (hostPath)
                {
                    ReleaseHostDisk(after.Name, name, device);
                    throw;
                }
            }
            else if (IsNodeDevice(device))
            {
                await HotplugNodesAsync(after, name, device, privileged, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task HotplugNodesAsync(Instance instance, string name, Dictionary<string, string> device, bool privileged, CancellationToken cancellationToken)
    {
        var nodes = UnixNodeResolver.Host.Resolve(new Dictionary<string, Dictionary<string, string>> { [name] = device });
        if (nodes.Count == 0)
        {
            return;
        }

        if (_settings.Value.Cgroups == CgroupVersion.V2)
        {
            // cgroup2 device rules are a BPF program liblxc installs at start; it cannot be amended live.
            throw new ApiException(400, $"Device \"{name}\" cannot be added to a running container on a cgroup2 host: stop it, add the device, start it");
        }

        var dir = DeviceNodeDir(instance.Name);
        Directory.CreateDirectory(dir);
        var shift = privileged ? 0 : _settings.Value.Idmap.Base;
        foreach (var node in nodes)
        {
            var path = Path.Combine(dir, node.HostName);
            File.Delete(path);
            try
            {
                DeviceNodes.Create(path, node.Number, node.Mode);
                FileOwnership.Chown(path, (int)(shift + node.Uid), (int)(shift + node.Gid));
                _runtime.SetCgroupItem(instance.Name, "devices.allow", node.CgroupRule);
            }
            catch (Exception e) when (e is IOException or ErrnoException)
            {
                throw new ApiException(400, $"Device \"{name}\": {e.Message}");
            }

            await Hotplug(() => _runtime.MountAsync(instance.Name, path, node.PathInside, "bind,create=file", cancellationToken), name).ConfigureAwait(false);
        }
    }

    private static IEnumerable<string> Targets(string name, Dictionary<string, string> device)
    {
        if (ContainerDeviceRenderer.IsHostDisk(device))
        {
            return [device["path"]];
        }

        try
        {
            return UnixNodeResolver.Host.Resolve(new Dictionary<string, Dictionary<string, string>> { [name] = device }).Select(n => n.PathInside);
        }
        catch (ApiException)
        {
            return [];
        }
    }

    private static bool IsNodeDevice(Dictionary<string, string> device) =>
        device.GetValueOrDefault("type") is "unix-char" or "unix-block" or "gpu" or "usb";

    private static bool Same(Dictionary<string, string>? a, Dictionary<string, string> b) =>
        a is not null && a.Count == b.Count && !a.Except(b).Any();

    private static async Task Hotplug(Func<Task> action, string device)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ErrnoException or NotSupportedException)
        {
            throw new ApiException(400, $"Failed to hot-plug device \"{device}\" into the running instance: {e.Message}");
        }
    }
}
