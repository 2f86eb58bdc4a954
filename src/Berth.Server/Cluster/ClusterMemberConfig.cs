using Berth.Api;

namespace Berth.Server.Cluster;

/// <summary>
/// What <c>GET /1.0/cluster</c> lists under <c>member_config</c> on a server that is not clustered: the
/// member-specific keys its pools and networks have set, which a member joining it would have to give (LXD 5.0.2
/// lists them so, measured: a btrfs pool's size and source, a bridge's external interfaces, a macvlan's parent).
/// </summary>
public static class ClusterMemberConfig
{
    private static readonly string[] PoolKeys = ["lvm.thinpool_name", "lvm.vg_name", "size", "source", "zfs.pool_name"];
    private static readonly string[] NetworkKeys = ["bridge.external_interfaces", "parent"];

    public static List<ClusterMemberConfigKey> Of(IEnumerable<StoragePool> pools, IEnumerable<Network> networks)
    {
        var keys = new List<ClusterMemberConfigKey>();
        foreach (var pool in pools.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            keys.AddRange(Keys("storage-pool", "storage pool", pool.Name, pool.Config, PoolKeys));
        }

        foreach (var network in networks.Where(n => n.Managed).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            keys.AddRange(Keys("network", "network", network.Name, network.Config, NetworkKeys));
        }

        return keys;
    }

    private static IEnumerable<ClusterMemberConfigKey> Keys(string entity, string noun, string name, Dictionary<string, string> config, string[] memberKeys) =>
        memberKeys.Where(config.ContainsKey).Select(key => new ClusterMemberConfigKey
        {
            Entity = entity,
            Name = name,
            Key = key,
            Description = $"\"{key}\" property for {noun} \"{name}\"",
        });
}
