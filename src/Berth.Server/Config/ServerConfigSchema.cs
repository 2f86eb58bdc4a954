using Berth.Api;

namespace Berth.Server.Config;

/// <summary>
/// Placeholder until the full key tables land: accepts the keys berthd acts on today and rejects unknown ones.
/// </summary>
public static class ServerConfigSchema
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "core.https_address", "core.trust_password", "images.auto_update_interval", "images.remote_cache_expiry",
        "images.compression_algorithm", "images.auto_update_cached",
    };

    public static void Validate(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var key in config.Keys)
        {
            if (!Known.Contains(key))
            {
                throw new ApiException(400, $"Unknown configuration key: {key}");
            }
        }
    }

    public static bool IsKnown(string key) => Known.Contains(key);

    public static bool IsSecret(string key) => key == "core.trust_password";

    public static string? DefaultValue(string key) => null;
}
