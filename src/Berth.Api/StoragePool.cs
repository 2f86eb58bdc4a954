using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>The writable fields of a storage pool (api.StoragePoolPut).</summary>
public record StoragePoolPut
{
    [JsonPropertyName("config"), JsonPropertyOrder(0)] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("description"), JsonPropertyOrder(1)] public string Description { get; set; } = "";
}

/// <summary>A storage pool as returned by GET (api.StoragePool).</summary>
public sealed record StoragePool : StoragePoolPut
{
    [JsonPropertyName("name"), JsonPropertyOrder(2)] public string Name { get; set; } = "";
    [JsonPropertyName("driver"), JsonPropertyOrder(3)] public string Driver { get; set; } = "";
    [JsonPropertyName("used_by"), JsonPropertyOrder(4)] public List<string> UsedBy { get; set; } = [];
    [JsonPropertyName("status"), JsonPropertyOrder(5)] public string Status { get; set; } = "Created";
    [JsonPropertyName("locations"), JsonPropertyOrder(6)] public List<string> Locations { get; set; } = ["none"];
}

/// <summary>POST /1.0/storage-pools.</summary>
public sealed record StoragePoolsPost : StoragePoolPut
{
    [JsonPropertyName("name"), JsonPropertyOrder(2)] public string Name { get; set; } = "";
    [JsonPropertyName("driver"), JsonPropertyOrder(3)] public string Driver { get; set; } = "";
}

/// <summary>GET /1.0/storage-pools/{name}/resources (api.ResourcesStoragePool).</summary>
public sealed record StoragePoolResources
{
    [JsonPropertyName("space")] public StoragePoolResourcesUsage Space { get; set; } = new();
    [JsonPropertyName("inodes")] public StoragePoolResourcesUsage Inodes { get; set; } = new();
}

public sealed record StoragePoolResourcesUsage
{
    [JsonPropertyName("used")] public long Used { get; set; }
    [JsonPropertyName("total")] public long Total { get; set; }
}
