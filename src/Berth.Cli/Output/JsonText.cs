using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Berth.Cli.Output;

/// <summary>JSON text for people: compact (list <c>--format json</c>) or tab-indented like Go's <c>json.Indent</c>.</summary>
internal static class JsonText
{
    public static string Compact(JsonElement value) => Write(value, indented: false);

    public static string Indented(JsonElement value) => Write(value, indented: true);

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
