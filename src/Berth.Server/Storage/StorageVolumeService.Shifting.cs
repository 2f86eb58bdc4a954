using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;

namespace Berth.Server.Storage;

/// <summary>
/// <c>security.shifted</c> and <c>security.unmapped</c> on custom volumes. berthd always mounts a volume idmapped
/// (files stay owned by host root on the pool, the container sees them as its own root's), which is what LXD does for
/// <c>security.shifted=true</c>; LXD's default (false) instead rewrites the files to one container's map on attach,
/// so that only containers sharing that map can share the volume. Idmapped mounts give the same ownership inside
/// without rewriting and let containers with different maps share the volume, so both values mean the idmapped mount
/// here. <c>security.unmapped=true</c> mounts the volume without any mapping (host ids as they are; owned by nobody
/// inside an unprivileged container). As in LXD, neither key changes while a running instance mounts the volume.
/// </summary>
public sealed partial class StorageVolumeService
{
    /// <summary>Whether the custom volume a <c>pool=</c> disk names is mounted without an idmap.</summary>
    public bool IsUnmapped(string project, IReadOnlyDictionary<string, string> device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var record = _store.Snapshot().GetJson(Key(device.GetValueOrDefault("pool") ?? "", project, device.GetValueOrDefault("source") ?? ""), ApiJsonContext.Wire.StorageVolume);
        return record?.Config.GetValueOrDefault("security.unmapped") == "true";
    }

    private void CheckShiftingChange(string pool, string project, string name, StorageVolume current, Dictionary<string, string> config)
    {
        if (config.GetValueOrDefault("security.shifted", "") == current.Config.GetValueOrDefault("security.shifted", "")
            && config.GetValueOrDefault("security.unmapped", "") == current.Config.GetValueOrDefault("security.unmapped", ""))
        {
            return;
        }

        var running = Get(pool, project, "custom", name).UsedBy.Where(u => u.StartsWith("/1.0/instances/", StringComparison.Ordinal))
            .Select(u => Uri.UnescapeDataString(u["/1.0/instances/".Length..].Split('?')[0])).Where(IsRunning).ToList();
        if (running.Count > 0)
        {
            throw new ApiException(400, $"Cannot modify shifting with running instances using the volume (\"{running[0]}\")");
        }
    }
}
