namespace Berth.System.Tests;

/// <summary>
/// <c>network attach|detach|attach-profile|detach-profile|edit|info</c> through Debian's lxc and through berth, on a
/// bridge of the test's own (a free 10.x.y.0/24, removed afterwards).
/// </summary>
public sealed class NetworkCliTests : IAsyncLifetime
{
    private readonly string _net = "bn" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;
    private string _prefix = "";

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/sbin/dnsmasq") || File.Exists("/usr/bin/dnsmasq"), "dnsmasq is not installed");
        _prefix = await TestNetwork.CreateBridgeAsync(_berthd, _net);
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Lxc_AttachDetachInstanceAndProfile_Info()
    {
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "a1")).ExitCode);
        var attach = await _berthd.LxcAsync("network", "attach", _net, "a1", "eth0", "eth0");
        Assert.True(attach.ExitCode == 0, attach + _berthd.Log());
        Assert.Equal(_net + "\n", (await _berthd.LxcAsync("config", "device", "get", "a1", "eth0", "network")).Stdout);
        var dhcp = await _berthd.LxcAsync("exec", "a1", "--", "udhcpc", "-n", "-q", "-t", "10", "-T", "1", "-i", "eth0", "-s", "/usr/share/udhcpc/default.script");
        Assert.True(dhcp.ExitCode == 0, dhcp.ToString());
        Assert.Contains($"inet {_prefix}.", (await _berthd.LxcAsync("exec", "a1", "--", "ip", "addr", "show", "eth0")).Stdout, StringComparison.Ordinal);

        var info = await _berthd.LxcAsync("network", "info", _net);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains($"inet\t{_prefix}.1/24 (global)", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("Bytes received: ", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("State: up", info.Stdout, StringComparison.Ordinal);
        var host = (await _berthd.LxcAsync("config", "get", "a1", "volatile.eth0.host_name")).Stdout.Trim();
        Assert.Contains(host, info.Stdout, StringComparison.Ordinal);
        var ours = await _berthd.BerthAsync("network", "info", _net);
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Contains($"inet\t{_prefix}.1/24 (global)", ours.Stdout, StringComparison.Ordinal);
        Assert.Contains("Upper devices: " + host, ours.Stdout, StringComparison.Ordinal);

        var mismatch = await _berthd.BerthAsync("network", "detach", "lo", "a1", "eth0");
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Contains("doesn't match the network", mismatch.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await _berthd.LxcAsync("network", "detach", _net, "a1")).ExitCode);
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", "a1", "--", "ip", "link", "show", "eth0")).ExitCode);

        // berth's attach hot-plugs the same way; its detach removes it.
        Assert.Equal(0, (await _berthd.BerthAsync("network", "attach", _net, "a1", "n1", "eth5")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "a1", "--", "ip", "link", "show", "eth5")).ExitCode);
        Assert.Equal(0, (await _berthd.BerthAsync("network", "detach", _net, "a1", "n1")).ExitCode);
        Assert.Equal("", (await _berthd.LxcAsync("config", "device", "list", "a1")).Stdout.Trim());

        Assert.Equal(0, (await _berthd.LxcAsync("profile", "create", "p1")).ExitCode);
        Assert.Equal(0, (await _berthd.BerthAsync("network", "attach-profile", _net, "p1", "eth0")).ExitCode);
        Assert.Equal(_net + "\n", (await _berthd.LxcAsync("profile", "device", "get", "p1", "eth0", "network")).Stdout);
        Assert.Equal(0, (await _berthd.BerthAsync("network", "detach-profile", _net, "p1")).ExitCode);
        Assert.Equal("", (await _berthd.LxcAsync("profile", "device", "list", "p1")).Stdout.Trim());
        Assert.Equal(0, (await _berthd.LxcAsync("network", "attach-profile", _net, "p1", "eth0")).ExitCode);
        Assert.Contains("eth0", (await _berthd.BerthAsync("profile", "device", "list", "p1")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BerthAndLxc_Edit_ChangesConfig()
    {
        var yaml = (await _berthd.BerthAsync("network", "show", _net)).Stdout.Replace("ipv4.nat: \"false\"", "ipv4.nat: \"false\"\n  dns.domain: edited.test", StringComparison.Ordinal);
        var edit = await _berthd.BerthStdinAsync(yaml, "network", "edit", _net);
        Assert.True(edit.ExitCode == 0, edit + "\n" + yaml);
        Assert.Equal("edited.test\n", (await _berthd.LxcAsync("network", "get", _net, "dns.domain")).Stdout);

        var lxcYaml = (await _berthd.LxcAsync("network", "show", _net)).Stdout.Replace("edited.test", "again.test", StringComparison.Ordinal);
        Assert.Equal(0, (await _berthd.LxcStdinAsync(lxcYaml, "network", "edit", _net)).ExitCode);
        Assert.Equal("again.test\n", (await _berthd.BerthAsync("network", "get", _net, "dns.domain")).Stdout);

        var bad = await _berthd.BerthStdinAsync(yaml.Replace("edited.test", "x\n  banana: 1", StringComparison.Ordinal), "network", "edit", _net);
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("again.test\n", (await _berthd.BerthAsync("network", "get", _net, "dns.domain")).Stdout);
    }
}
