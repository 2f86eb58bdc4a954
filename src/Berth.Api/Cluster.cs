using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>A member-specific config key another member must supply to join (LXD's <c>ClusterMemberConfigKey</c>).</summary>
public sealed record ClusterMemberConfigKey
{
    [JsonPropertyName("entity")] public string Entity { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("value")] public string Value { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
}

/// <summary><c>GET /1.0/cluster</c>.</summary>
public record Cluster
{
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("enabled")] public bool Enabled { get; set; }
    [JsonPropertyName("member_config")] public List<ClusterMemberConfigKey> MemberConfig { get; set; } = [];
}

/// <summary><c>PUT /1.0/cluster</c>: enable clustering, or join a cluster.</summary>
public sealed record ClusterPut : Cluster
{
    [JsonPropertyName("cluster_address")] public string ClusterAddress { get; set; } = "";
    [JsonPropertyName("cluster_certificate")] public string ClusterCertificate { get; set; } = "";
    [JsonPropertyName("server_address")] public string ServerAddress { get; set; } = "";
    [JsonPropertyName("cluster_password")] public string ClusterPassword { get; set; } = "";
}
