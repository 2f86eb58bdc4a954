using Berth.Server.Instances;

namespace Berth.Server.Tests.Instances;

public sealed class NetworkStateTests
{
    private const string NetDev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:     840      10    0    0    0     0          0         0      840      10    0    0    0     0       0          0
          eth0: 1234567     890    1    2    0     0          0        12   765432     321    3    4    0     0       0          0
        """;

    [Fact]
    public void Parse_NetDev_EachInterfaceWithItsCounters()
    {
        var network = NetworkState.Parse(NetDev);

        Assert.Equal(["eth0", "lo"], network.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("loopback", network["lo"].Type);
        var eth0 = network["eth0"];
        Assert.Equal("broadcast", eth0.Type);
        Assert.Equal(1234567, eth0.Counters.BytesReceived);
        Assert.Equal(890, eth0.Counters.PacketsReceived);
        Assert.Equal(1, eth0.Counters.ErrorsReceived);
        Assert.Equal(2, eth0.Counters.PacketsDroppedInbound);
        Assert.Equal(765432, eth0.Counters.BytesSent);
        Assert.Equal(321, eth0.Counters.PacketsSent);
        Assert.Equal(3, eth0.Counters.ErrorsSent);
        Assert.Equal(4, eth0.Counters.PacketsDroppedOutbound);
    }

    [Fact]
    public void Parse_LineWithTooFewCounters_Skipped()
    {
        var network = NetworkState.Parse("h1\nh2\n  lo: 1 2 3\n  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");

        Assert.Equal(["eth0"], network.Keys);
    }

    [Fact]
    public void Read_ThisProcess_HasLoopback()
    {
        var network = NetworkState.Read(Environment.ProcessId);

        Assert.NotNull(network);
        Assert.Contains("lo", network.Keys);
    }
}
