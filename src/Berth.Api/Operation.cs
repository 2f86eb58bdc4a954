using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api;

public static class OperationClass
{
    public const string Task = "task";
    public const string Websocket = "websocket";
    public const string Token = "token";
}

/// <summary>A background operation (api.Operation).</summary>
public sealed record Operation
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("class")] public string Class { get; set; } = OperationClass.Task;
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
    [JsonPropertyName("updated_at")] public DateTimeOffset UpdatedAt { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("status_code")] public int StatusCode { get; set; }
    [JsonPropertyName("resources")] public Dictionary<string, List<string>>? Resources { get; set; }
    [JsonPropertyName("metadata")] public Dictionary<string, JsonElement>? Metadata { get; set; }
    [JsonPropertyName("may_cancel")] public bool MayCancel { get; set; }
    [JsonPropertyName("err")] public string Err { get; set; } = "";
    [JsonPropertyName("location")] public string Location { get; set; } = "none";
}
