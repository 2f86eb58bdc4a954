using System.Text.Json.Serialization;
using Berth.Server.Yaml;

namespace Berth.Daemon.Init;

/// <summary>Reads and writes preseed YAML (JSON is YAML too, so JSON preseeds work).</summary>
internal static class PreseedYaml
{
    public static Preseed Parse(string text)
    {
        try
        {
            return YamlJson.Read(text, PreseedJsonContext.Default.Preseed) ?? new Preseed();
        }
        catch (InvalidDataException e)
        {
            throw new Berth.Api.ApiException(400, "Failed to parse the preseed: " + e.Message);
        }
    }

    public static string Write(Preseed preseed) => YamlJson.Write(preseed, PreseedJsonContext.Default.Preseed);
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(YamlTextConverter)])]
[JsonSerializable(typeof(Preseed))]
internal sealed partial class PreseedJsonContext : JsonSerializerContext;
