using Berth.Api;
using Berth.Native;
using Berth.Server.Instances.Devices;

namespace Berth.Server.Instances;

/// <summary>Container-side devices: host checks when a device is added, device nodes made at start.</summary>
public sealed partial class InstanceService
{
    /// <summary>
    /// New or changed host-path disks and unix devices must exist on the host (unless <c>required=false</c>);
    /// custom-volume disks (<c>pool</c>) are checked by the storage code.
    /// </summary>
    private static void CheckDevicesOnHost(IReadOnlyDictionary<string, Dictionary<string, string>> devices, IReadOnlyDictionary<string, Dictionary<string, string>>? previous)
    {
        foreach (var (name, device) in devices)
        {
            if (previous?.GetValueOrDefault(name) is { } before && before.Count == device.Count && !before.Except(device).Any())
            {
                continue;
            }

            if (ContainerDeviceRenderer.IsHostDisk(device) && ContainerDeviceRenderer.IsRequired(device) && !Path.Exists(device["source"]))
            {
                throw new ApiException(400, $"Missing source path \"{device["source"]}\" for disk \"{name}\"");
            }

            if (device.GetValueOrDefault("type") is "unix-char" or "unix-block")
            {
                UnixNodeResolver.Host.Resolve(new Dictionary<string, Dictionary<string, string>> { [name] = device });
            }
        }
    }

    private string DeviceNodeDir(string name) => Path.Combine(_paths.LxcDir(name), "devices");

    /// <summary>Makes the device nodes of the instance's devices afresh, owned by the container's root (or the ids given).</summary>
    private IReadOnlyList<UnixNode> PrepareDevices(Instance instance)
    {
        CheckDevicesOnHost(instance.ExpandedDevices, null);
        var nodes = UnixNodeResolver.Host.Resolve(instance.ExpandedDevices);
        var dir = DeviceNodeDir(instance.Name);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        if (nodes.Count == 0)
        {
            return nodes;
        }

        Directory.CreateDirectory(dir);
        var privileged = instance.ExpandedConfig.GetValueOrDefault("security.privileged") is "true" or "1";
        var shift = privileged ? 0 : _settings.Value.Idmap.Base;
        foreach (var node in nodes)
        {
            var path = Path.Combine(dir, node.HostName);
            try
            {
                DeviceNodes.Create(path, node.Number, node.Mode);
                FileOwnership.Chown(path, (int)(shift + node.Uid), (int)(shift + node.Gid));
            }
            catch (IOException e)
            {
                throw new ApiException(500, $"Device \"{node.Device}\": {e.Message}");
            }
        }

        return nodes;
    }
}
