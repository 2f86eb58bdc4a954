using System.Globalization;
using System.Security.Cryptography;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;

namespace Berth.Server.Instances;

public sealed partial class InstanceService
{
    /// <summary>
    /// Before a start: each veth nic gets its host-side name (<c>volatile.&lt;dev&gt;.host_name</c>), and its static
    /// DHCP host entry on a managed network; MACs are normally there already (<see cref="WithNicMacs"/>).
    /// </summary>
    private async Task PrepareNicsAsync(string project, string name, CancellationToken cancellationToken)
    {
        var instance = Get(project, name);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (device, nic) in NicDevices(instance))
        {
            var plan = ResolveNic(device, nic);
            if (HasMac(nic) && !nic.ContainsKey("hwaddr") && !instance.Config.ContainsKey($"volatile.{device}.hwaddr"))
            {
                keys[$"volatile.{device}.hwaddr"] = RandomMac();
            }

            if (plan.IsVeth)
            {
                keys[$"volatile.{device}.host_name"] = NewHostName(nic);
            }

            if (plan.Network is { } network)
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

    /// <summary>
    /// LXD writes each nic's MAC (and, for a nic without <c>name</c>, the next free ethN as <c>volatile.&lt;dev&gt;.name</c>)
    /// when the instance is made or the nic added, so <c>lxc config show</c> has them before the first start; a copy
    /// gets new ones (its volatile keys are dropped first). Volatile keys of nics that are gone are dropped.
    /// </summary>
    private static Instance WithNicMacs(IStateReader reader, Instance record)
    {
        var profiles = record.Profiles.Select(p => reader.GetJson($"projects/{record.Project}/profiles/{p}", ApiJsonContext.Wire.ProfilePut) ?? new ProfilePut());
        var (_, devices) = ConfigExpander.Expand(profiles, record.Config, record.Devices);
        var nics = devices.Where(d => d.Value.GetValueOrDefault("type") == "nic").OrderBy(d => d.Key, StringComparer.Ordinal).ToList();
        var config = new Dictionary<string, string>(record.Config, StringComparer.Ordinal);
        foreach (var key in config.Keys.Where(k => IsNicVolatile(k) is { } dev && !nics.Any(n => n.Key == dev)).ToList())
        {
            config.Remove(key);
        }

        var names = nics.Select(n => n.Value.GetValueOrDefault("name") ?? config.GetValueOrDefault($"volatile.{n.Key}.name")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var (device, nic) in nics)
        {
            if (HasMac(nic) && !nic.ContainsKey("hwaddr") && !config.ContainsKey($"volatile.{device}.hwaddr"))
            {
                config[$"volatile.{device}.hwaddr"] = RandomMac();
            }

            if (nic.GetValueOrDefault("name") is not { Length: > 0 } && !config.ContainsKey($"volatile.{device}.name"))
            {
                var next = Enumerable.Range(0, 1000).Select(i => "eth" + i.ToString(CultureInfo.InvariantCulture)).First(n => !names.Contains(n));
                names.Add(next);
                config[$"volatile.{device}.name"] = next;
            }
        }

        return config.Count == record.Config.Count && config.All(kv => record.Config.GetValueOrDefault(kv.Key) == kv.Value) ? record : record with { Config = config };
    }

    /// <summary>The device a <c>volatile.&lt;dev&gt;.(hwaddr|host_name|name)</c> key belongs to, else null.</summary>
    private static string? IsNicVolatile(string key)
    {
        foreach (var suffix in new[] { ".hwaddr", ".host_name", ".name" })
        {
            if (key.StartsWith("volatile.", StringComparison.Ordinal) && key.EndsWith(suffix, StringComparison.Ordinal) && key.Length > 9 + suffix.Length
                && !key.StartsWith("volatile.last_state.", StringComparison.Ordinal))
            {
                return key[9..^suffix.Length];
            }
        }

        return null;
    }

    /// <summary>LXD leaves the MAC of physical, sriov and ipvlan nics to the host.</summary>
    private static bool HasMac(Dictionary<string, string> nic) => nic.GetValueOrDefault("nictype") is not ("physical" or "sriov" or "ipvlan");

    private static string NewHostName(Dictionary<string, string> nic) =>
        nic.GetValueOrDefault("host_name") is { Length: > 0 } host ? host : "veth" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>The NICs for the lxc config, from the expanded devices and the volatile keys.</summary>
    private List<LxcNic> LxcNics(Instance instance) =>
        [.. NicDevices(instance).Select(d =>
        {
            var plan = ResolveNic(d.Device, d.Nic);
            var hwaddr = d.Nic.GetValueOrDefault("hwaddr") ?? instance.Config.GetValueOrDefault($"volatile.{d.Device}.hwaddr") ?? (HasMac(d.Nic) ? RandomMac() : "");
            var host = plan.IsVeth ? instance.Config.GetValueOrDefault($"volatile.{d.Device}.host_name") ?? NewHostName(d.Nic) : "";
            return new LxcNic(InsideName(instance, d.Device, d.Nic), plan.Link, hwaddr, host, plan.Mtu) { Type = plan.LxcType };
        })];

    /// <summary>The interface's name in the container: <c>name</c>, else the ethN chosen for it, else the device name.</summary>
    private static string InsideName(Instance instance, string device, Dictionary<string, string> nic) =>
        nic.GetValueOrDefault("name") is { Length: > 0 } n ? n : instance.Config.GetValueOrDefault($"volatile.{device}.name") ?? device;

    private static IEnumerable<(string Device, Dictionary<string, string> Nic)> NicDevices(Instance instance) =>
        instance.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "nic").OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d.Key, d.Value));

    /// <summary>How a nic is made: a veth joining a bridge (<c>network</c> or bridged <c>parent</c>), a p2p veth, a macvlan or a moved physical interface.</summary>
    private NicPlan ResolveNic(string device, Dictionary<string, string> nic)
    {
        if (nic.GetValueOrDefault("network") is { Length: > 0 } networkName)
        {
            var network = _networks.Managed(networkName) ?? throw new ApiException(400, $"Failed to start device \"{device}\": Network \"{networkName}\" not found");
            return new NicPlan("bridged", network, network.Name, nic.GetValueOrDefault("mtu") ?? network.Config.GetValueOrDefault("bridge.mtu"));
        }

        var nictype = nic.GetValueOrDefault("nictype") ?? "";
        var parent = nic.GetValueOrDefault("parent") ?? "";
        var mtu = nic.GetValueOrDefault("mtu");
        switch (nictype)
        {
            case "bridged":
                if (!Directory.Exists(Path.Combine("/sys/class/net", parent, "bridge")))
                {
                    throw new ApiException(400, $"Failed to start device \"{device}\": Parent bridge \"{parent}\" doesn't exist");
                }

                var managed = _networks.Managed(parent);
                return new NicPlan("bridged", managed, parent, mtu ?? managed?.Config.GetValueOrDefault("bridge.mtu"));
            case "p2p":
                return new NicPlan("p2p", null, "", mtu);
            case "macvlan" or "physical":
                if (parent.Length == 0 || parent.Contains('/', StringComparison.Ordinal) || !Directory.Exists(Path.Combine("/sys/class/net", parent)))
                {
                    throw new ApiException(400, $"Failed to start device \"{device}\": Parent device \"{parent}\" doesn't exist");
                }

                return new NicPlan(nictype, null, parent, mtu);
            default:
                throw new ApiException(400, $"Failed to start device \"{device}\": NIC type \"{nictype}\" is not supported by this berthd yet (bridged, macvlan, p2p and physical)");
        }
    }

    private static string RandomMac()
    {
        var b = RandomNumberGenerator.GetBytes(3);
        return string.Create(CultureInfo.InvariantCulture, $"00:16:3e:{b[0]:x2}:{b[1]:x2}:{b[2]:x2}");
    }

    /// <summary>A resolved nic: its kind, the managed network (for DHCP hosts), the link (bridge or parent) and MTU.</summary>
    private sealed record NicPlan(string Kind, Network? Network, string Link, string? Mtu)
    {
        public bool IsVeth => Kind is "bridged" or "p2p";

        public string LxcType => Kind switch { "macvlan" => "macvlan", "physical" => "phys", _ => "veth" };
    }
}
