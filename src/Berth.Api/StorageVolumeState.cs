using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary><c>GET /1.0/storage-pools/{pool}/volumes/{type}/{name}/state</c> (api.StorageVolumeState).</summary>
public sealed record StorageVolumeState
{
    /// <summary>Null when the driver cannot tell (LXD's dir driver without quotas).</summary>
    [JsonPropertyName("usage")] public StorageVolumeStateUsage? Usage { get; set; }
}

public sealed record StorageVolumeStateUsage
{
    [JsonPropertyName("used")] public long Used { get; set; }
    [JsonPropertyName("total")] public long Total { get; set; }
}
