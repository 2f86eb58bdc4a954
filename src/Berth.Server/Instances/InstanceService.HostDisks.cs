using Berth.Api;
using Berth.Native;
using Berth.Server.Config;
using Berth.Server.Instances.Devices;

namespace Berth.Server.Instances;

/// <summary>
/// Host-path disks are bound on the host into <c>devices/&lt;instance&gt;/disk.&lt;device&gt;.&lt;path&gt;</c> before they
/// reach the container, as LXD does: liblxc binds mount entries inside the container's user namespace, where binding
/// a directory with (locked) mounts below it fails with EINVAL; a bind made on the host has no such children (or
/// carries them, with <c>recursive=true</c>). Released when the instance stops, the device goes or the instance is deleted.
/// </summary>
public sealed partial class InstanceService
{
    private const UnixFileMode DevicesDirMode = (UnixFileMode)0x1C9; // 0711: the container's root must traverse it.

    /// <summary>
    /// <paramref name="devices"/> (see <see cref="MountableDevices"/>) with each present host-path disk's source
    /// replaced by its fresh host-side bind; binds left by an earlier run are released first.
    /// </summary>
    private Dictionary<string, Dictionary<string, string>> PrepareHostDisks(Instance instance, Dictionary<string, Dictionary<string, string>> devices)
    {
        ReleaseHostDisks(instance.Name);
        var prepared = new Dictionary<string, Dictionary<string, string>>(devices, StringComparer.Ordinal);
        try
        {
            foreach (var (name, device) in devices)
            {
                if (IsHostPathDisk(instance, name, device) && Path.Exists(device["source"]))
                {
                    prepared[name] = new Dictionary<string, string>(device, StringComparer.Ordinal) { ["source"] = BindHostDisk(instance.Name, name, device) };
                }
            }
        }
        catch
        {
            ReleaseHostDisks(instance.Name);
            throw;
        }

        return prepared;
    }

    /// <summary>A disk with a host <c>source</c> of its own (not a custom volume turned into one).</summary>
    private static bool IsHostPathDisk(Instance instance, string name, Dictionary<string, string> device) =>
        ContainerDeviceRenderer.IsHostDisk(device) && instance.ExpandedDevices.GetValueOrDefault(name)?.GetValueOrDefault("pool") is null or "";

    /// <summary>Binds the disk's source into the instance's devices dir; returns the bind's path.</summary>
    private string BindHostDisk(string instance, string name, Dictionary<string, string> device)
    {
        var dir = _paths.DevicesDir(instance);
        Directory.CreateDirectory(Path.GetDirectoryName(dir)!, DevicesDirMode);
        Directory.CreateDirectory(dir, DevicesDirMode);
        var target = HostDiskPath(instance, name, device["path"]);
        var source = device["source"];
        HostMounts.Detach(target);
        // A block device's filesystem is mounted (as LXD does), so the container sees a directory.
        var isBlock = DeviceNodes.Stat(source) is { IsChar: false };
        if (Directory.Exists(source) || isBlock)
        {
            Directory.CreateDirectory(target);
        }
        else if (!File.Exists(target))
        {
            File.WriteAllBytes(target, []);
        }

        try
        {
            if (isBlock)
            {
                HostMounts.MountFilesystem(source, target, IsDeviceFlag(device, "readonly"));
            }
            else
            {
                HostMounts.Bind(source, target, IsDeviceFlag(device, "recursive"), IsDeviceFlag(device, "readonly"));
            }
        }
        catch (IOException e)
        {
            RemoveBindPoint(target);
            throw new ApiException(500, $"Failed to mount disk \"{name}\": {e.Message}");
        }

        return target;
    }

    /// <summary>LXD's name for the bind: <c>disk.&lt;device&gt;.&lt;path inside&gt;</c> with '-' doubled and '/' as '-'.</summary>
    private string HostDiskPath(string instance, string name, string path) =>
        Path.Combine(_paths.DevicesDir(instance), $"disk.{name}.{path.Trim('/')}".Replace("-", "--", StringComparison.Ordinal).Replace('/', '-'));

    /// <summary>Releases one device's host-side bind (hot-unplug).</summary>
    private void ReleaseHostDisk(string instance, string name, Dictionary<string, string> device)
    {
        var target = HostDiskPath(instance, name, device["path"]);
        if (Path.Exists(target))
        {
            HostMounts.Detach(target);
            RemoveBindPoint(target);
        }
    }

    /// <summary>Releases every host-side bind of the instance and its devices dir.</summary>
    private void ReleaseHostDisks(string instance)
    {
        var dir = _paths.DevicesDir(instance);
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(dir, "disk.*"))
        {
            HostMounts.Detach(entry);
            RemoveBindPoint(entry);
        }

        if (!Directory.EnumerateFileSystemEntries(dir).Any())
        {
            Directory.Delete(dir);
        }
    }

    // Never recursive: should the unmount not have happened, the host's files must not go with the bind point.
    private static void RemoveBindPoint(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: false);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
            // Still mounted or not empty: left in place rather than risk the host's files.
        }
    }

    private static bool IsDeviceFlag(Dictionary<string, string> device, string key) =>
        device.GetValueOrDefault(key) is { Length: > 0 } value && ValueChecks.IsTrue(value);
}
