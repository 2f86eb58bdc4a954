using Berth.Api;

namespace Berth.Server.Storage.Drivers;

/// <summary>LXD drivers this host cannot run, each with the reason, so <c>lxc storage create p zfs</c> says why.</summary>
internal static class UnavailableDrivers
{
    private static readonly Dictionary<string, string> Reasons = new(StringComparer.Ordinal)
    {
        ["lvm"] = "The \"lvm\" driver cannot work on this host: the kernel has no device-mapper (dm-thin), so LVM volumes cannot be activated",
        ["zfs"] = "The \"zfs\" driver cannot work on this host: the kernel has no ZFS module",
        ["ceph"] = "The \"ceph\" driver cannot work on this host: there is no Ceph cluster and the kernel has no rbd module",
        ["cephfs"] = "The \"cephfs\" driver cannot work on this host: there is no Ceph cluster to mount",
        ["cephobject"] = "The \"cephobject\" driver cannot work on this host: there is no Ceph RADOS gateway",
    };

    public static ApiException Refusal(string driver) =>
        Reasons.TryGetValue(driver, out var reason)
            ? new ApiException(400, reason)
            : new ApiException(400, $"Storage driver \"{driver}\" is not supported (supported here: dir, btrfs)");
}
