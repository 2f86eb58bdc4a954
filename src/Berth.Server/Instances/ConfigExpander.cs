using Berth.Api;

namespace Berth.Server.Instances;

/// <summary>Profiles apply in order, then the instance's own config and devices (expanded_config/expanded_devices).</summary>
public static class ConfigExpander
{
    public static (Dictionary<string, string> Config, Dictionary<string, Dictionary<string, string>> Devices) Expand(
        IEnumerable<ProfilePut> profiles, IReadOnlyDictionary<string, string> config, IReadOnlyDictionary<string, Dictionary<string, string>> devices)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var expandedConfig = new Dictionary<string, string>(StringComparer.Ordinal);
        var expandedDevices = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            foreach (var (key, value) in profile.Config)
            {
                expandedConfig[key] = value;
            }

            foreach (var (name, device) in profile.Devices)
            {
                expandedDevices[name] = new Dictionary<string, string>(device, StringComparer.Ordinal);
            }
        }

        foreach (var (key, value) in config)
        {
            expandedConfig[key] = value;
        }

        foreach (var (name, device) in devices)
        {
            expandedDevices[name] = new Dictionary<string, string>(device, StringComparer.Ordinal);
        }

        return (expandedConfig, expandedDevices);
    }
}
