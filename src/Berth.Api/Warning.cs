using System.Text.Json.Serialization;

namespace Berth.Api;

public sealed record Warning
{
    [JsonPropertyName("uuid")] public string Uuid { get; set; } = "";
    [JsonPropertyName("location")] public string Location { get; set; } = "none";
    [JsonPropertyName("project")] public string Project { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("count")] public int Count { get; set; }
    [JsonPropertyName("first_seen_at")] public DateTimeOffset FirstSeenAt { get; set; }
    [JsonPropertyName("last_seen_at")] public DateTimeOffset LastSeenAt { get; set; }
    [JsonPropertyName("last_message")] public string LastMessage { get; set; } = "";
    [JsonPropertyName("severity")] public string Severity { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("entity_url")] public string EntityUrl { get; set; } = "";
}
