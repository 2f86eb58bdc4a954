using System.Globalization;

namespace Berth.Server.Config;

/// <summary>
/// Instance and profile <c>config</c> keys. Fixed keys come from a table; the free-form namespaces
/// (<c>user.*</c>, <c>environment.*</c>, <c>image.*</c>, <c>linux.sysctl.*</c>, <c>cloud-init.ssh-keys.*</c>) take
/// any value; <c>limits.kernel.*</c> and <c>volatile.*</c> are checked by name.
/// </summary>
public static partial class InstanceConfigSchema
{
    private static readonly string[] FreeFormPrefixes = ["user.", "environment.", "image.", "linux.sysctl.", "cloud-init.ssh-keys."];

    /// <summary>
    /// Throws <c>ApiException(400)</c> on the first unknown key or bad value. With <paramref name="isProfile"/>
    /// the instance-only <c>volatile.*</c> keys are rejected. Empty values mean unset and always pass.
    /// </summary>
    public static void Validate(IReadOnlyDictionary<string, string> config, bool isProfile)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var (key, value) in config.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            ValidateKey(key, value, isProfile);
        }
    }

    private static void ValidateKey(string key, string value, bool isProfile)
    {
        if (Keys.TryGetValue(key, out var rule))
        {
            ConfigErrors.Check(key, value, rule);
            return;
        }

        foreach (var prefix in FreeFormPrefixes)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length)
            {
                return;
            }
        }

        const string KernelPrefix = "limits.kernel.";
        if (key.StartsWith(KernelPrefix, StringComparison.Ordinal))
        {
            if (!KernelLimits.Contains(key[KernelPrefix.Length..], StringComparer.Ordinal))
            {
                throw new Api.ApiException(400, $"Unknown configuration key: {key} (kernel limits are {string.Join(", ", KernelLimits)})");
            }

            ConfigErrors.Check(key, value, new ConfigRule(KernelLimitValue));
            return;
        }

        if (key.StartsWith("volatile.", StringComparison.Ordinal))
        {
            if (isProfile)
            {
                throw new Api.ApiException(400, $"Volatile keys are instance-only and cannot be set on profiles: {key}");
            }

            ConfigErrors.Check(key, value, VolatileRule(key) ?? throw ConfigErrors.UnknownKey(key));
            return;
        }

        throw ConfigErrors.UnknownKey(key);
    }

    private static ConfigRule? VolatileRule(string key)
    {
        if (VolatileKeys.TryGetValue(key, out var rule))
        {
            return rule;
        }

        // volatile.<device>.<suffix>, the device name itself having no dot.
        var rest = key["volatile.".Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return null;
        }

        var suffix = rest[(dot + 1)..];
        return VolatileDeviceSuffixes.Contains(suffix, StringComparer.Ordinal) || (suffix.StartsWith("last_state.", StringComparison.Ordinal) && suffix.Length > "last_state.".Length)
            ? new ConfigRule(ValueChecks.Any)
            : null;
    }

    /// <summary><c>limits.kernel.*</c>: <c>unlimited</c> or a number, or <c>soft:hard</c> of those.</summary>
    private static string? KernelLimitValue(string value)
    {
        var parts = value.Split(':');
        return parts.Length <= 2 && parts.All(p => p == "unlimited" || ulong.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            ? null
            : "expected a number or \"unlimited\", or soft:hard of those";
    }

    /// <summary>
    /// <c>raw.lxc</c>: <c>key = value</c> lines (comments and blank lines allowed); the keys LXD manages itself
    /// (logging, ephemeral, prlimit, network interfaces) are refused with LXD 5.0's messages. Whether liblxc knows
    /// each key is checked when the config changes (<see cref="Instances.IInstanceRuntime.CheckRawLxc"/>).
    /// </summary>
    private static string? RawLxc(string value)
    {
        foreach (var rawLine in value.Split('\n'))
        {
            var line = rawLine.TrimStart(' ', '\t').TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                return $"Invalid raw.lxc line: {line}";
            }

            var key = line[..eq].Trim(' ', '\t').ToLowerInvariant();
            switch (key)
            {
                case "lxc.logfile" or "lxc.log.file":
                    return "Setting lxc.logfile is not allowed";
                case "lxc.syslog" or "lxc.log.syslog":
                    return "Setting lxc.log.syslog is not allowed";
                case "lxc.ephemeral":
                    return "Setting lxc.ephemeral is not allowed";
                default:
                    break;
            }

            if (key.StartsWith("lxc.prlimit.", StringComparison.Ordinal))
            {
                return "Process limits should be set via \"limits.kernel.[limit name]\" and not directly via \"lxc.prlimit.[limit name]\"";
            }

            // liblxc >= 2.1 (always here) names interfaces lxc.net.*; LXD 5.0 checks only that prefix.
            if (key.StartsWith("lxc.net.", StringComparison.Ordinal) && !IsAllowedRawNetKey(key))
            {
                return "Only interface-specific ipv4/ipv6 lxc.net. keys are allowed";
            }
        }

        return null;
    }

    private static bool IsAllowedRawNetKey(string key)
    {
        // lxc.net.<n>.ipv4.address, lxc.net.<n>.ipv6.gateway, ...
        var fields = key.Split('.');
        return fields.Length == 5 && fields[3] is "ipv4" or "ipv6" && fields[4] is "address" or "gateway";
    }

    /// <summary><c>raw.idmap</c>: lines <c>both|uid|gid HOST[-HOST] CONTAINER[-CONTAINER]</c> of equal-sized ranges.</summary>
    private static string? RawIdmap(string value)
    {
        const string Expected = "expected lines like \"both 1000 1000\" or \"uid 50-60 500-510\"";
        foreach (var rawLine in value.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3 || fields[0] is not ("both" or "uid" or "gid")
                || !TryIdRange(fields[1], out var hostSize) || !TryIdRange(fields[2], out var containerSize) || hostSize != containerSize)
            {
                return Expected;
            }
        }

        return null;
    }

    private static bool TryIdRange(string text, out long size)
    {
        size = 0;
        var bounds = text.Split('-');
        if (bounds.Length > 2 || !uint.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }

        var high = low;
        if (bounds.Length == 2 && (!uint.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out high) || high < low))
        {
            return false;
        }

        size = (long)high - low + 1;
        return true;
    }
}
