using System.Text.Json.Serialization;

namespace Berth.Server.Images.SimpleStreams;

/// <summary><c>streams/v1/index.json</c>.</summary>
public sealed record StreamsIndex
{
    [JsonPropertyName("format")] public string Format { get; set; } = "index:1.0";
    [JsonPropertyName("updated")] public string Updated { get; set; } = "";
    [JsonPropertyName("index")] public Dictionary<string, StreamsIndexEntry> Index { get; set; } = [];
}

public sealed record StreamsIndexEntry
{
    [JsonPropertyName("datatype")] public string DataType { get; set; } = "image-downloads";
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("format")] public string Format { get; set; } = "products:1.0";
    [JsonPropertyName("updated")] public string Updated { get; set; } = "";
    [JsonPropertyName("products")] public List<string> Products { get; set; } = [];
}

/// <summary>A products file (<c>streams/v1/images.json</c>).</summary>
public sealed record StreamsProducts
{
    [JsonPropertyName("content_id")] public string ContentId { get; set; } = "images";
    [JsonPropertyName("datatype")] public string DataType { get; set; } = "image-downloads";
    [JsonPropertyName("format")] public string Format { get; set; } = "products:1.0";
    [JsonPropertyName("updated")] public string Updated { get; set; } = "";
    [JsonPropertyName("products")] public Dictionary<string, StreamsProduct> Products { get; set; } = [];
}

public sealed record StreamsProduct
{
    [JsonPropertyName("aliases")] public string Aliases { get; set; } = "";
    [JsonPropertyName("arch")] public string Arch { get; set; } = "";
    [JsonPropertyName("os")] public string Os { get; set; } = "";
    [JsonPropertyName("release")] public string Release { get; set; } = "";
    [JsonPropertyName("release_title")] public string ReleaseTitle { get; set; } = "";
    [JsonPropertyName("variant")] public string Variant { get; set; } = "";
    [JsonPropertyName("versions")] public Dictionary<string, StreamsVersion> Versions { get; set; } = [];
}

public sealed record StreamsVersion
{
    [JsonPropertyName("items")] public Dictionary<string, StreamsItem> Items { get; set; } = [];
}

public sealed record StreamsItem
{
    [JsonPropertyName("ftype")] public string FileType { get; set; } = "";
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("sha256")] public string Sha256 { get; set; } = "";
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("combined_sha256"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CombinedSha256 { get; set; }
    [JsonPropertyName("combined_rootxz_sha256"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CombinedRootxzSha256 { get; set; }
    [JsonPropertyName("combined_squashfs_sha256"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CombinedSquashfsSha256 { get; set; }
    [JsonPropertyName("combined_disk-kvm-img_sha256"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CombinedDiskKvmImgSha256 { get; set; }
    [JsonPropertyName("delta_base"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? DeltaBase { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StreamsIndex))]
[JsonSerializable(typeof(StreamsProducts))]
public sealed partial class SimpleStreamsJsonContext : JsonSerializerContext;
