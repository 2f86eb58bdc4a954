using System.Text.Json.Serialization;

namespace Berth.Api;

public record CertificatePut
{
    [JsonPropertyName("name"), JsonPropertyOrder(0)] public string Name { get; set; } = "";
    [JsonPropertyName("type"), JsonPropertyOrder(1)] public string Type { get; set; } = "client";
    [JsonPropertyName("restricted"), JsonPropertyOrder(2)] public bool Restricted { get; set; }
    [JsonPropertyName("projects"), JsonPropertyOrder(3)] public List<string> Projects { get; set; } = [];
    [JsonPropertyName("certificate"), JsonPropertyOrder(4)] public string Certificate { get; set; } = "";
}

public sealed record Certificate : CertificatePut
{
    [JsonPropertyName("fingerprint"), JsonPropertyOrder(5)] public string Fingerprint { get; set; } = "";
}
