using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Berth.Server.Config;

internal static partial class ValueChecks
{
    /// <summary>Dotted-quad IPv4 only (<see cref="IPAddress.TryParse(string, out IPAddress)"/> also takes "1" or "0x7f.1").</summary>
    public static bool IsIPv4(string value)
    {
        var parts = value.Split('.');
        return parts.Length == 4
            && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    public static bool IsIPv6(string value) =>
        value.Contains(':') && IPAddress.TryParse(value, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6;

    public static bool IsHostName(string value)
    {
        if (!HostNameRegex().IsMatch(value))
        {
            return false;
        }

        // All-numeric labels would make "1.2.3.999" a "host name"; such names must be real IPv4 addresses.
        return !value.TrimEnd('.').Split('.').All(l => l.All(char.IsAsciiDigit)) || IsIPv4(value);
    }

    private static bool IsPort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535;

    public static readonly ValueCheck IPv4 = v => IsIPv4(v) ? null : "expected an IPv4 address";
    public static readonly ValueCheck IPv6 = v => IsIPv6(v) ? null : "expected an IPv6 address";

    public static readonly ValueCheck IPv4List = ListOf(IPv4, "expected a comma-separated list of IPv4 addresses");
    public static readonly ValueCheck IPv6List = ListOf(IPv6, "expected a comma-separated list of IPv6 addresses");
    public static readonly ValueCheck IPList = ListOf(v => IsIPv4(v) || IsIPv6(v) ? null : "", "expected a comma-separated list of IP addresses");

    public static readonly ValueCheck IPv4CidrList = ListOf(v => IsCidr(v, IsIPv4, 32) ? null : "", "expected a comma-separated list of IPv4 subnets like 10.0.0.0/24");
    public static readonly ValueCheck IPv6CidrList = ListOf(v => IsCidr(v, IsIPv6, 128) ? null : "", "expected a comma-separated list of IPv6 subnets like fd00::/64");

    private static bool IsCidr(string value, Func<string, bool> isAddress, int maxPrefix)
    {
        var parts = value.Split('/');
        return parts.Length == 2
            && isAddress(parts[0])
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            && prefix <= maxPrefix;
    }

    /// <summary>
    /// A listen address as LXD's <c>IsListenAddress(allowDNS, allowWildcard, requirePort=false)</c>:
    /// <c>host</c>, <c>host:port</c>, <c>[v6]</c>, <c>[v6]:port</c>, bare <c>v6</c> or <c>:port</c>.
    /// </summary>
    public static readonly ValueCheck ListenAddress = v =>
    {
        const string Expected = "expected an address like 10.0.0.1:8443, [::1]:8443, :8443 or a host name";
        string host;
        string? port = null;
        if (v.StartsWith('['))
        {
            var close = v.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return Expected;
            }

            host = v[1..close];
            var rest = v[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return Expected;
                }

                port = rest[1..];
            }

            return IsIPv6(host) && (port is null || IsPort(port)) ? null : Expected;
        }

        var colons = v.Count(c => c == ':');
        if (colons > 1)
        {
            return IsIPv6(v) ? null : Expected;
        }

        if (colons == 1)
        {
            var at = v.IndexOf(':', StringComparison.Ordinal);
            host = v[..at];
            port = v[(at + 1)..];
            if (!IsPort(port))
            {
                return Expected;
            }

            return host.Length == 0 || IsIPv4(host) || IsHostName(host) ? null : Expected;
        }

        return IsIPv4(v) || IsHostName(v) ? null : Expected;
    };

    /// <summary>A MAC address: six hex octets separated by colons or hyphens.</summary>
    public static readonly ValueCheck Mac = v => MacRegex().IsMatch(v) ? null : "expected a MAC address like 00:16:3e:12:34:56";

    /// <summary>Infiniband GUID-style hardware addresses: 8 or 20 octets (or a plain MAC).</summary>
    public static readonly ValueCheck InfinibandMac = v =>
        MacRegex().IsMatch(v) || LongHwAddrRegex().IsMatch(v) ? null : "expected a hardware address of 6, 8 or 20 octets";

    /// <summary>A Linux interface name: 1 to 15 characters, no '/', ':' or white space, not "." or "..".</summary>
    public static readonly ValueCheck InterfaceName = v =>
        v.Length is >= 1 and <= 15 && v is not "." and not ".." && !v.Any(c => c is '/' or ':' || char.IsWhiteSpace(c))
            ? null
            : "expected an interface name of at most 15 characters without '/', ':' or spaces";

    public static readonly ValueCheck Mtu = Int(1280, 16384);

    public static readonly ValueCheck VlanId = Int(0, 4094);

    /// <summary><c>vlan.tagged</c>: VLAN ids or ranges such as <c>10,20-30</c>.</summary>
    public static readonly ValueCheck VlanList = v =>
        v.Split(',').All(p => IsVlanRange(p.Trim())) ? null : "expected VLAN ids or ranges like 10,20-30";

    private static bool IsVlanRange(string value)
    {
        var bounds = value.Split('-');
        return bounds.Length <= 2
            && bounds.All(b => VlanId(b) is null && b.Length > 0 && b.All(char.IsAsciiDigit))
            && (bounds.Length == 1 || int.Parse(bounds[0], CultureInfo.InvariantCulture) <= int.Parse(bounds[1], CultureInfo.InvariantCulture));
    }

    /// <summary>A PCI address such as <c>0000:00:02.0</c> (domain optional).</summary>
    public static readonly ValueCheck PciAddress = v => PciAddressRegex().IsMatch(v) ? null : "expected a PCI address like 0000:00:02.0";

    /// <summary>
    /// Parses a proxy device endpoint <c>tcp:addr:port[-port][,port...]</c>, <c>udp:...</c> or <c>unix:path</c>.
    /// Returns null when valid, with the protocol and the number of ports it names (0 for unix).
    /// </summary>
    public static string? ParseProxyAddress(string value, out string protocol, out int ports)
    {
        const string Expected = "expected <tcp|udp>:<address>:<port>[-<port>][,<port>] or unix:<path>";
        ports = 0;
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        protocol = colon < 0 ? "" : value[..colon];
        var rest = colon < 0 ? "" : value[(colon + 1)..];
        if (protocol == "unix")
        {
            return rest.Length > 0 ? null : Expected;
        }

        if (protocol is not ("tcp" or "udp"))
        {
            return Expected;
        }

        var split = rest.LastIndexOf(':');
        if (split < 0)
        {
            return Expected;
        }

        var address = rest[..split];
        var portList = rest[(split + 1)..];
        var addressOk = address.StartsWith('[') && address.EndsWith(']')
            ? IsIPv6(address[1..^1])
            : IsIPv4(address) || IsHostName(address);
        if (!addressOk)
        {
            return Expected;
        }

        foreach (var item in portList.Split(','))
        {
            var bounds = item.Split('-');
            if (bounds.Length > 2 || !bounds.All(IsPort))
            {
                return Expected;
            }

            var low = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            var high = bounds.Length == 2 ? int.Parse(bounds[1], CultureInfo.InvariantCulture) : low;
            if (high < low)
            {
                return Expected;
            }

            ports += high - low + 1;
        }

        return null;
    }

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex HostNameRegex();

    [GeneratedRegex("^[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:\\1[0-9A-Fa-f]{2}){4}$", RegexOptions.CultureInvariant)]
    private static partial Regex MacRegex();

    [GeneratedRegex("^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){7}(?:(?::[0-9A-Fa-f]{2}){12})?$", RegexOptions.CultureInvariant)]
    private static partial Regex LongHwAddrRegex();

    [GeneratedRegex(@"^(?:[0-9A-Fa-f]{4}:)?[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7]$", RegexOptions.CultureInvariant)]
    private static partial Regex PciAddressRegex();
}
