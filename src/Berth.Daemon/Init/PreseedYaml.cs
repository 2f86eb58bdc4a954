using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Berth.Daemon.Init;

/// <summary>Reads and writes preseed YAML (JSON is YAML too, so JSON preseeds work).</summary>
internal static class PreseedYaml
{
    public static Preseed Parse(string text)
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(NullNamingConvention.Instance)
            .Build();
        try
        {
            return deserializer.Deserialize<Preseed?>(text) ?? new Preseed();
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new Berth.Api.ApiException(400, "Failed to parse the preseed: " + (e.InnerException?.Message ?? e.Message));
        }
    }

    public static string Write(Preseed preseed) =>
        new SerializerBuilder()
            .WithNamingConvention(NullNamingConvention.Instance)
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
            .Build()
            .Serialize(preseed);
}
