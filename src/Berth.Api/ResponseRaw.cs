using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>LXD's response envelope; every field is always present on the wire, in this order.</summary>
public sealed record ResponseRaw
{
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("status_code")] public int StatusCode { get; init; }
    [JsonPropertyName("operation")] public string Operation { get; init; } = "";
    [JsonPropertyName("error_code")] public int ErrorCode { get; init; }
    [JsonPropertyName("error")] public string Error { get; init; } = "";
    [JsonPropertyName("metadata")] public JsonElement Metadata { get; init; }
}

public static class ResponseType
{
    public const string Sync = "sync";
    public const string Async = "async";
    public const string Error = "error";
}
