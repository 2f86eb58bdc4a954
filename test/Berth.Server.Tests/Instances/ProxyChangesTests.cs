using Berth.Server.Instances;

namespace Berth.Server.Tests.Instances;

public sealed class ProxyChangesTests
{
    private static Dictionary<string, string> Proxy(string listen, string connect) =>
        new(StringComparer.Ordinal) { ["type"] = "proxy", ["listen"] = listen, ["connect"] = connect };

    [Fact]
    public void ProxyChanges_TouchesOnlyAddedRemovedAndChangedDevices()
    {
        var before = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal)
        {
            ["keep"] = Proxy("tcp:127.0.0.1:1000", "tcp:127.0.0.1:80"),
            ["change"] = Proxy("tcp:127.0.0.1:1001", "tcp:127.0.0.1:80"),
            ["gone"] = Proxy("tcp:127.0.0.1:1002", "tcp:127.0.0.1:80"),
        };
        var after = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal)
        {
            ["keep"] = Proxy("tcp:127.0.0.1:1000", "tcp:127.0.0.1:80"),
            ["change"] = Proxy("tcp:127.0.0.1:1001", "tcp:127.0.0.1:81"),
            ["new"] = Proxy("tcp:127.0.0.1:1003", "tcp:127.0.0.1:80"),
        };

        var (stop, start) = InstanceService.ProxyChanges(before, after);

        Assert.Equal(["change", "gone"], stop);
        Assert.Equal(["change", "new"], start);
    }

    [Fact]
    public void ProxyChanges_AKeyAddedToADevice_IsAChange()
    {
        var before = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal) { ["web"] = Proxy("tcp:127.0.0.1:1000", "tcp:127.0.0.1:80") };
        var withBind = Proxy("tcp:127.0.0.1:1000", "tcp:127.0.0.1:80");
        withBind["bind"] = "host";
        var after = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal) { ["web"] = withBind };

        var (stop, start) = InstanceService.ProxyChanges(before, after);
        Assert.Equal(["web"], stop);
        Assert.Equal(["web"], start);
        var (none, nothing) = InstanceService.ProxyChanges(before, before);
        Assert.Empty(none);
        Assert.Empty(nothing);
    }
}
