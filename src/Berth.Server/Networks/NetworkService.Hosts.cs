using Berth.Api;

namespace Berth.Server.Networks;

public sealed partial class NetworkService
{
    /// <summary>
    /// An instance NIC's line in the network's dnsmasq hosts dir (<c>mac[,ip],name</c>): its name for DNS, and its
    /// static lease when the NIC has <c>ipv4.address</c>. dnsmasq re-reads the dir on SIGHUP.
    /// </summary>
    public void SetStaticHost(Network network, string instance, string device, string hwaddr, string? ipv4)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (ipv4 is { Length: > 0 } && BridgeConfig.Address(network.Config) is { } subnet && (!IPv4Net.TryParseAddress(ipv4, out var ip) || !subnet.Contains(ip) || ip == subnet.Address))
        {
            throw new ApiException(400, $"Device \"{device}\": ipv4.address {ipv4} is not a free address of network \"{network.Name}\" ({subnet.Subnet})");
        }

        var bridge = Bridge(network);
        Directory.CreateDirectory(bridge.HostsDir);
        var line = ipv4 is { Length: > 0 } ? $"{hwaddr},{ipv4},{instance}\n" : $"{hwaddr},{instance}\n";
        var path = Path.Combine(bridge.HostsDir, instance + "." + device);
        if (!File.Exists(path) || File.ReadAllText(path) != line)
        {
            File.WriteAllText(path, line);
            bridge.ReloadDnsmasq();
        }
    }

    /// <summary>Removes one nic's host entry (the nic was removed from a running instance).</summary>
    public void RemoveStaticHost(string network, string instance, string device)
    {
        if (Managed(network) is not { } managed)
        {
            return;
        }

        var bridge = Bridge(managed);
        var path = Path.Combine(bridge.HostsDir, instance + "." + device);
        if (File.Exists(path))
        {
            File.Delete(path);
            bridge.ReloadDnsmasq();
        }
    }

    /// <summary>Removes an instance's host entries from every managed network (instance deleted or renamed).</summary>
    public void RemoveStaticHosts(string instance)
    {
        foreach (var network in List().Where(n => n.Managed))
        {
            var bridge = Bridge(network);
            if (!Directory.Exists(bridge.HostsDir))
            {
                continue;
            }

            var files = Directory.GetFiles(bridge.HostsDir, instance + ".*");
            foreach (var file in files)
            {
                File.Delete(file);
            }

            if (files.Length > 0)
            {
                bridge.ReloadDnsmasq();
            }
        }
    }
}
