using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Berth.Api.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Server.Yaml;

/// <summary>
/// YAML documents read and written through source-generated JSON contracts, so no reflection is needed (berthd is
/// compiled ahead of time). Reading gives YAML's scalar typing (plain true/false, numbers as written, null); a
/// contract whose options carry <see cref="YamlTextConverter"/> also takes any scalar for a string field, as Go's
/// and YamlDotNet's decoders do. Writing is Go's yaml.v2 style (<see cref="YamlWriter"/>), as LXD writes its files.
/// </summary>
public static partial class YamlJson
{
    public static JsonNode? Parse(string yaml) => ToJson(yaml) is { } json ? JsonNode.Parse(json) : null;

    /// <summary>The first document as <typeparamref name="T"/>; default for an empty document. Malformed YAML and
    /// values of the wrong shape throw <see cref="InvalidDataException"/>.</summary>
    public static T? Read<T>(string yaml, JsonTypeInfo<T> type)
    {
        var json = ToJson(yaml);
        if (json is null)
        {
            return default;
        }

        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(e.Path is { Length: > 1 } path ? $"{path[2..]}: {Reason(e)}" : Reason(e), e);
        }
    }

    public static string Write<T>(T value, JsonTypeInfo<T> type) => YamlWriter.Write(JsonSerializer.SerializeToElement(value, type));

    /// <summary>The first document as UTF-8 JSON; null for an empty stream.</summary>
    public static byte[]? ToJson(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // YamlDotNet's scanner throws InvalidOperationException on some malformed input (an unclosed "[").
            throw new InvalidDataException($"Invalid YAML: {e.Message}", e);
        }

        if (stream.Documents.Count == 0)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteNode(writer, stream.Documents[0].RootNode);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteNode(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                writer.WriteStartObject();
                foreach (var (key, value) in map.Children)
                {
                    writer.WritePropertyName(key is YamlScalarNode k ? k.Value ?? "" : throw new InvalidDataException("Invalid YAML: a mapping key is not a scalar"));
                    WriteNode(writer, value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    WriteNode(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            writer.WriteStringValue(value);
            return;
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                writer.WriteNullValue();
                return;
            case "true" or "True" or "TRUE":
                writer.WriteBooleanValue(true);
                return;
            case "false" or "False" or "FALSE":
                writer.WriteBooleanValue(false);
                return;
        }

        // A number is kept as written (1.10 stays 1.10 for a string field); YAML-only forms (0x1f, 1_000) stay text.
        if (JsonNumber().IsMatch(value))
        {
            writer.WriteRawValue(value, skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    private static string Reason(JsonException e) =>
        e.Message.Split(" Path:", 2)[0].TrimEnd('.') is { Length: > 0 } message ? message : "invalid value";

    [GeneratedRegex(@"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();
}
