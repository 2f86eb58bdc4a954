using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>The writable fields of an image (PUT body).</summary>
public record ImagePut
{
    [JsonPropertyName("auto_update"), JsonPropertyOrder(0)] public bool AutoUpdate { get; set; }
    [JsonPropertyName("properties"), JsonPropertyOrder(1)] public Dictionary<string, string> Properties { get; set; } = [];
    [JsonPropertyName("public"), JsonPropertyOrder(2)] public bool Public { get; set; }
    [JsonPropertyName("expires_at"), JsonPropertyOrder(3)] public DateTimeOffset ExpiresAt { get; set; } = DateTimeOffset.UnixEpoch;
    [JsonPropertyName("profiles"), JsonPropertyOrder(4)] public List<string> Profiles { get; set; } = ["default"];
}

/// <summary>An image as returned by GET (api.Image).</summary>
public sealed record Image : ImagePut
{
    [JsonPropertyName("aliases"), JsonPropertyOrder(5)] public List<ImageAlias> Aliases { get; set; } = [];
    [JsonPropertyName("architecture"), JsonPropertyOrder(6)] public string Architecture { get; set; } = "";
    [JsonPropertyName("cached"), JsonPropertyOrder(7)] public bool Cached { get; set; }
    [JsonPropertyName("filename"), JsonPropertyOrder(8)] public string Filename { get; set; } = "";
    [JsonPropertyName("fingerprint"), JsonPropertyOrder(9)] public string Fingerprint { get; set; } = "";
    [JsonPropertyName("size"), JsonPropertyOrder(10)] public long Size { get; set; }
    [JsonPropertyName("update_source"), JsonPropertyOrder(11), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ImageSource? UpdateSource { get; set; }
    [JsonPropertyName("type"), JsonPropertyOrder(12)] public string Type { get; set; } = "container";
    [JsonPropertyName("created_at"), JsonPropertyOrder(13)] public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UnixEpoch;
    [JsonPropertyName("last_used_at"), JsonPropertyOrder(14)] public DateTimeOffset LastUsedAt { get; set; } = DateTimeOffset.UnixEpoch;
    [JsonPropertyName("uploaded_at"), JsonPropertyOrder(15)] public DateTimeOffset UploadedAt { get; set; } = DateTimeOffset.UnixEpoch;
}

public sealed record ImageAlias
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
}

/// <summary>Where an image came from, for auto-update (api.ImageSource).</summary>
public sealed record ImageSource
{
    [JsonPropertyName("alias")] public string Alias { get; set; } = "";
    [JsonPropertyName("certificate")] public string Certificate { get; set; } = "";
    [JsonPropertyName("protocol")] public string Protocol { get; set; } = "";
    [JsonPropertyName("server")] public string Server { get; set; } = "";
    [JsonPropertyName("image_type")] public string ImageType { get; set; } = "";
}

/// <summary>POST /1.0/images with a JSON body (from a remote, a URL, an instance).</summary>
public sealed record ImagesPost
{
    [JsonPropertyName("auto_update")] public bool AutoUpdate { get; set; }
    [JsonPropertyName("properties")] public Dictionary<string, string>? Properties { get; set; }
    [JsonPropertyName("public")] public bool Public { get; set; }
    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; set; }
    [JsonPropertyName("profiles")] public List<string>? Profiles { get; set; }
    [JsonPropertyName("filename")] public string Filename { get; set; } = "";
    [JsonPropertyName("compression_algorithm")] public string CompressionAlgorithm { get; set; } = "";
    [JsonPropertyName("source")] public ImagesPostSource? Source { get; set; }
    [JsonPropertyName("aliases")] public List<ImageAlias>? Aliases { get; set; }
}

public sealed record ImagesPostSource
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("mode")] public string Mode { get; set; } = "";
    [JsonPropertyName("server")] public string Server { get; set; } = "";
    [JsonPropertyName("protocol")] public string Protocol { get; set; } = "";
    [JsonPropertyName("certificate")] public string Certificate { get; set; } = "";
    [JsonPropertyName("secret")] public string Secret { get; set; } = "";
    [JsonPropertyName("alias")] public string Alias { get; set; } = "";
    [JsonPropertyName("fingerprint")] public string Fingerprint { get; set; } = "";
    [JsonPropertyName("image_type")] public string ImageType { get; set; } = "";
    [JsonPropertyName("url")] public string Url { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("project")] public string Project { get; set; } = "";
}

/// <summary>
/// POST /1.0/images/{fingerprint}/export (api.ImageExportPost, extension images_push_relay): the server pushes the
/// image to <see cref="Target"/>, pinning <see cref="Certificate"/>, with the push token's <see cref="Secret"/>.
/// </summary>
public sealed record ImageExportPost
{
    [JsonPropertyName("target")] public string Target { get; set; } = "";
    [JsonPropertyName("certificate")] public string Certificate { get; set; } = "";
    [JsonPropertyName("secret")] public string Secret { get; set; } = "";
    [JsonPropertyName("aliases")] public List<ImageAlias>? Aliases { get; set; }
    [JsonPropertyName("project")] public string Project { get; set; } = "";
    [JsonPropertyName("profiles")] public List<string>? Profiles { get; set; }
}

/// <summary>An alias (GET /1.0/images/aliases/{name}).</summary>
public record ImageAliasesEntryPut
{
    [JsonPropertyName("description"), JsonPropertyOrder(0)] public string Description { get; set; } = "";
    [JsonPropertyName("target"), JsonPropertyOrder(1)] public string Target { get; set; } = "";
}

public sealed record ImageAliasesEntry : ImageAliasesEntryPut
{
    [JsonPropertyName("name"), JsonPropertyOrder(2)] public string Name { get; set; } = "";
    [JsonPropertyName("type"), JsonPropertyOrder(3)] public string Type { get; set; } = "container";
}

/// <summary>POST /1.0/images/aliases body.</summary>
public sealed record ImageAliasesPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("target")] public string Target { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
}

/// <summary>POST /1.0/images/aliases/{name} body (rename).</summary>
public sealed record ImageAliasesEntryPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}
