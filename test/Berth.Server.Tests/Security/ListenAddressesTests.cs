using Berth.Server.Security;

namespace Berth.Server.Tests.Security;

public sealed class ListenAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1:8444", "127.0.0.1", 8444, "https://127.0.0.1:8444")]
    [InlineData("[::]:8443", "::", 8443, "https://*:8443")]
    [InlineData("[fd00::1]:9000", "fd00::1", 9000, "https://[fd00::1]:9000")]
    [InlineData(":8443", "", 8443, "https://*:8443")]
    [InlineData("0.0.0.0", "0.0.0.0", 8443, "https://*:8443")]
    [InlineData("myhost", "myhost", 8443, "https://myhost:8443")]
    public void Parse_AndKestrelUrl_FollowLxdForms(string address, string host, int port, string url)
    {
        Assert.Equal((host, port), ListenAddresses.Parse(address));
        Assert.Equal(url, ListenAddresses.KestrelUrl(address));
    }

    [Fact]
    public void Reachable_SpecificAddress_IsItself_AndEmptyIsNone()
    {
        Assert.Equal(["127.0.0.1:8443"], ListenAddresses.Reachable("127.0.0.1"));
        Assert.Equal(["[fd00::1]:9000"], ListenAddresses.Reachable("[fd00::1]:9000"));
        Assert.Empty(ListenAddresses.Reachable(""));
        Assert.Empty(ListenAddresses.Reachable(null));
    }

    [Fact]
    public void Reachable_Wildcard_ListsNoLoopback()
    {
        Assert.DoesNotContain(ListenAddresses.Reachable("[::]:8443"), a => a.StartsWith("127.", StringComparison.Ordinal) || a == "[::1]:8443");
    }
}
