using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>The writable fields of a profile (PUT body).</summary>
public record ProfilePut
{
    [JsonPropertyName("config"), JsonPropertyOrder(0)] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("description"), JsonPropertyOrder(1)] public string Description { get; set; } = "";
    [JsonPropertyName("devices"), JsonPropertyOrder(2)] public Dictionary<string, Dictionary<string, string>> Devices { get; set; } = [];
}

/// <summary>A profile as returned by GET.</summary>
public sealed record Profile : ProfilePut
{
    [JsonPropertyName("name"), JsonPropertyOrder(3)] public string Name { get; set; } = "";
    [JsonPropertyName("used_by"), JsonPropertyOrder(4)] public List<string> UsedBy { get; set; } = [];
}

/// <summary>POST /1.0/profiles body.</summary>
public sealed record ProfilesPost : ProfilePut
{
    [JsonPropertyName("name"), JsonPropertyOrder(3)] public string Name { get; set; } = "";
}

/// <summary>POST /1.0/profiles/{name} body (rename).</summary>
public sealed record ProfilePost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}
