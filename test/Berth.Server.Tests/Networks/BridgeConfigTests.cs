using Berth.Api;
using Berth.Server.Networks;

namespace Berth.Server.Tests.Networks;

public sealed class BridgeConfigTests
{
    [Fact]
    public void PickSubnet_AvoidsEveryHostSubnet()
    {
        // All of 10.0.0.0/8 is routed but 10.200.0.0-10.215.255.255 (and one /24 there is an address): picks land in the gap.
        List<HostSubnet> inUse = [new("eth0", Net("10.0.0.0/9"), "route"), new("eth1", Net("10.128.0.0/10"), "route"), new("eth2", Net("10.192.0.0/13"), "route"),
            new("eth3", Net("10.216.0.0/13"), "route"), new("eth4", Net("10.224.0.0/11"), "route"), new("br0", Net("10.201.5.1/24"), "address")];
        for (var i = 0; i < 50; i++)
        {
            var net = BridgeConfig.PickSubnet(inUse);
            Assert.InRange((int)((net.Address >> 16) & 255), 200, 215);
            Assert.DoesNotContain(inUse, s => s.Net.Overlaps(net));
        }
    }

    [Fact]
    public void PickSubnet_NothingInUse_GivesA10Slash24WithGatewayOne()
    {
        var net = BridgeConfig.PickSubnet([]);
        Assert.Equal(24, net.Prefix);
        Assert.Equal(10u, net.Address >> 24);
        Assert.Equal(net.First + 1, net.Address);
    }

    [Theory]
    [InlineData("ipv4.address", "10.1.2.3/33")]
    [InlineData("ipv4.address", "10.1.2.0/24")]
    [InlineData("ipv4.address", "banana")]
    [InlineData("ipv4.nat", "maybe")]
    [InlineData("bridge.mtu", "9")]
    [InlineData("ipv6.address", "fd00::1")]
    [InlineData("banana", "1")]
    public void Validate_BadValue_Throws400(string key, string value)
    {
        var e = Assert.Throws<ApiException>(() => BridgeConfig.Validate("br", new Dictionary<string, string> { [key] = value }));
        Assert.Equal(400, e.Status);
    }

    [Fact]
    public void Validate_RangeOutsideSubnet_Throws()
    {
        var config = new Dictionary<string, string> { ["ipv4.address"] = "10.5.5.1/24", ["ipv4.dhcp.ranges"] = "10.5.6.10-10.5.6.20" };
        Assert.Equal(400, Assert.Throws<ApiException>(() => BridgeConfig.Validate("br", config)).Status);
        config["ipv4.dhcp.ranges"] = "10.5.5.10-10.5.5.20";
        BridgeConfig.Validate("br", config);
    }

    [Fact]
    public void FillDefaults_Auto_SetsConcreteAddressNatAndNoIPv6()
    {
        var config = new Dictionary<string, string>();
        BridgeConfig.FillDefaults(config, []);
        Assert.Matches(@"^10\.\d+\.\d+\.1/24$", config["ipv4.address"]);
        Assert.Equal("true", config["ipv4.nat"]);
        Assert.Equal("none", config["ipv6.address"]);

        var given = new Dictionary<string, string> { ["ipv4.address"] = "10.9.9.1/24", ["ipv6.address"] = "auto" };
        BridgeConfig.FillDefaults(given, []);
        Assert.Equal("10.9.9.1/24", given["ipv4.address"]);
        Assert.False(given.ContainsKey("ipv4.nat"));
        Assert.Matches("^fd[0-9a-f]{2}:[0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{4}::1/64$", given["ipv6.address"]);
    }

    [Fact]
    public void IPv4Net_Overlaps()
    {
        Assert.True(Net("10.1.2.1/24").Overlaps(Net("10.1.0.0/16")));
        Assert.False(Net("10.1.2.1/24").Overlaps(Net("10.1.3.0/24")));
        Assert.Equal("10.1.2.0/24", Net("10.1.2.77/24").Subnet.ToString());
    }

    private static IPv4Net Net(string text) => IPv4Net.TryParse(text, out var net) ? net : throw new ArgumentException(text);
}
