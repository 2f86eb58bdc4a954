using Berth.Api;

namespace Berth.Server.Config;

/// <summary>
/// Instance and profile <c>devices</c>: each device is checked against the keys LXD 5.0 allows for its
/// <c>type</c> (and <c>nictype</c>/<c>network</c> for nic, <c>gputype</c> for gpu); unknown keys and types are refused.
/// </summary>
public static partial class DeviceSchema
{
    private delegate void CrossCheck(string device, IReadOnlyDictionary<string, string> config);

    private sealed record DeviceRules(Dictionary<string, ConfigRule> Keys, CrossCheck? Check = null, string[]? FreeFormPrefixes = null);

    /// <summary>
    /// Throws <c>ApiException(400)</c> on the first bad device. <paramref name="isProfile"/> is accepted for
    /// symmetry with <see cref="InstanceConfigSchema.Validate"/>: LXD applies the same static device rules to
    /// profiles and instances (checks against the host happen at start).
    /// </summary>
    public static void Validate(IReadOnlyDictionary<string, Dictionary<string, string>> devices, bool isProfile)
    {
        ArgumentNullException.ThrowIfNull(devices);
        foreach (var (name, config) in devices.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            ValidateDevice(name, config ?? []);
            CheckDiskPathUnique(config ?? [], devices);
        }
    }

    private static void ValidateDevice(string name, Dictionary<string, string> config)
    {
        if (name.Length == 0)
        {
            throw new ApiException(400, "Device name cannot be empty");
        }

        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ApiException(400, $"Invalid device name \"{name}\": it cannot contain \"/\"");
        }

        if (!config.TryGetValue("type", out var type) || type.Length == 0)
        {
            throw new ApiException(400, $"Missing device type for device \"{name}\"");
        }

        var rules = type switch
        {
            "nic" => NicRules(name, config),
            "disk" => Disk,
            "proxy" => Proxy,
            "unix-char" or "unix-block" => UnixDevice,
            "unix-hotplug" => UnixHotplug,
            "usb" => Usb,
            "gpu" => GpuRules(name, config),
            "infiniband" => Infiniband,
            "tpm" => Tpm,
            "pci" => Pci,
            "none" => None,
            _ => throw new ApiException(400, $"Invalid device type \"{type}\" for device \"{name}\""),
        };

        foreach (var (key, value) in config.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (key == "type")
            {
                continue;
            }

            if (!rules.Keys.TryGetValue(key, out var rule))
            {
                if (rules.FreeFormPrefixes?.Any(p => key.StartsWith(p, StringComparison.Ordinal)) == true)
                {
                    continue;
                }

                throw new ApiException(400, $"Invalid device option \"{key}\" for device \"{name}\" of type {type}");
            }

            if (value.Length > 0 && rule.Check(value) is { } reason)
            {
                throw InvalidValue(name, key, value, reason);
            }
        }

        rules.Check?.Invoke(name, config);
    }

    private static ApiException InvalidValue(string device, string key, string value, string reason) =>
        new(400, $"Invalid value for \"{key}\" of device \"{device}\": \"{value}\" ({reason})");

    private static ApiException Missing(string device, string key, string? why = null) =>
        new(400, $"Device \"{device}\" is missing the required \"{key}\" property{(why is null ? "" : $" ({why})")}");

    private static string Get(IReadOnlyDictionary<string, string> config, string key) =>
        config.TryGetValue(key, out var value) ? value : "";

    /// <summary>Builds a key table from (key, check) pairs, optionally merged over others.</summary>
    private static Dictionary<string, ConfigRule> Merge(IEnumerable<Dictionary<string, ConfigRule>> bases, params (string Key, ValueCheck Check)[] keys)
    {
        var table = new Dictionary<string, ConfigRule>(StringComparer.Ordinal);
        foreach (var b in bases)
        {
            foreach (var (k, v) in b)
            {
                table[k] = v;
            }
        }

        foreach (var (key, check) in keys)
        {
            table[key] = new ConfigRule(check);
        }

        return table;
    }

    private static Dictionary<string, ConfigRule> Table(params (string Key, ValueCheck Check)[] keys) => Merge([], keys);
}
