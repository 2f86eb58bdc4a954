using System.Globalization;
using Berth.Api;
using Berth.Native;

namespace Berth.Server.Instances;

/// <summary>
/// Addresses, MACs and MTUs of a running container's interfaces, read from its network namespace over rtnetlink,
/// and each NIC's host-side veth name from its volatile key.
/// </summary>
internal static class NicState
{
    public static void Fill(long pid, Dictionary<string, InstanceStateNetwork>? network, Instance instance)
    {
        if (network is null || pid <= 0)
        {
            return;
        }

        foreach (var link in NetnsLinks.Read((int)pid) ?? [])
        {
            if (!network.TryGetValue(link.Name, out var entry))
            {
                continue;
            }

            entry.Addresses = [.. link.Addresses.Select(a => new InstanceStateNetworkAddress { Family = a.Family, Address = a.Address, Netmask = a.PrefixLength.ToString(CultureInfo.InvariantCulture), Scope = a.Scope })];
            entry.Hwaddr = link.Name == "lo" ? "" : link.Hwaddr;
            entry.Mtu = link.Mtu;
            entry.State = link.Up ? "up" : "down";
        }

        foreach (var (device, nic) in instance.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "nic"))
        {
            var inside = nic.GetValueOrDefault("name") is { Length: > 0 } n2 ? n2 : device;
            if (network.TryGetValue(inside, out var entry) && instance.Config.TryGetValue($"volatile.{device}.host_name", out var host))
            {
                entry.HostName = host;
            }
        }
    }
}
