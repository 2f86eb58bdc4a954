using Berth.Api;
using System.Text.Json.Serialization;
using Berth.Server.Yaml;

namespace Berth.Server.Images;

/// <summary>An image's <c>metadata.yaml</c>.</summary>
public sealed class ImageMetadata
{
    [JsonPropertyName("architecture")]
    public string Architecture { get; set; } = "";

    [JsonPropertyName("creation_date")]
    public long CreationDate { get; set; }

    [JsonPropertyName("expiry_date")]
    public long ExpiryDate { get; set; }

    [JsonPropertyName("properties")]
    public Dictionary<string, string>? Properties { get; set; }

    [JsonPropertyName("templates")]
    public Dictionary<string, ImageTemplate>? Templates { get; set; }

    public static ImageMetadata Parse(string yaml)
    {
        ImageMetadata? metadata;
        try
        {
            metadata = YamlJson.Read(yaml, YamlDocuments.Default.ImageMetadata);
        }
        catch (InvalidDataException e)
        {
            throw new ApiException(400, "Invalid metadata.yaml: " + e.Message);
        }

        if (metadata is null)
        {
            throw new ApiException(400, "Invalid metadata.yaml: empty");
        }

        if (string.IsNullOrEmpty(metadata.Architecture))
        {
            throw new ApiException(400, "Invalid metadata.yaml: missing architecture");
        }

        if (metadata.CreationDate <= 0)
        {
            throw new ApiException(400, "Invalid metadata.yaml: missing creation_date");
        }

        metadata.Architecture = Architectures.Normalise(metadata.Architecture)
            ?? throw new ApiException(400, $"Unsupported architecture: {metadata.Architecture}");
        return metadata;
    }
}

public sealed class ImageTemplate
{
    [JsonPropertyName("when")]
    public List<string> When { get; set; } = [];

    [JsonPropertyName("create_only")]
    public bool CreateOnly { get; set; }

    [JsonPropertyName("template")]
    public string Template { get; set; } = "";

    [JsonPropertyName("properties")]
    public Dictionary<string, string> Properties { get; set; } = [];
}

/// <summary>LXD's architecture names and the distribution aliases that map to them.</summary>
public static class Architectures
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["x86_64"] = "x86_64",
        ["amd64"] = "x86_64",
        ["i686"] = "i686",
        ["i386"] = "i686",
        ["i586"] = "i686",
        ["x86"] = "i686",
        ["aarch64"] = "aarch64",
        ["arm64"] = "aarch64",
        ["armv7l"] = "armv7l",
        ["armhf"] = "armv7l",
        ["armv7"] = "armv7l",
        ["armv6l"] = "armv6l",
        ["armel"] = "armv6l",
        ["ppc64le"] = "ppc64le",
        ["ppc64el"] = "ppc64le",
        ["s390x"] = "s390x",
        ["riscv64"] = "riscv64",
        ["mips64"] = "mips64",
        ["mips64el"] = "mips64",
        ["loongarch64"] = "loongarch64",
    };

    public static string? Normalise(string name) => Aliases.GetValueOrDefault(name.Trim());
}
