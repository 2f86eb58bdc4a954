using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Cli.Output;

/// <summary>
/// Reads YAML (what a user edited) into JSON so the source-generated wire types can decode it. Every scalar becomes
/// a JSON string, as Go's yaml decoder does for string fields (<c>limits.cpu: 2</c> is <c>"2"</c>); <c>~</c>,
/// <c>null</c> and empty plain scalars become JSON null.
/// </summary>
internal static class YamlReader
{
    /// <summary>Parses one YAML document; an empty document gives an empty object.</summary>
    public static JsonNode Read(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // YamlDotNet's scanner throws InvalidOperationException on some malformed input (an unclosed "[").
            throw new CliException($"Failed to parse YAML: {(e is YamlException ? e.Message : "malformed document")}");
        }

        return stream.Documents.Count == 0 ? new JsonObject() : Convert(stream.Documents[0].RootNode) ?? new JsonObject();
    }

    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? ""] = Convert(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item));
                }

                return array;
            case YamlScalarNode scalar:
                var text = scalar.Value ?? "";
                if (scalar.Style == ScalarStyle.Plain && text is "" or "~" or "null" or "Null" or "NULL")
                {
                    return null;
                }

                return JsonValue.Create(text);
            default:
                return null;
        }
    }
}
