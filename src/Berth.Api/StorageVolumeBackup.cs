using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>A custom volume's backup (api.StoragePoolVolumeBackup).</summary>
public sealed record StorageVolumeBackup
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
    [JsonPropertyName("expires_at")] public DateTimeOffset ExpiresAt { get; set; } = DateTimeOffset.MinValue;
    [JsonPropertyName("volume_only")] public bool VolumeOnly { get; set; }
    [JsonPropertyName("optimized_storage")] public bool OptimizedStorage { get; set; }

    /// <summary>How the export is compressed (not on LXD's wire; kept with the record).</summary>
    [JsonPropertyName("compression_algorithm"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CompressionAlgorithm { get; set; }
}

/// <summary>POST /1.0/storage-pools/{pool}/volumes/custom/{name}/backups.</summary>
public sealed record StorageVolumeBackupsPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; set; }
    [JsonPropertyName("volume_only")] public bool VolumeOnly { get; set; }
    [JsonPropertyName("optimized_storage")] public bool OptimizedStorage { get; set; }
    [JsonPropertyName("compression_algorithm")] public string CompressionAlgorithm { get; set; } = "";
}

/// <summary>POST /1.0/storage-pools/{pool}/volumes/custom/{name}/backups/{backup}: rename.</summary>
public sealed record StorageVolumeBackupPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}
