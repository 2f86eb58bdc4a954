using System.Text;
using Berth.Api;
using Berth.Server.Storage;

namespace Berth.Server.Networks;

internal sealed partial class BridgeNetwork
{
    /// <summary>One nftables table per network (<c>inet berth-&lt;name&gt;</c>), so removing it removes every rule.</summary>
    public string FirewallTable => "berth-" + name;

    /// <summary>Replaces the table atomically: masquerade for NAT, and forwarding accepted to and from the bridge.</summary>
    private async Task ApplyFirewallAsync(CancellationToken cancellationToken)
    {
        var v4 = BridgeConfig.Address(config);
        var v6 = BridgeConfig.IPv6Address(config);
        var script = new StringBuilder();
        script.Append("table inet ").Append(FirewallTable).Append(" {}\n");
        script.Append("delete table inet ").Append(FirewallTable).Append('\n');
        script.Append("table inet ").Append(FirewallTable).Append(" {\n");
        script.Append("  chain berth_fwd {\n    type filter hook forward priority 0; policy accept;\n");
        script.Append("    iifname \"").Append(name).Append("\" accept\n    oifname \"").Append(name).Append("\" accept\n  }\n");
        script.Append("  chain berth_nat {\n    type nat hook postrouting priority 100; policy accept;\n");
        if (v4 is { } net && BridgeConfig.IsTrue(config, "ipv4.nat", false))
        {
            script.Append("    ip saddr ").Append(net.Subnet).Append(" ip daddr != ").Append(net.Subnet).Append(" masquerade\n");
        }

        if (v6 is not null && BridgeConfig.IsTrue(config, "ipv6.nat", false))
        {
            var subnet = IPv6Subnet(v6);
            script.Append("    ip6 saddr ").Append(subnet).Append(" ip6 daddr != ").Append(subnet).Append(" masquerade\n");
        }

        script.Append("  }\n}\n");
        var path = Path.Combine(dir, "nftables.conf");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(path, script.ToString(), cancellationToken).ConfigureAwait(false);
        var (code, _, stderr) = await StorageTools.TryRunAsync("nft", ["-f", path], cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new ApiException(500, $"Failed to set up the network's firewall (nft): {stderr.Trim()}");
        }
    }

    /// <summary><c>fd42::1/64</c> → <c>fd42::/64</c>.</summary>
    private static string IPv6Subnet(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var prefix = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var bytes = System.Net.IPAddress.Parse(cidr[..slash]).GetAddressBytes();
        for (var bit = prefix; bit < 128; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return $"{new System.Net.IPAddress(bytes)}/{prefix}";
    }

    private async Task DeleteFirewallAsync(CancellationToken cancellationToken)
    {
        var (code, _, _) = await StorageTools.TryRunAsync("nft", ["list", "table", "inet", FirewallTable], cancellationToken).ConfigureAwait(false);
        if (code == 0)
        {
            await StorageTools.TryRunAsync("nft", ["delete", "table", "inet", FirewallTable], cancellationToken).ConfigureAwait(false);
        }
    }
}
