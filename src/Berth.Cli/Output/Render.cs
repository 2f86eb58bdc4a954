using Berth.Api.Yaml;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Berth.Cli.Output;

/// <summary>Shortcuts from wire objects to the text the commands print.</summary>
internal static class Render
{
    /// <summary>YAML of a wire object in its field order (as yaml.v2 prints a Go struct).</summary>
    public static string Yaml<T>(T value, JsonTypeInfo<T> type) =>
        YamlWriter.Write(JsonSerializer.SerializeToElement(value, type), plainTimestamps: true);

    public static JsonElement Element<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToElement(value, type);

    /// <summary>
    /// Decodes edited YAML as <typeparamref name="T"/>. YAML scalars arrive as strings; the top-level keys named in
    /// <paramref name="booleans"/> are turned into JSON booleans first (<c>ephemeral: false</c>).
    /// </summary>
    public static T FromYaml<T>(string yaml, JsonTypeInfo<T> type, params string[] booleans)
    {
        var node = YamlReader.Read(StripComments(yaml));
        if (node is JsonObject map)
        {
            foreach (var key in booleans)
            {
                if (map[key] is JsonValue value && value.TryGetValue<string>(out var text) && YamlBoolean(text) is { } flag)
                {
                    map[key] = flag;
                }
            }
        }

        try
        {
            return node.Deserialize(type) ?? throw new CliException("Empty YAML document");
        }
        catch (JsonException e)
        {
            throw new CliException($"Invalid YAML: {e.Message}", e);
        }
    }

    /// <summary>YAML 1.1's spellings of a boolean (what Go's yaml.v2 accepts), else null.</summary>
    private static bool? YamlBoolean(string text) => text.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "y" => true,
        "false" or "no" or "off" or "n" => false,
        _ => null,
    };

    /// <summary>Drops the <c>#</c> comment lines of an edit template.</summary>
    private static string StripComments(string yaml) =>
        string.Join('\n', yaml.Split('\n').Where(line => !line.TrimStart().StartsWith('#')));
}
