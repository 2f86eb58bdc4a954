using System.Text.Json.Serialization;

namespace Berth.Api;

public record ProjectPut
{
    [JsonPropertyName("config"), JsonPropertyOrder(0)] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("description"), JsonPropertyOrder(1)] public string Description { get; set; } = "";
}

public sealed record Project : ProjectPut
{
    [JsonPropertyName("name"), JsonPropertyOrder(2)] public string Name { get; set; } = "";
    [JsonPropertyName("used_by"), JsonPropertyOrder(3)] public List<string> UsedBy { get; set; } = [];
}
