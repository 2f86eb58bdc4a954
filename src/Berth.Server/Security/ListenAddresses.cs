using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Berth.Server.Security;

/// <summary>
/// <c>core.https_address</c> as LXD reads it: <c>host:port</c>, <c>[v6]:port</c>, <c>host</c> (port 8443) or
/// <c>:port</c> (all addresses).
/// </summary>
public static class ListenAddresses
{
    public const int DefaultPort = 8443;

    public static (string Host, int Port) Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = address.Trim();
        if (address.StartsWith('['))
        {
            var close = address.IndexOf(']', StringComparison.Ordinal);
            var host = address[1..close];
            var rest = address[(close + 1)..];
            return (host, rest.StartsWith(':') ? int.Parse(rest[1..], CultureInfo.InvariantCulture) : DefaultPort);
        }

        var colon = address.LastIndexOf(':');
        if (colon < 0 || address.IndexOf(':', StringComparison.Ordinal) != colon)
        {
            return (address, DefaultPort); // a bare host, or a bare IPv6 address
        }

        return (address[..colon], int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    public static bool IsWildcard(string host) => host is "" or "0.0.0.0" or "::" or "*";

    /// <summary>Kestrel's URL for the address.</summary>
    public static string KestrelUrl(string address)
    {
        var (host, port) = Parse(address);
        var urlHost = IsWildcard(host) ? "*" : host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return $"https://{urlHost}:{port}";
    }

    /// <summary>
    /// Where clients can reach the server (<c>environment.addresses</c>, trust tokens): the address itself, or for a
    /// wildcard every global address of the host, as LXD's <c>util.ListenAddresses</c>.
    /// </summary>
    public static List<string> Reachable(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return [];
        }

        var (host, port) = Parse(address);
        if (!IsWildcard(host))
        {
            return [Format(host, port)];
        }

        var v4Only = host == "0.0.0.0";
        var result = new List<string>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback || nic.OperationalStatus == OperationalStatus.Down)
            {
                continue;
            }

            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var ip = unicast.Address;
                if (IPAddress.IsLoopback(ip) || ip.IsIPv6LinkLocal || (v4Only && ip.AddressFamily != AddressFamily.InterNetwork))
                {
                    continue;
                }

                result.Add(Format(ip.ToString(), port));
            }
        }

        return result;
    }

    private static string Format(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
}
