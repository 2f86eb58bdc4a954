using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>
/// An instance's <c>metadata.yaml</c> on the wire (LXD's api.ImageMetadata): GET/PUT
/// <c>/1.0/instances/{name}/metadata</c>. Maps the image left unset are null, as LXD sends them.
/// </summary>
public sealed record InstanceMetadata
{
    [JsonPropertyName("architecture"), JsonPropertyOrder(0)] public string Architecture { get; set; } = "";
    [JsonPropertyName("creation_date"), JsonPropertyOrder(1)] public long CreationDate { get; set; }
    [JsonPropertyName("expiry_date"), JsonPropertyOrder(2)] public long ExpiryDate { get; set; }
    [JsonPropertyName("properties"), JsonPropertyOrder(3)] public Dictionary<string, string>? Properties { get; set; }
    [JsonPropertyName("templates"), JsonPropertyOrder(4)] public Dictionary<string, InstanceMetadataTemplate>? Templates { get; set; }
}

/// <summary>One entry of <c>templates</c> in metadata.yaml (LXD's api.ImageMetadataTemplate).</summary>
public sealed record InstanceMetadataTemplate
{
    [JsonPropertyName("when"), JsonPropertyOrder(0)] public List<string>? When { get; set; }
    [JsonPropertyName("create_only"), JsonPropertyOrder(1)] public bool CreateOnly { get; set; }
    [JsonPropertyName("template"), JsonPropertyOrder(2)] public string Template { get; set; } = "";
    [JsonPropertyName("properties"), JsonPropertyOrder(3)] public Dictionary<string, string>? Properties { get; set; }
}
