using System.Globalization;
using System.Security.Cryptography;
using Berth.Api;

namespace Berth.Server.Instances;

public sealed partial class InstanceService
{
    /// <summary>
    /// Before a start: each nic gets its MAC (<c>volatile.&lt;dev&gt;.hwaddr</c>, made once and kept, 00:16:3e as LXD) and
    /// host-side veth name (<c>volatile.&lt;dev&gt;.host_name</c>), and its static DHCP host entry on a managed network.
    /// </summary>
    private async Task PrepareNicsAsync(string project, string name, CancellationToken cancellationToken)
    {
        var instance = Get(project, name);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (device, nic) in NicDevices(instance))
        {
            var (network, _, _) = ResolveNic(device, nic);
            if (!nic.ContainsKey("hwaddr") && !instance.Config.ContainsKey($"volatile.{device}.hwaddr"))
            {
                keys[$"volatile.{device}.hwaddr"] = RandomMac();
            }

            keys[$"volatile.{device}.host_name"] = nic.GetValueOrDefault("host_name") is { Length: > 0 } host ? host : "veth" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            if (network is not null)
            {
                var hwaddr = nic.GetValueOrDefault("hwaddr") ?? instance.Config.GetValueOrDefault($"volatile.{device}.hwaddr") ?? keys[$"volatile.{device}.hwaddr"];
                _networks.SetStaticHost(network, name, device, hwaddr, nic.GetValueOrDefault("ipv4.address"));
            }
        }

        if (keys.Count > 0)
        {
            await RecordAsync(project, name, i =>
            {
                var config = new Dictionary<string, string>(i.Config, StringComparer.Ordinal);
                foreach (var (key, value) in keys)
                {
                    config[key] = value;
                }

                return i with { Config = config };
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The veth NICs for the lxc config, from the expanded devices and the volatile keys.</summary>
    private List<LxcNic> LxcNics(Instance instance) =>
        [.. NicDevices(instance).Select(d =>
        {
            var (_, link, mtu) = ResolveNic(d.Device, d.Nic);
            var hwaddr = d.Nic.GetValueOrDefault("hwaddr") ?? instance.Config.GetValueOrDefault($"volatile.{d.Device}.hwaddr") ?? RandomMac();
            var host = instance.Config.GetValueOrDefault($"volatile.{d.Device}.host_name") ?? "veth" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            return new LxcNic(d.Nic.GetValueOrDefault("name") is { Length: > 0 } n ? n : d.Device, link, hwaddr, host, mtu);
        })];

    private static IEnumerable<(string Device, Dictionary<string, string> Nic)> NicDevices(Instance instance) =>
        instance.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "nic").OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d.Key, d.Value));

    /// <summary>The bridge a nic joins: a managed network's, or the host bridge named by <c>parent</c>.</summary>
    private (Network? Network, string Link, string? Mtu) ResolveNic(string device, Dictionary<string, string> nic)
    {
        if (nic.GetValueOrDefault("network") is { Length: > 0 } networkName)
        {
            var network = _networks.Managed(networkName) ?? throw new ApiException(400, $"Failed to start device \"{device}\": Network \"{networkName}\" not found");
            return (network, network.Name, nic.GetValueOrDefault("mtu") ?? network.Config.GetValueOrDefault("bridge.mtu"));
        }

        var nictype = nic.GetValueOrDefault("nictype") ?? "";
        if (nictype != "bridged")
        {
            throw new ApiException(400, $"Failed to start device \"{device}\": NIC type \"{nictype}\" is not supported by this berthd yet (bridged only)");
        }

        var parent = nic.GetValueOrDefault("parent") ?? "";
        if (!Directory.Exists(Path.Combine("/sys/class/net", parent, "bridge")))
        {
            throw new ApiException(400, $"Failed to start device \"{device}\": Parent bridge \"{parent}\" doesn't exist");
        }

        var managed = _networks.Managed(parent);
        return (managed, parent, nic.GetValueOrDefault("mtu") ?? managed?.Config.GetValueOrDefault("bridge.mtu"));
    }

    private static string RandomMac()
    {
        var b = RandomNumberGenerator.GetBytes(3);
        return string.Create(CultureInfo.InvariantCulture, $"00:16:3e:{b[0]:x2}:{b[1]:x2}:{b[2]:x2}");
    }
}
