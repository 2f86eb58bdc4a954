using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api.Json;

/// <summary>Go's encoding/json writes map keys sorted; so do we, so ETags and diffs are stable.</summary>
public sealed class SortedStringMapConverter : JsonConverter<Dictionary<string, string>>
{
    public override Dictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected an object of string values");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            map[key] = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Null => "",
                _ => throw new JsonException($"Value for key {key} must be a string"),
            };
        }

        return map;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var key in SortedKeys(value.Keys))
        {
            writer.WriteString(key, value[key]);
        }

        writer.WriteEndObject();
    }

    internal static string[] SortedKeys(IEnumerable<string> keys)
    {
        var sorted = keys.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }
}

/// <summary>Devices: a sorted map of sorted maps.</summary>
public sealed class SortedDeviceMapConverter : JsonConverter<Dictionary<string, Dictionary<string, string>>>
{
    private static readonly SortedStringMapConverter Inner = new();

    public override Dictionary<string, Dictionary<string, string>>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected an object of devices");
        }

        var map = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            map[key] = Inner.Read(ref reader, typeof(Dictionary<string, string>), options) ?? [];
        }

        return map;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, Dictionary<string, string>> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var key in SortedStringMapConverter.SortedKeys(value.Keys))
        {
            writer.WritePropertyName(key);
            Inner.Write(writer, value[key], options);
        }

        writer.WriteEndObject();
    }
}
