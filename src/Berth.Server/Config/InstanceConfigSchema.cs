using Berth.Api;

namespace Berth.Server.Config;

/// <summary>Placeholder until the full key tables land.</summary>
public static class InstanceConfigSchema
{
    public static void Validate(IReadOnlyDictionary<string, string> config, bool isProfile)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var (key, value) in config)
        {
            if (key == "limits.memory" && value.Length > 0 && !char.IsAsciiDigit(value[0]))
            {
                throw new ApiException(400, $"Invalid value for \"{key}\": \"{value}\"");
            }
        }
    }
}
