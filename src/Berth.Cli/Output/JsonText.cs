using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Berth.Cli.Output;

/// <summary>JSON text for people: compact (list <c>--format json</c>) or tab-indented like Go's <c>json.Indent</c>.</summary>
internal static class JsonText
{
    public static string Compact(JsonElement value) => Write(value, indented: false);

    public static string Indented(JsonElement value) => Write(value, indented: true);

    /// <summary>
    /// Sorts object keys the way a Go client re-encodes decoded data: everything when <paramref name="under"/> is null
    /// (a <c>map[string]any</c>), else only below the named top-level properties (maps inside a struct), where a null
    /// becomes <c>{}</c> with <paramref name="nullAsEmpty"/> (a nil Go map in YAML).
    /// </summary>
    public static JsonElement Sorted(JsonElement value, IReadOnlyCollection<string>? under = null, bool nullAsEmpty = true)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (under is null)
            {
                WriteSorted(writer, value);
            }
            else
            {
                WriteSortedUnder(writer, value, under, nullAsEmpty);
            }
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return document.RootElement.Clone();
    }

    private static void WriteSortedUnder(Utf8JsonWriter writer, JsonElement value, IReadOnlyCollection<string> under, bool nullAsEmpty)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            writer.WriteStartArray();
            foreach (var item in value.EnumerateArray())
            {
                WriteSortedUnder(writer, item, under, nullAsEmpty);
            }

            writer.WriteEndArray();
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            value.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        foreach (var property in value.EnumerateObject())
        {
            writer.WritePropertyName(property.Name);
            if (!under.Contains(property.Name))
            {
                property.Value.WriteTo(writer);
            }
            else if (nullAsEmpty && property.Value.ValueKind == JsonValueKind.Null)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else
            {
                WriteSorted(writer, property.Value);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteSorted(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteSorted(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private static string Write(JsonElement value, bool indented)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = indented,
            IndentCharacter = '\t',
            IndentSize = 1,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
