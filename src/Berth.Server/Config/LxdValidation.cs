using System.Globalization;
using Berth.Api;

namespace Berth.Server.Config;

/// <summary>
/// Config and device validation for instances and profiles with LXD 5.0.2's error texts (checked against Debian's
/// lxd): the schemas find the bad entry, this words it as LXD's validators do and as its handlers prefix it
/// (<c>Invalid config: </c>, <c>Invalid devices: Device validation failed for "d": </c>...). A case LXD words the
/// same way as the schema keeps the schema's text.
/// </summary>
public static class LxdValidation
{
    /// <summary>An instance being updated (PUT/PATCH): LXD's operation fails with 400 and these prefixes.</summary>
    public static void InstanceUpdate(IReadOnlyDictionary<string, string> config, IReadOnlyDictionary<string, Dictionary<string, string>> devices) =>
        Validate(config, devices, isProfile: false, 400, "Invalid config: ", "Invalid devices: ");

    /// <summary>A profile: the validator's text alone (LXD answers an update with 500).</summary>
    public static void Profile(IReadOnlyDictionary<string, string> config, IReadOnlyDictionary<string, Dictionary<string, string>> devices, int status) =>
        Validate(config, devices, isProfile: true, status, "", "");

    private static void Validate(IReadOnlyDictionary<string, string> config, IReadOnlyDictionary<string, Dictionary<string, string>> devices, bool isProfile, int status, string configPrefix, string devicesPrefix)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(devices);
        foreach (var (key, value) in config.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            try
            {
                InstanceConfigSchema.Validate(new Dictionary<string, string>(StringComparer.Ordinal) { [key] = value }, isProfile);
            }
            catch (ApiException e)
            {
                throw new ApiException(status, configPrefix + ConfigText(key, value, e.Message));
            }
        }

        foreach (var (name, device) in devices.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            try
            {
                DeviceSchema.Validate(new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal) { [name] = device }, isProfile);
                DeviceSchema.CheckDiskPathUnique(device ?? [], devices);
            }
            catch (ApiException e)
            {
                throw new ApiException(status, $"{devicesPrefix}Device validation failed for \"{name}\": {DeviceText(name, device ?? [], e.Message)}");
            }
        }
    }

    /// <summary>What LXD 5.0.2's validator for <paramref name="key"/> says about <paramref name="value"/>.</summary>
    public static string ConfigText(string key, string value, string schemaMessage)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(schemaMessage);
        if (schemaMessage.StartsWith("Unknown configuration key", StringComparison.Ordinal))
        {
            return "Unknown configuration key: " + key;
        }

        if (schemaMessage.Contains("(expected a boolean", StringComparison.Ordinal))
        {
            return $"Invalid value for a boolean \"{value}\"";
        }

        return key switch
        {
            "limits.memory" when !value.EndsWith('%') => ByteSizeText(value),
            "limits.cpu" => "Invalid CPU limit syntax",
            "limits.cpu.allowance" => "Invalid allowance: " + value,
            _ => schemaMessage,
        };
    }

    /// <summary>LXD's units.ParseByteSizeString errors.</summary>
    private static string ByteSizeText(string value)
    {
        var digits = value.TakeWhile(char.IsAsciiDigit).Count();
        return digits > 0 && digits < value.Length && !long.TryParse(value.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? "Invalid integer: " + value
            : "Invalid value: " + value;
    }

    private static string DeviceText(string name, Dictionary<string, string> device, string schemaMessage)
    {
        var type = device.GetValueOrDefault("type") ?? "";
        if (schemaMessage.StartsWith("Invalid device type", StringComparison.Ordinal)
            || schemaMessage.Contains("needs a \"nictype\" or a \"network\"", StringComparison.Ordinal))
        {
            return $"Failed loading device \"{name}\": Unsupported device type";
        }

        if (schemaMessage.Contains("is missing the required \"", StringComparison.Ordinal))
        {
            return type switch
            {
                "disk" => "Disk entry is missing the required \"source\" or \"path\" property",
                "unix-char" or "unix-block" => "Unix device entry is missing the required \"source\" or \"path\" property",
                "nic" => $"Invalid value for device option \"{MissingProperty(schemaMessage)}\": Required value",
                _ => schemaMessage,
            };
        }

        if (schemaMessage.StartsWith("Invalid device option ", StringComparison.Ordinal))
        {
            return schemaMessage[..schemaMessage.IndexOf(" for device ", StringComparison.Ordinal)];
        }

        // Invalid value for "readonly" of device "d": "maybe" (expected a boolean...)
        const string InvalidValue = "Invalid value for \"";
        if (schemaMessage.StartsWith(InvalidValue, StringComparison.Ordinal) && schemaMessage.Contains("(expected a boolean", StringComparison.Ordinal))
        {
            var option = schemaMessage[InvalidValue.Length..schemaMessage.IndexOf('"', InvalidValue.Length)];
            return $"Invalid value for device option \"{option}\": Invalid value for a boolean \"{device.GetValueOrDefault(option)}\"";
        }

        return schemaMessage;
    }

    private static string MissingProperty(string schemaMessage)
    {
        const string Marker = "missing the required \"";
        var start = schemaMessage.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        return schemaMessage[start..schemaMessage.IndexOf('"', start)];
    }
}
