namespace Berth.Native.Tests;

public sealed class NetnsLinksTests
{
    [Fact]
    public void Read_ThisProcess_LoopbackWithItsAddresses()
    {
        NativeRequirements.Require(Environment.IsPrivilegedProcess, "setns into a network namespace needs root");

        var links = NetnsLinks.Read(Environment.ProcessId);

        Assert.NotNull(links);
        var lo = Assert.Single(links, l => l.Name == "lo");
        Assert.True(lo.Up);
        Assert.Equal(65536, lo.Mtu);
        Assert.Contains(lo.Addresses, a => a is { Family: "inet", Address: "127.0.0.1", PrefixLength: 8, Scope: "local" });
    }

    [Fact]
    public void Read_ThisProcess_MacsAndMtusAsSysfsShowsThem()
    {
        NativeRequirements.Require(Environment.IsPrivilegedProcess, "setns into a network namespace needs root");

        var links = NetnsLinks.Read(Environment.ProcessId)!;

        foreach (var link in links.Where(l => l.Hwaddr.Length > 0))
        {
            Assert.Equal(File.ReadAllText($"/sys/class/net/{link.Name}/address").Trim(), link.Hwaddr);
            Assert.Equal(File.ReadAllText($"/sys/class/net/{link.Name}/mtu").Trim(), link.Mtu.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Contains(links, l => l.Hwaddr.Length == 17);
    }
}
