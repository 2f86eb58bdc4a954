using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api;

public static class EventType
{
    public const string Logging = "logging";
    public const string Operation = "operation";
    public const string Lifecycle = "lifecycle";
}

/// <summary>One frame of <c>/1.0/events</c>.</summary>
public sealed record Event
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("timestamp")] public DateTimeOffset Timestamp { get; set; }
    [JsonPropertyName("metadata")] public JsonElement Metadata { get; set; }
    [JsonPropertyName("location")] public string Location { get; set; } = "none";
    [JsonPropertyName("project"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Project { get; set; }
}

public sealed record EventLifecycle
{
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("context"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, JsonElement>? Context { get; set; }
    [JsonPropertyName("requestor"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public EventLifecycleRequestor? Requestor { get; set; }
}

public sealed record EventLifecycleRequestor
{
    [JsonPropertyName("username")] public string Username { get; set; } = "";
    [JsonPropertyName("protocol")] public string Protocol { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
}

public sealed record EventLogging
{
    [JsonPropertyName("message")] public string Message { get; set; } = "";
    [JsonPropertyName("level")] public string Level { get; set; } = "";
    [JsonPropertyName("context")] public Dictionary<string, string> Context { get; set; } = [];
}
