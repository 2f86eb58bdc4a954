using System.Globalization;
using System.Text.Json;
using Berth.Api;
using Berth.Server.Storage;

namespace Berth.Server.Networks;

public sealed partial class NetworkService
{
    /// <summary>Addresses, counters and bridge details of any host interface, from <c>ip -j addr</c> and sysfs.</summary>
    public async Task<NetworkState> StateAsync(string name, CancellationToken cancellationToken)
    {
        if (!HostNetworking.InterfaceExists(name))
        {
            throw new ApiException(404, "Network not found");
        }

        var sys = Path.Combine("/sys/class/net", name);
        var type = HostNetworking.Interfaces().FirstOrDefault(i => i.Name == name).Type;
        var state = new NetworkState
        {
            Hwaddr = HostNetworking.ReadTrim(Path.Combine(sys, "address")),
            Mtu = int.TryParse(HostNetworking.ReadTrim(Path.Combine(sys, "mtu")), out var mtu) ? mtu : 0,
            State = (Convert.ToInt32(HostNetworking.ReadTrim(Path.Combine(sys, "flags")) is { Length: > 2 } flags ? flags : "0x0", 16) & 1) == 1 ? "up" : "down",
            Type = type == "loopback" ? "loopback" : "broadcast",
            Counters = new NetworkStateCounters
            {
                BytesReceived = Counter(sys, "rx_bytes"),
                BytesSent = Counter(sys, "tx_bytes"),
                PacketsReceived = Counter(sys, "rx_packets"),
                PacketsSent = Counter(sys, "tx_packets"),
            },
        };
        var (code, stdout, _) = await StorageTools.TryRunAsync("ip", ["-j", "addr", "show", "dev", name], cancellationToken).ConfigureAwait(false);
        if (code == 0)
        {
            using var doc = JsonDocument.Parse(stdout);
            foreach (var link in doc.RootElement.EnumerateArray())
            {
                state.Addresses.AddRange(AddressesOf(link).Select(a => new NetworkStateAddress { Family = a.Family, Address = a.Address, Netmask = a.Netmask, Scope = a.Scope }));
            }
        }

        if (type == "bridge")
        {
            var bridge = Path.Combine(sys, "bridge");
            state.Bridge = new NetworkStateBridge
            {
                Id = HostNetworking.ReadTrim(Path.Combine(bridge, "bridge_id")),
                Stp = HostNetworking.ReadTrim(Path.Combine(bridge, "stp_state")) == "1",
                ForwardDelay = long.TryParse(HostNetworking.ReadTrim(Path.Combine(bridge, "forward_delay")), out var delay) ? delay : 0,
                VlanDefault = long.TryParse(HostNetworking.ReadTrim(Path.Combine(bridge, "default_pvid")), out var pvid) ? pvid : 0,
                VlanFiltering = HostNetworking.ReadTrim(Path.Combine(bridge, "vlan_filtering")) == "1",
                UpperDevices = Directory.Exists(Path.Combine(sys, "brif")) ? [.. Directory.GetFileSystemEntries(Path.Combine(sys, "brif")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)] : [],
            };
        }

        return state;
    }

    /// <summary>The gateway, then every lease dnsmasq handed out (static ones marked so), as LXD lists them.</summary>
    public IReadOnlyList<NetworkLease> Leases(string name)
    {
        var network = Managed(name) ?? throw NotManaged(name);
        var bridge = Bridge(network);
        var leases = new List<NetworkLease>();
        if (BridgeConfig.Address(network.Config) is { } v4)
        {
            leases.Add(new NetworkLease { Hostname = name + ".gw", Address = v4.AddressText, Type = "gateway" });
        }

        var statics = StaticHosts(bridge);
        if (File.Exists(bridge.LeasesFile))
        {
            foreach (var line in File.ReadLines(bridge.LeasesFile))
            {
                // <expiry> <mac> <ip> <hostname|*> <client-id|*>; IPv6 lines have no mac.
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 4 || f[0] == "duid")
                {
                    continue;
                }

                var mac = f[1].Contains(':', StringComparison.Ordinal) && f[1].Length == 17 ? f[1] : "";
                var known = statics.TryGetValue(mac, out var entry);
                var host = f[3] == "*" ? (known ? entry.Name : "") : f[3];
                leases.Add(new NetworkLease
                {
                    Hostname = host,
                    Hwaddr = mac,
                    Address = f[2],
                    Type = known && entry.Address.Length > 0 ? "static" : "dynamic",
                    Location = "none",
                });
            }
        }

        foreach (var (mac, host) in statics.Where(s => s.Value.Address.Length > 0 && !leases.Any(l => l.Hwaddr == s.Key)))
        {
            leases.Add(new NetworkLease { Hostname = host.Name, Hwaddr = mac, Address = host.Address, Type = "static", Location = "none" });
        }

        return leases;
    }

    /// <summary>Addresses of one <c>ip -j addr</c> link, in LXD's wire form.</summary>
    internal static IEnumerable<(string Family, string Address, string Netmask, string Scope)> AddressesOf(JsonElement link)
    {
        if (!link.TryGetProperty("addr_info", out var infos))
        {
            yield break;
        }

        foreach (var info in infos.EnumerateArray())
        {
            var family = info.TryGetProperty("family", out var f) ? f.GetString() : "";
            var scope = info.TryGetProperty("scope", out var s) ? s.GetString() ?? "" : "";
            yield return (
                family == "inet6" ? "inet6" : "inet",
                info.TryGetProperty("local", out var l) ? l.GetString() ?? "" : "",
                info.TryGetProperty("prefixlen", out var p) ? p.GetInt32().ToString(CultureInfo.InvariantCulture) : "",
                scope == "host" ? "local" : scope);
        }
    }

    private static Dictionary<string, (string Name, string Address)> StaticHosts(BridgeNetwork bridge)
    {
        var result = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
        if (!Directory.Exists(bridge.HostsDir))
        {
            return result;
        }

        foreach (var file in Directory.GetFiles(bridge.HostsDir))
        {
            foreach (var line in File.ReadLines(file))
            {
                var f = line.Trim().Split(',');
                if (f.Length >= 2)
                {
                    result[f[0]] = (f[^1], f.Length >= 3 ? f[1] : "");
                }
            }
        }

        return result;
    }

    private static long Counter(string sys, string name) =>
        long.TryParse(HostNetworking.ReadTrim(Path.Combine(sys, "statistics", name)), out var value) ? value : 0;
}
