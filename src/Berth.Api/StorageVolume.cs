using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>The writable fields of a storage volume (api.StorageVolumePut).</summary>
public record StorageVolumePut
{
    [JsonPropertyName("config"), JsonPropertyOrder(0)] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("description"), JsonPropertyOrder(1)] public string Description { get; set; } = "";

    /// <summary>A snapshot name to roll the volume back to (PUT only).</summary>
    [JsonPropertyName("restore"), JsonPropertyOrder(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Restore { get; set; }
}

/// <summary>A storage volume as returned by GET (api.StorageVolume).</summary>
public sealed record StorageVolume : StorageVolumePut
{
    [JsonPropertyName("name"), JsonPropertyOrder(3)] public string Name { get; set; } = "";
    [JsonPropertyName("type"), JsonPropertyOrder(4)] public string Type { get; set; } = "custom";
    [JsonPropertyName("used_by"), JsonPropertyOrder(5)] public List<string> UsedBy { get; set; } = [];
    [JsonPropertyName("location"), JsonPropertyOrder(6)] public string Location { get; set; } = "none";
    [JsonPropertyName("content_type"), JsonPropertyOrder(7)] public string ContentType { get; set; } = "filesystem";
}

/// <summary>Where a new volume's content comes from (api.StorageVolumeSource): a copy of another volume.</summary>
public sealed record StorageVolumeSource
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("pool")] public string Pool { get; set; } = "";
    [JsonPropertyName("volume_only")] public bool VolumeOnly { get; set; }
    [JsonPropertyName("refresh")] public bool Refresh { get; set; }
    [JsonPropertyName("project")] public string Project { get; set; } = "";
}

/// <summary>POST /1.0/storage-pools/{pool}/volumes[/{type}].</summary>
public sealed record StorageVolumesPost : StorageVolumePut
{
    [JsonPropertyName("name"), JsonPropertyOrder(3)] public string Name { get; set; } = "";
    [JsonPropertyName("type"), JsonPropertyOrder(4)] public string Type { get; set; } = "";
    [JsonPropertyName("source"), JsonPropertyOrder(5)] public StorageVolumeSource? Source { get; set; }
    [JsonPropertyName("content_type"), JsonPropertyOrder(6)] public string? ContentType { get; set; }
}

/// <summary>POST /1.0/storage-pools/{pool}/volumes/{type}/{name}: rename, or move to another pool.</summary>
public sealed record StorageVolumePost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("pool")] public string Pool { get; set; } = "";
    [JsonPropertyName("migration")] public bool Migration { get; set; }
    [JsonPropertyName("volume_only")] public bool VolumeOnly { get; set; }
    [JsonPropertyName("project")] public string Project { get; set; } = "";
}

/// <summary>A custom volume's snapshot (api.StorageVolumeSnapshot).</summary>
public sealed record StorageVolumeSnapshot
{
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("content_type")] public string ContentType { get; set; } = "filesystem";
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>POST /1.0/storage-pools/{pool}/volumes/{type}/{name}/snapshots.</summary>
public sealed record StorageVolumeSnapshotsPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; set; }
}
