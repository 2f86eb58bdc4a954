using System.Globalization;
using System.Security.Cryptography;
using Berth.Api;
using Berth.Server.Config;
using static Berth.Server.Config.ValueChecks;

namespace Berth.Server.Networks;

/// <summary>
/// The config keys of a managed bridge this berthd implements (LXD 5.0 names and defaults), validated key by key;
/// unknown keys are refused. Defaults that LXD fixes at creation (<c>ipv4.address</c> auto, <c>ipv4.nat</c>) are
/// filled in then, so the record shows the concrete values.
/// </summary>
public static class BridgeConfig
{
    private static readonly ValueCheck IPv4Cidr = v => IPv4Net.TryParse(v, out var n) && v.Contains('/', StringComparison.Ordinal) && n.Prefix is >= 8 and <= 30 && n.Address != n.First && n.Address != n.Last
        ? null : "expected auto, none or an IPv4 host address with its prefix like 10.0.0.1/24";

    private static readonly ValueCheck IPv6Cidr = v =>
    {
        var slash = v.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && IsIPv6(v[..slash]) && int.TryParse(v[(slash + 1)..], out var p) && p is >= 8 and <= 128 ? null : "expected auto, none or an IPv6 address with its prefix like fd42::1/64";
    };

    private static readonly ValueCheck Ranges = v =>
    {
        foreach (var range in v.Split(',', StringSplitOptions.TrimEntries))
        {
            var ends = range.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length != 2 || !IPv4Net.TryParseAddress(ends[0], out var a) || !IPv4Net.TryParseAddress(ends[1], out var b) || a > b)
            {
                return "expected comma-separated ranges like 10.0.0.100-10.0.0.200";
            }
        }

        return null;
    };

    private static readonly Dictionary<string, ConfigRule> Keys = new(StringComparer.Ordinal)
    {
        ["bridge.driver"] = new(OneOf("native")),
        ["bridge.hwaddr"] = new(Mac),
        ["bridge.mtu"] = new(Int(1280, 16384)),
        ["bridge.mode"] = new(OneOf("standard")),
        ["dns.domain"] = new(v => IsHostName(v) ? null : "expected a domain name"),
        ["dns.mode"] = new(OneOf("managed", "dynamic", "none")),
        ["dns.search"] = new(Any),
        ["ipv4.address"] = new(Either("expected auto, none or an IPv4 host address with its prefix like 10.0.0.1/24", OneOf("auto", "none"), IPv4Cidr)),
        ["ipv4.dhcp"] = new(Bool),
        ["ipv4.dhcp.expiry"] = new(v => IsGoDuration(v) || v == "infinite" ? null : "expected a duration like 1h or infinite"),
        ["ipv4.dhcp.gateway"] = new(IPv4),
        ["ipv4.dhcp.ranges"] = new(Ranges),
        ["ipv4.firewall"] = new(Bool),
        ["ipv4.nat"] = new(Bool),
        ["ipv4.routing"] = new(Bool),
        ["ipv6.address"] = new(Either("expected auto, none or an IPv6 address with its prefix like fd42::1/64", OneOf("auto", "none"), IPv6Cidr)),
        ["ipv6.dhcp"] = new(Bool),
        ["ipv6.dhcp.stateful"] = new(Bool),
        ["ipv6.firewall"] = new(Bool),
        ["ipv6.nat"] = new(Bool),
        ["ipv6.routing"] = new(Bool),
        ["raw.dnsmasq"] = new(Any),
    };

    public static void Validate(string network, IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var (key, value) in config.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (key.StartsWith("user.", StringComparison.Ordinal))
            {
                continue;
            }

            if (!Keys.TryGetValue(key, out var rule))
            {
                throw new ApiException(400, $"Invalid option for network \"{network}\" option \"{key}\"");
            }

            ConfigErrors.Check(key, value, rule);
        }

        if (Address(config) is { } v4 && config.GetValueOrDefault("ipv4.dhcp.ranges") is { Length: > 0 } ranges)
        {
            foreach (var range in ranges.Split(',', StringSplitOptions.TrimEntries))
            {
                var ends = range.Split('-', StringSplitOptions.TrimEntries);
                IPv4Net.TryParseAddress(ends[0], out var a);
                IPv4Net.TryParseAddress(ends[1], out var b);
                if (!v4.Contains(a) || !v4.Contains(b))
                {
                    throw ConfigErrors.InvalidValue("ipv4.dhcp.ranges", ranges, $"the range {range} is outside {v4.Subnet}");
                }
            }
        }
    }

    /// <summary>Creation defaults: an auto IPv4 subnet (with NAT) from the host's free ranges, IPv6 none or a random ULA.</summary>
    public static void FillDefaults(Dictionary<string, string> config, IReadOnlyList<HostSubnet> inUse)
    {
        ArgumentNullException.ThrowIfNull(config);
        var v4 = config.GetValueOrDefault("ipv4.address") ?? "";
        if (v4 is "" or "auto")
        {
            config["ipv4.address"] = PickSubnet(inUse).ToString();
            config.TryAdd("ipv4.nat", "true");
        }

        var v6 = config.GetValueOrDefault("ipv6.address") ?? "";
        if (v6 is "")
        {
            config["ipv6.address"] = "none";
        }
        else if (v6 == "auto")
        {
            var bytes = RandomNumberGenerator.GetBytes(7);
            config["ipv6.address"] = string.Create(CultureInfo.InvariantCulture, $"fd{bytes[0]:x2}:{bytes[1]:x2}{bytes[2]:x2}:{bytes[3]:x2}{bytes[4]:x2}:{bytes[5]:x2}{bytes[6]:x2}::1/64");
            config.TryAdd("ipv6.nat", "true");
        }
    }

    /// <summary>A free 10.x.y.0/24 with .1 for the bridge: random candidates, none overlapping a host route or address.</summary>
    public static IPv4Net PickSubnet(IReadOnlyList<HostSubnet> inUse)
    {
        ArgumentNullException.ThrowIfNull(inUse);
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var candidate = new IPv4Net((10u << 24) | ((uint)RandomNumberGenerator.GetInt32(1, 255) << 16) | ((uint)RandomNumberGenerator.GetInt32(0, 255) << 8), 24);
            if (!inUse.Any(s => s.Net.Overlaps(candidate)))
            {
                return candidate with { Address = candidate.First + 1 };
            }
        }

        throw new ApiException(500, "Failed to find a free IPv4 subnet for the network (every candidate overlaps a host route)");
    }

    /// <summary>The bridge's IPv4 address and prefix, or null for none.</summary>
    public static IPv4Net? Address(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return IPv4Net.TryParse(config.GetValueOrDefault("ipv4.address") ?? "", out var net) && net.Prefix < 32 ? net : null;
    }

    public static string? IPv6Address(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var v6 = config.GetValueOrDefault("ipv6.address") ?? "";
        return v6.Contains(':', StringComparison.Ordinal) ? v6 : null;
    }

    public static bool IsTrue(IReadOnlyDictionary<string, string> config, string key, bool defaultValue)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.TryGetValue(key, out var value) && value.Length > 0 ? ValueChecks.IsTrue(value) : defaultValue;
    }

    public static string Domain(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.GetValueOrDefault("dns.domain") is { Length: > 0 } d ? d : "lxd";
    }
}
