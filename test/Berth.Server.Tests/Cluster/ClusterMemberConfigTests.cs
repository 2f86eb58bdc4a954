using Berth.Api;
using Berth.Server.Cluster;

namespace Berth.Server.Tests.Cluster;

public sealed class ClusterMemberConfigTests
{
    [Fact]
    public void Of_PoolsThenManagedNetworks_MemberKeysOnly_AsLxdListsThem()
    {
        StoragePool[] pools =
        [
            new() { Name = "zz", Driver = "dir", Config = new() { ["source"] = "/srv/zz" } },
            new() { Name = "bt1", Driver = "btrfs", Config = new() { ["source"] = "/x/bt1.img", ["size"] = "1GiB", ["volatile.initial_source"] = "/x", ["btrfs.mount_options"] = "ssd" } },
        ];
        Network[] networks =
        [
            new() { Name = "m0", Managed = true, Config = new() { ["parent"] = "eth0" } },
            new() { Name = "eth0", Managed = false, Config = new() { ["parent"] = "x" } },
            new() { Name = "br0", Managed = true, Config = new() { ["ipv4.address"] = "10.0.0.1/24", ["bridge.external_interfaces"] = "dummy0" } },
        ];

        var keys = ClusterMemberConfig.Of(pools, networks);

        Assert.Equal(
            ["storage-pool bt1 size", "storage-pool bt1 source", "storage-pool zz source", "network br0 bridge.external_interfaces", "network m0 parent"],
            keys.Select(k => $"{k.Entity} {k.Name} {k.Key}"));
        Assert.All(keys, k => Assert.Equal("", k.Value));
        Assert.Equal("\"size\" property for storage pool \"bt1\"", keys[0].Description);
        Assert.Equal("\"parent\" property for network \"m0\"", keys[4].Description);
    }

    [Fact]
    public void Of_NothingMemberSpecific_IsEmpty()
    {
        Assert.Empty(ClusterMemberConfig.Of([new StoragePool { Name = "p", Config = new() { ["btrfs.mount_options"] = "x" } }], []));
    }
}
