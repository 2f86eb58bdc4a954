using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api;

namespace Berth.Daemon.Init;

/// <summary>
/// LXD's preseed document (<c>lxd init --preseed</c> / <c>--dump</c>), in LXD's field order. Networks and pools are
/// the API's POST bodies, as in LXD; profiles are not: a profile's missing description or config must stay null
/// (an existing profile keeps it).
/// </summary>
internal sealed class Preseed
{
    [JsonPropertyName("config")]
    public Dictionary<string, string>? Config { get; set; }

    [JsonPropertyName("networks")]
    public List<NetworksPost>? Networks { get; set; }

    [JsonPropertyName("storage_pools")]
    public List<StoragePoolsPost>? StoragePools { get; set; }

    [JsonPropertyName("storage_volumes")]
    public List<JsonElement>? StorageVolumes { get; set; }

    [JsonPropertyName("profiles")]
    public List<PreseedProfile>? Profiles { get; set; }

    [JsonPropertyName("projects")]
    public List<PreseedProject>? Projects { get; set; }

    [JsonPropertyName("cluster")]
    public PreseedCluster? Cluster { get; set; }
}

internal sealed class PreseedProfile
{
    [JsonPropertyName("config")]
    public Dictionary<string, string>? Config { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("devices")]
    public Dictionary<string, Dictionary<string, string>>? Devices { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";
}

/// <summary>A project as <c>lxd init --dump</c> lists it; only the default one exists on berthd.</summary>
internal sealed class PreseedProject
{
    [JsonPropertyName("config")]
    public Dictionary<string, string>? Config { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }
}

/// <summary>Only <c>enabled</c> is read: clustering is refused when it is true.</summary>
internal sealed class PreseedCluster
{
    [JsonPropertyName("enabled")]
    public string? Enabled { get; set; }
}
