using Berth.Api;
using Berth.Server.Config;

namespace Berth.Server.Storage;

/// <summary>Pool config keys as LXD 5.0 validates them: common keys, <c>volume.*</c> defaults, the driver's own, <c>user.*</c>.</summary>
internal static class StoragePoolConfig
{
    private static readonly Dictionary<string, Func<string, bool>> Common = new(StringComparer.Ordinal)
    {
        ["source"] = _ => true,
        ["volatile.initial_source"] = _ => true,
        ["rsync.bwlimit"] = _ => true,
        ["rsync.compression"] = IsBool,
        ["volume.size"] = IsSize,
        ["volume.security.shifted"] = IsBool,
        ["volume.security.unmapped"] = IsBool,
        ["volume.snapshots.expiry"] = _ => true,
        ["volume.snapshots.schedule"] = _ => true,
        ["volume.snapshots.pattern"] = _ => true,
    };

    private static readonly Dictionary<string, Func<string, bool>> DriverKeys = new(StringComparer.Ordinal)
    {
        ["size"] = IsSize,
        ["btrfs.mount_options"] = _ => true,
        ["source.wipe"] = IsBool,
    };

    public static void Validate(IStorageDriver driver, Dictionary<string, string> config)
    {
        foreach (var (key, value) in config)
        {
            if (key.StartsWith("user.", StringComparison.Ordinal))
            {
                continue;
            }

            Func<string, bool>? check = null;
            if (!Common.TryGetValue(key, out check) && !(driver.AcceptsKey(key) && DriverKeys.TryGetValue(key, out check)))
            {
                throw new ApiException(400, $"Invalid option \"{key}\"");
            }

            if (value.Length > 0 && !check(value))
            {
                throw new ApiException(400, $"Invalid value for key \"{key}\": \"{value}\"");
            }
        }
    }

    private static bool IsBool(string value) => value is "true" or "false" or "1" or "0" or "yes" or "no" or "on" or "off";

    private static bool IsSize(string value) => ValueChecks.TryParseByteSize(value, out var bytes) && bytes >= 0;
}
