using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>An instance backup (api.InstanceBackup).</summary>
public sealed record InstanceBackup
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
    [JsonPropertyName("expires_at")] public DateTimeOffset ExpiresAt { get; set; } = DateTimeOffset.MinValue;
    [JsonPropertyName("instance_only")] public bool InstanceOnly { get; set; }
    [JsonPropertyName("container_only")] public bool ContainerOnly { get; set; }
    [JsonPropertyName("optimized_storage")] public bool OptimizedStorage { get; set; }

    /// <summary>How the export is compressed (not on LXD's wire; kept with the record).</summary>
    [JsonPropertyName("compression_algorithm"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CompressionAlgorithm { get; set; }
}

/// <summary>POST /1.0/instances/{name}/backups.</summary>
public sealed record InstanceBackupsPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; set; }
    [JsonPropertyName("instance_only")] public bool InstanceOnly { get; set; }
    [JsonPropertyName("container_only")] public bool ContainerOnly { get; set; }
    [JsonPropertyName("optimized_storage")] public bool OptimizedStorage { get; set; }
    [JsonPropertyName("compression_algorithm")] public string CompressionAlgorithm { get; set; } = "";
}

/// <summary>POST /1.0/instances/{name}/backups/{backup}: rename.</summary>
public sealed record InstanceBackupPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}

/// <summary>What a backup's <c>index.yaml</c> holds under <c>config</c> (LXD's backup.Config).</summary>
public sealed record BackupConfig
{
    [JsonPropertyName("container")] public Instance? Container { get; set; }
    [JsonPropertyName("snapshots")] public List<InstanceSnapshot> Snapshots { get; set; } = [];
    [JsonPropertyName("pool")] public StoragePool? Pool { get; set; }

    /// <summary>A custom volume's backup: the volume and its snapshots (LXD 5.0's <c>volume</c>, <c>volume_snapshots</c>).</summary>
    [JsonPropertyName("volume"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public StorageVolume? Volume { get; set; }
    [JsonPropertyName("volume_snapshots"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<StorageVolumeSnapshot>? VolumeSnapshots { get; set; }
}
