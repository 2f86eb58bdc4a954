using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Berth.Api;
using Berth.Server.Storage;
using Berth.Server.Util;

namespace Berth.Server.Networks;

/// <summary>
/// A managed bridge on the host: the link and its addresses (<c>ip</c>), NAT (an nftables table of its own) and one
/// dnsmasq (DHCP and DNS) with its files under <c>networks/&lt;name&gt;/</c>. Every step is idempotent, so the same
/// <see cref="ApplyAsync"/> creates, reconfigures, and restores after a reboot or a berthd restart.
/// </summary>
internal sealed partial class BridgeNetwork(string name, IReadOnlyDictionary<string, string> config, string dir)
{
    public string Name => name;

    public string Dir => dir;

    public string HostsDir => Path.Combine(dir, "dnsmasq.hosts");

    public string LeasesFile => Path.Combine(dir, "dnsmasq.leases");

    public string PidFile => Path.Combine(dir, "dnsmasq.pid");

    /// <summary>Brings the host in line with the config; on failure what this call made is removed again.</summary>
    public async Task ApplyAsync(bool restartDnsmasq, CancellationToken cancellationToken)
    {
        using var revert = new Reverter();
        if (!HostNetworking.InterfaceExists(name))
        {
            var (code, _, stderr) = await StorageTools.TryRunAsync("ip", ["link", "add", "dev", name, "type", "bridge"], cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                // Another process made an interface of that name meanwhile: a conflict, and not ours to clean up.
                throw HostNetworking.InterfaceExists(name)
                    ? new ApiException(409, $"The network already exists (a host interface is called \"{name}\")")
                    : new ApiException(500, $"Failed to create bridge \"{name}\": {stderr.Trim()}");
            }

            revert.Add(() => StorageTools.TryRunAsync("ip", ["link", "del", "dev", name], CancellationToken.None).GetAwaiter().GetResult());
        }

        await Ip(cancellationToken, "link", "set", "dev", name, "address", Hwaddr()).ConfigureAwait(false);
        if (config.GetValueOrDefault("bridge.mtu") is { Length: > 0 } mtu)
        {
            await Ip(cancellationToken, "link", "set", "dev", name, "mtu", mtu).ConfigureAwait(false);
        }

        await SetAddressesAsync(cancellationToken).ConfigureAwait(false);
        await Ip(cancellationToken, "link", "set", "dev", name, "up").ConfigureAwait(false);
        await ApplyFirewallAsync(cancellationToken).ConfigureAwait(false);
        revert.Add(() => DeleteFirewallAsync(CancellationToken.None).GetAwaiter().GetResult());
        await EnsureDnsmasqAsync(restartDnsmasq, cancellationToken).ConfigureAwait(false);
        revert.Success();
    }

    /// <summary>Stops dnsmasq, removes the nft table and the bridge, and the network's files.</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        await StopDnsmasqAsync().ConfigureAwait(false);
        await DeleteFirewallAsync(cancellationToken).ConfigureAwait(false);
        if (HostNetworking.InterfaceExists(name))
        {
            await Ip(cancellationToken, "link", "del", "dev", name).ConfigureAwait(false);
        }

        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The bridge's MAC: bridge.hwaddr, else a stable 00:16:3e address from the name (the kernel's would change as ports join).</summary>
    private string Hwaddr()
    {
        if (config.GetValueOrDefault("bridge.hwaddr") is { Length: > 0 } hwaddr)
        {
            return hwaddr;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("berth-bridge/" + name));
        return string.Create(CultureInfo.InvariantCulture, $"00:16:3e:{hash[0]:x2}:{hash[1]:x2}:{hash[2]:x2}");
    }

    private async Task SetAddressesAsync(CancellationToken cancellationToken)
    {
        await Ip(cancellationToken, "-4", "addr", "flush", "dev", name).ConfigureAwait(false);
        if (BridgeConfig.Address(config) is { } v4)
        {
            await Ip(cancellationToken, "-4", "addr", "add", v4.ToString(), "dev", name).ConfigureAwait(false);
        }

        await Ip(cancellationToken, "-6", "addr", "flush", "dev", name, "scope", "global").ConfigureAwait(false);
        if (BridgeConfig.IPv6Address(config) is { } v6)
        {
            await Ip(cancellationToken, "-6", "addr", "add", v6, "dev", name, "nodad").ConfigureAwait(false);
        }

        var forwarding = BridgeConfig.IsTrue(config, "ipv4.routing", true) && BridgeConfig.Address(config) is not null;
        if (forwarding)
        {
            // Routing (and so NAT) needs forwarding on, as LXD switches it on for its bridges.
            await File.WriteAllTextAsync("/proc/sys/net/ipv4/ip_forward", "1", cancellationToken).ConfigureAwait(false);
        }

        if (BridgeConfig.IPv6Address(config) is not null && BridgeConfig.IsTrue(config, "ipv6.routing", true))
        {
            await File.WriteAllTextAsync("/proc/sys/net/ipv6/conf/all/forwarding", "1", cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task Ip(CancellationToken cancellationToken, params string[] args)
    {
        var (code, _, stderr) = await StorageTools.TryRunAsync("ip", args, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new ApiException(500, $"Failed to run \"ip {string.Join(' ', args)}\": {stderr.Trim()}");
        }
    }
}
