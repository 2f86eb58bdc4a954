using Berth.Api;
using static Berth.Server.Config.ValueChecks;

namespace Berth.Server.Config;

public static partial class DeviceSchema
{
    private static readonly Dictionary<string, ConfigRule> Limits = Table(
        ("limits.egress", BitRate), ("limits.ingress", BitRate), ("limits.max", BitRate), ("limits.priority", Unsigned));

    private static readonly Dictionary<string, ConfigRule> Maas = Table(("maas.subnet.ipv4", Any), ("maas.subnet.ipv6", Any));

    private static readonly Dictionary<string, ConfigRule> NicCommon = Table(
        ("name", InterfaceName), ("hwaddr", Mac), ("mtu", Mtu), ("boot.priority", Unsigned));

    private static readonly Dictionary<string, ConfigRule> Bridged = Merge(
        [NicCommon, Limits, Maas],
        ("nictype", OneOf("bridged")), ("network", ObjectName), ("parent", InterfaceName), ("host_name", InterfaceName),
        ("ipv4.address", IPv4), ("ipv6.address", IPv6),
        ("ipv4.routes", IPv4CidrList), ("ipv6.routes", IPv6CidrList),
        ("ipv4.routes.external", IPv4CidrList), ("ipv6.routes.external", IPv6CidrList),
        ("queue.tx.length", Unsigned),
        ("security.ipv4_filtering", Bool), ("security.ipv6_filtering", Bool),
        ("security.mac_filtering", Bool), ("security.port_isolation", Bool),
        ("vlan", VlanId), ("vlan.tagged", VlanList));

    private static readonly Dictionary<string, ConfigRule> Macvlan = Merge(
        [NicCommon, Maas],
        ("nictype", OneOf("macvlan")), ("network", ObjectName), ("parent", InterfaceName), ("gvrp", Bool), ("vlan", VlanId));

    private static readonly Dictionary<string, ConfigRule> Sriov = Merge(
        [NicCommon, Maas],
        ("nictype", OneOf("sriov")), ("network", ObjectName), ("parent", InterfaceName), ("security.mac_filtering", Bool), ("vlan", VlanId));

    private static readonly Dictionary<string, ConfigRule> Physical = Merge(
        [NicCommon, Maas],
        ("nictype", OneOf("physical")), ("network", ObjectName), ("parent", InterfaceName), ("gvrp", Bool), ("vlan", VlanId));

    private static readonly Dictionary<string, ConfigRule> Ipvlan = Merge(
        [NicCommon],
        ("nictype", OneOf("ipvlan")), ("parent", InterfaceName), ("gvrp", Bool), ("mode", OneOf("l2", "l3s")),
        ("ipv4.address", IPv4List), ("ipv6.address", IPv6List),
        ("ipv4.gateway", Either("expected auto, none or an IPv4 address", OneOf("auto", "none"), IPv4)),
        ("ipv6.gateway", Either("expected auto, none or an IPv6 address", OneOf("auto", "none"), IPv6)),
        ("ipv4.host_table", Unsigned), ("ipv6.host_table", Unsigned), ("vlan", VlanId));

    private static readonly Dictionary<string, ConfigRule> P2p = Merge(
        [NicCommon, Limits],
        ("nictype", OneOf("p2p")), ("host_name", InterfaceName), ("ipv4.routes", IPv4CidrList), ("ipv6.routes", IPv6CidrList),
        ("queue.tx.length", Unsigned));

    private static readonly Dictionary<string, ConfigRule> Routed = Merge(
        [NicCommon, Limits],
        ("nictype", OneOf("routed")), ("parent", InterfaceName), ("host_name", InterfaceName), ("gvrp", Bool),
        ("ipv4.address", IPv4List), ("ipv6.address", IPv6List),
        ("ipv4.gateway", OneOf("auto", "none")), ("ipv6.gateway", OneOf("auto", "none")),
        ("ipv4.host_address", IPv4), ("ipv6.host_address", IPv6),
        ("ipv4.host_table", Unsigned), ("ipv6.host_table", Unsigned),
        ("ipv4.neighbor_probe", Bool), ("ipv6.neighbor_probe", Bool),
        ("ipv4.routes", IPv4CidrList), ("ipv6.routes", IPv6CidrList),
        ("queue.tx.length", Unsigned), ("vlan", VlanId));

    private static readonly Dictionary<string, ConfigRule> OvnOnly = Table(
        ("acceleration", OneOf("none", "sriov", "vdpa")), ("acceleration.parent", Any), ("nested", Any),
        ("security.acls", Any),
        ("security.acls.default.egress.action", OneOf("allow", "reject", "drop")),
        ("security.acls.default.egress.logged", Bool),
        ("security.acls.default.ingress.action", OneOf("allow", "reject", "drop")),
        ("security.acls.default.ingress.logged", Bool));

    // network=<managed network>: the network's own type decides, which this static check cannot see, so the
    // union of the managed types' keys is allowed and the keys the network provides are refused (LXD bans them).
    private static readonly string[] KeysProvidedByNetwork = ["nictype", "parent", "mtu", "maas.subnet.ipv4", "maas.subnet.ipv6"];

    private static readonly Dictionary<string, ConfigRule> Managed = Merge([Bridged, Macvlan, Sriov, Physical, OvnOnly]);

    private static readonly Dictionary<string, Dictionary<string, ConfigRule>> ByNicType = new(StringComparer.Ordinal)
    {
        ["bridged"] = Bridged,
        ["macvlan"] = Macvlan,
        ["sriov"] = Sriov,
        ["physical"] = Physical,
        ["ipvlan"] = Ipvlan,
        ["p2p"] = P2p,
        ["routed"] = Routed,
    };

    private static readonly string[] NicTypesNeedingParent = ["bridged", "macvlan", "sriov", "physical", "ipvlan"];

    private static DeviceRules NicRules(string name, IReadOnlyDictionary<string, string> config)
    {
        var network = Get(config, "network");
        var nictype = Get(config, "nictype");
        if (network.Length > 0)
        {
            foreach (var banned in KeysProvidedByNetwork)
            {
                if (Get(config, banned).Length > 0)
                {
                    throw new ApiException(400, $"Cannot use \"{banned}\" property in conjunction with \"network\" property (device \"{name}\")");
                }
            }

            return new DeviceRules(Managed);
        }

        if (nictype.Length == 0)
        {
            throw new ApiException(400, $"Device \"{name}\" of type nic needs a \"nictype\" or a \"network\" property");
        }

        if (!ByNicType.TryGetValue(nictype, out var keys))
        {
            throw InvalidValue(name, "nictype", nictype, $"expected one of: {string.Join(", ", ByNicType.Keys)}");
        }

        return new DeviceRules(keys, (device, c) =>
        {
            if (NicTypesNeedingParent.Contains(nictype) && Get(c, "parent").Length == 0)
            {
                throw Missing(device, "parent", $"nictype {nictype} without network");
            }
        });
    }
}
