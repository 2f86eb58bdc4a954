using System.Text.Json.Serialization;
using Berth.Server.Images;

namespace Berth.Server.Yaml;

/// <summary>The YAML files berthd reads and writes itself (image and instance metadata.yaml), as JSON contracts.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(YamlTextConverter)])]
[JsonSerializable(typeof(ImageMetadata))]
internal sealed partial class YamlDocuments : JsonSerializerContext;
