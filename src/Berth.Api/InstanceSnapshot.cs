using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>The writable field of a snapshot (api.InstanceSnapshotPut).</summary>
public record InstanceSnapshotPut
{
    [JsonPropertyName("expires_at"), JsonPropertyOrder(0)] public DateTimeOffset ExpiresAt { get; set; } = DateTimeOffset.MinValue;
}

/// <summary>An instance snapshot (api.InstanceSnapshot): the instance's config as it was when taken.</summary>
public sealed record InstanceSnapshot : InstanceSnapshotPut
{
    [JsonPropertyName("architecture"), JsonPropertyOrder(1)] public string Architecture { get; set; } = "";
    [JsonPropertyName("config"), JsonPropertyOrder(2)] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("created_at"), JsonPropertyOrder(3)] public DateTimeOffset CreatedAt { get; set; }
    [JsonPropertyName("devices"), JsonPropertyOrder(4)] public Dictionary<string, Dictionary<string, string>> Devices { get; set; } = [];
    [JsonPropertyName("ephemeral"), JsonPropertyOrder(5)] public bool Ephemeral { get; set; }
    [JsonPropertyName("expanded_config"), JsonPropertyOrder(6)] public Dictionary<string, string> ExpandedConfig { get; set; } = [];
    [JsonPropertyName("expanded_devices"), JsonPropertyOrder(7)] public Dictionary<string, Dictionary<string, string>> ExpandedDevices { get; set; } = [];
    [JsonPropertyName("last_used_at"), JsonPropertyOrder(8)] public DateTimeOffset LastUsedAt { get; set; } = DateTimeOffset.MinValue;
    [JsonPropertyName("name"), JsonPropertyOrder(9)] public string Name { get; set; } = "";
    [JsonPropertyName("profiles"), JsonPropertyOrder(10)] public List<string> Profiles { get; set; } = [];
    [JsonPropertyName("stateful"), JsonPropertyOrder(11)] public bool Stateful { get; set; }
    [JsonPropertyName("size"), JsonPropertyOrder(12)] public long Size { get; set; } = -1;
}

/// <summary>POST /1.0/instances/{name}/snapshots.</summary>
public sealed record InstanceSnapshotsPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("stateful")] public bool Stateful { get; set; }
    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>POST /1.0/instances/{name}/snapshots/{snapshot} (rename; migration not supported).</summary>
public sealed record InstanceSnapshotPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("migration")] public bool Migration { get; set; }
    [JsonPropertyName("live")] public bool Live { get; set; }
    [JsonPropertyName("target"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public InstancePostTarget? Target { get; set; }
}
