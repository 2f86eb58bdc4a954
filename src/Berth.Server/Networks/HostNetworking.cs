using System.Text.Json;
using Berth.Server.Storage;

namespace Berth.Server.Networks;

/// <summary>An IPv4 subnet the host already uses: a route or an interface address, with its device.</summary>
public sealed record HostSubnet(string Device, IPv4Net Net, string What);

/// <summary>
/// What the host's own tables say: its IPv4 routes and addresses (from <c>ip -j</c>) and its interfaces. Free subnets
/// are chosen from these alone; nothing is ever sent on the network to find out.
/// </summary>
internal static class HostNetworking
{
    public static async Task<IReadOnlyList<HostSubnet>> IPv4InUseAsync(CancellationToken cancellationToken)
    {
        var result = new List<HostSubnet>();
        using (var routes = JsonDocument.Parse(await StorageTools.RunAsync("ip", ["-j", "-4", "route", "show", "table", "all"], cancellationToken).ConfigureAwait(false)))
        {
            foreach (var route in routes.RootElement.EnumerateArray())
            {
                var dst = Text(route, "dst");
                var type = Text(route, "type");
                if (dst is "" or "default" || type is "local" or "broadcast" or "multicast" || Text(route, "table") is "local")
                {
                    continue;
                }

                if (IPv4Net.TryParse(dst, out var net))
                {
                    result.Add(new HostSubnet(Text(route, "dev"), net.Subnet, "route"));
                }
            }
        }

        using (var addrs = JsonDocument.Parse(await StorageTools.RunAsync("ip", ["-j", "-4", "addr"], cancellationToken).ConfigureAwait(false)))
        {
            foreach (var link in addrs.RootElement.EnumerateArray())
            {
                if (!link.TryGetProperty("addr_info", out var infos))
                {
                    continue;
                }

                foreach (var info in infos.EnumerateArray())
                {
                    if (IPv4Net.TryParse(Text(info, "local") + "/" + (info.TryGetProperty("prefixlen", out var p) ? p.GetInt32() : 32), out var net))
                    {
                        result.Add(new HostSubnet(Text(link, "ifname"), net.Subnet, "address"));
                    }
                }
            }
        }

        return result;
    }

    /// <summary>The host's interfaces with LXD's type names: loopback, bridge, bond, physical, vlan or unknown.</summary>
    public static IReadOnlyList<(string Name, string Type)> Interfaces()
    {
        const string Root = "/sys/class/net";
        if (!Directory.Exists(Root))
        {
            return [];
        }

        return [.. Directory.GetFileSystemEntries(Root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).Select(name =>
        {
            var dir = Path.Combine(Root, name);
            var type = ReadTrim(Path.Combine(dir, "type")) == "772" ? "loopback"
                : Directory.Exists(Path.Combine(dir, "bridge")) ? "bridge"
                : Directory.Exists(Path.Combine(dir, "bonding")) ? "bond"
                : Path.Exists(Path.Combine(dir, "device")) ? "physical"
                : File.Exists($"/proc/net/vlan/{name}") ? "vlan"
                : "unknown";
            return (name, type);
        })];
    }

    public static bool InterfaceExists(string name) => name.Length > 0 && !name.Contains('/', StringComparison.Ordinal) && Path.Exists(Path.Combine("/sys/class/net", name));

    public static string ReadTrim(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
}
