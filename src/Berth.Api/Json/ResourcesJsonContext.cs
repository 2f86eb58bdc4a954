using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api.Json;

/// <summary>Source-generated serialisation for <c>GET /1.0/resources</c>: compact, exact names, sorted maps.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = false,
    Converters = [typeof(SortedStringMapConverter)])]
[JsonSerializable(typeof(Resources))]
public sealed partial class ResourcesJsonContext : JsonSerializerContext
{
    private static readonly Lazy<ResourcesJsonContext> RelaxedInstance = new(() => new ResourcesJsonContext(new JsonSerializerOptions
    {
        // Readable UTF-8 like Go's encoder; only what JSON requires is escaped.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
        Converters = { new SortedStringMapConverter() },
    }));

    /// <summary>The context every component uses.</summary>
    public static ResourcesJsonContext Wire => RelaxedInstance.Value;
}
