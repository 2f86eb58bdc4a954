using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Berth.Cli.Output;

/// <summary>Shortcuts from wire objects to the text the commands print.</summary>
internal static class Render
{
    /// <summary>YAML of a wire object in its field order (as yaml.v2 prints a Go struct).</summary>
    public static string Yaml<T>(T value, JsonTypeInfo<T> type) =>
        YamlWriter.Write(JsonSerializer.SerializeToElement(value, type), plainTimestamps: true);

    public static JsonElement Element<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToElement(value, type);

    /// <summary>Decodes edited YAML as <typeparamref name="T"/>.</summary>
    public static T FromYaml<T>(string yaml, JsonTypeInfo<T> type)
    {
        var node = YamlReader.Read(StripComments(yaml));
        try
        {
            return node.Deserialize(type) ?? throw new CliException("Empty YAML document");
        }
        catch (JsonException e)
        {
            throw new CliException($"Invalid YAML: {e.Message}", e);
        }
    }

    /// <summary>Drops the <c>#</c> comment lines of an edit template.</summary>
    private static string StripComments(string yaml) =>
        string.Join('\n', yaml.Split('\n').Where(line => !line.TrimStart().StartsWith('#')));
}
