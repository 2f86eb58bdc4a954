using Berth.Native;

namespace Berth.Server.Instances.Devices;

/// <summary>
/// One device node a container gets (from a unix-char, unix-block, gpu or usb device): made on the host under the
/// container's <c>devices</c> dir with the given owner and mode, bind-mounted to <see cref="PathInside"/>, and
/// allowed in the devices cgroup.
/// </summary>
public sealed record UnixNode(string Device, string PathInside, DeviceNumber Number, uint Uid, uint Gid, int Mode)
{
    /// <summary>The node's file name on the host, as LXD names them: <c>unix.&lt;device&gt;.&lt;path with - for /&gt;</c>.</summary>
    public string HostName => $"unix.{Device}.{PathInside.Trim('/').Replace('/', '-')}";

    /// <summary>The devices cgroup rule: <c>c 1:5 rwm</c>.</summary>
    public string CgroupRule => $"{(Number.IsChar ? 'c' : 'b')} {Number.Major}:{Number.Minor} rwm";
}
