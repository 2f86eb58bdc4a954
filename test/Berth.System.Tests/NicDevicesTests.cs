namespace Berth.System.Tests;

/// <summary>
/// NIC devices through Debian's lxc on a real berthd: MACs written at init, nics hot-plugged into and out of a running
/// busybox container (with a DHCP lease on the new one), traffic limits as tc rules on the host veth, and macvlan
/// (on a dummy parent made here) and p2p nics. Each test has its own bridge, subnet and dummy interface, removed after.
/// </summary>
public sealed class NicDevicesTests : IAsyncLifetime
{
    private readonly string _prefix = "bn" + Guid.NewGuid().ToString("N")[..5];
    private BerthdProcess _berthd = null!;

    private string Net => _prefix + "n";

    private string Dummy => _prefix + "d0";

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/sbin/dnsmasq") || File.Exists("/usr/bin/dnsmasq"), "dnsmasq is not installed");
        SystemRequirements.Require(File.Exists("/usr/sbin/tc") || File.Exists("/sbin/tc"), "tc is not installed");
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _berthd.DisposeAsync();
        if (Directory.Exists("/sys/class/net/" + Dummy))
        {
            await ProcessRunner.RunAsync("ip", ["link", "del", "dev", Dummy]);
        }
    }

    [Fact]
    public async Task Lxc_InitWritesMac_CopyGetsNewOne()
    {
        await TestNetwork.CreateBridgeAsync(_berthd, Net);
        Assert.Equal(0, (await _berthd.LxcAsync("init", "busybox", "m1", "--network", Net)).ExitCode);
        var show = (await _berthd.LxcAsync("config", "show", "m1")).Stdout;
        Assert.Matches(@"volatile\.eth0\.hwaddr: 00:16:3e(:[0-9a-f]{2}){3}\n", show);
        var mac = (await _berthd.LxcAsync("config", "get", "m1", "volatile.eth0.hwaddr")).Stdout.Trim();

        Assert.Equal(0, (await _berthd.LxcAsync("copy", "m1", "m2")).ExitCode);
        var copied = (await _berthd.LxcAsync("config", "get", "m2", "volatile.eth0.hwaddr")).Stdout.Trim();
        Assert.Matches("^00:16:3e(:[0-9a-f]{2}){3}$", copied);
        Assert.NotEqual(mac, copied);

        // A nic added to a stopped instance gets its MAC and, without a name, the next free ethN (LXD's volatile.<dev>.name).
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "add", "m1", "second", "nic", $"network={Net}")).ExitCode);
        Assert.Matches("^00:16:3e(:[0-9a-f]{2}){3}$", (await _berthd.LxcAsync("config", "get", "m1", "volatile.second.hwaddr")).Stdout.Trim());
        Assert.Equal("eth1\n", (await _berthd.LxcAsync("config", "get", "m1", "volatile.second.name")).Stdout);
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", "m1", "second")).ExitCode);
        Assert.DoesNotContain("volatile.second.", (await _berthd.LxcAsync("config", "show", "m1")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lxc_NicHotplug_AddedWithLease_RemovedLive_RenderedOnRestart()
    {
        var prefix = await TestNetwork.CreateBridgeAsync(_berthd, Net);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "h1", "--network", Net)).ExitCode);

        var add = await _berthd.LxcAsync("config", "device", "add", "h1", "eth1", "nic", $"network={Net}");
        Assert.True(add.ExitCode == 0, add + _berthd.Log());
        var mac = (await _berthd.LxcAsync("config", "get", "h1", "volatile.eth1.hwaddr")).Stdout.Trim();
        var host = (await _berthd.LxcAsync("config", "get", "h1", "volatile.eth1.host_name")).Stdout.Trim();
        Assert.StartsWith("veth", host, StringComparison.Ordinal);
        Assert.Contains(host, (await ProcessRunner.RunAsync("ip", ["link", "show", "master", Net])).Stdout, StringComparison.Ordinal);
        var link = await _berthd.LxcAsync("exec", "h1", "--", "ip", "link", "show", "eth1");
        Assert.True(link.ExitCode == 0, link.ToString());
        Assert.Contains("link/ether " + mac, link.Stdout, StringComparison.Ordinal);

        var dhcp = await _berthd.LxcAsync("exec", "h1", "--", "udhcpc", "-n", "-q", "-t", "10", "-T", "1", "-i", "eth1", "-s", "/usr/share/udhcpc/default.script");
        Assert.True(dhcp.ExitCode == 0, dhcp.ToString());
        Assert.Contains($"inet {prefix}.", (await _berthd.LxcAsync("exec", "h1", "--", "ip", "addr", "show", "eth1")).Stdout, StringComparison.Ordinal);
        Assert.Contains(mac, (await _berthd.LxcAsync("network", "list-leases", Net, "--format", "csv")).Stdout, StringComparison.Ordinal);

        // The next start renders it: the nic is there after a restart with the same MAC.
        Assert.Equal(0, (await _berthd.LxcAsync("restart", "h1", "--force")).ExitCode);
        Assert.Contains("link/ether " + mac, (await _berthd.LxcAsync("exec", "h1", "--", "ip", "link", "show", "eth1")).Stdout, StringComparison.Ordinal);
        host = (await _berthd.LxcAsync("config", "get", "h1", "volatile.eth1.host_name")).Stdout.Trim();

        var remove = await _berthd.LxcAsync("config", "device", "remove", "h1", "eth1");
        Assert.True(remove.ExitCode == 0, remove + _berthd.Log());
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", "h1", "--", "ip", "link", "show", "eth1")).ExitCode);
        Assert.False(Directory.Exists("/sys/class/net/" + host), "the host end of the removed nic is gone");
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "h1", "--", "ip", "link", "show", "eth0")).ExitCode);

        // A clash inside (the name is taken) fails the add and leaves no veth on the host. Only this test's bridge is
        // looked at: other tests add and remove host interfaces meanwhile.
        var before = BridgePorts();
        var clash = await _berthd.LxcAsync("config", "device", "add", "h1", "dup", "nic", $"network={Net}", "name=eth0");
        Assert.Equal(1, clash.ExitCode);
        Assert.Equal(before, BridgePorts());
        Assert.DoesNotContain("dup", (await _berthd.LxcAsync("config", "device", "list", "h1")).Stdout, StringComparison.Ordinal);
    }

    /// <summary>The names of the interfaces enslaved to this test's bridge.</summary>
    private string BridgePorts() => string.Join(' ', Directory.GetDirectories($"/sys/class/net/{Net}/brif").Select(Path.GetFileName).Order(StringComparer.Ordinal));

    [Fact]
    public async Task Lxc_NicLimits_AreTcRulesOnHostVeth_LiveAndAtStart()
    {
        await TestNetwork.CreateBridgeAsync(_berthd, Net);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "l1", "--network", Net)).ExitCode);
        var host = (await _berthd.LxcAsync("config", "get", "l1", "volatile.eth0.host_name")).Stdout.Trim();

        var set = await _berthd.LxcAsync("config", "device", "set", "l1", "eth0", "limits.ingress=10Mbit", "limits.egress=5Mbit");
        Assert.True(set.ExitCode == 0, set + _berthd.Log());
        await AssertShapedAsync("l1", host, "10Mbit", "5Mbit");
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "l1", "--", "ip", "link", "show", "eth0")).ExitCode);

        Assert.Equal(0, (await _berthd.LxcAsync("restart", "l1", "--force")).ExitCode);
        host = (await _berthd.LxcAsync("config", "get", "l1", "volatile.eth0.host_name")).Stdout.Trim();
        await AssertShapedAsync("l1", host, "10Mbit", "5Mbit");

        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "unset", "l1", "eth0", "limits.ingress")).ExitCode);
        Assert.DoesNotContain("htb", (await ProcessRunner.RunAsync("tc", ["qdisc", "show", "dev", host])).Stdout, StringComparison.Ordinal);
        await AssertEgressAsync("l1", host, "5Mbit");
    }

    [Fact]
    public async Task Lxc_MacvlanOnDummyParent_AndP2p_HotpluggedAndAtStart()
    {
        // A dummy parent, or the end of a veth pair where the kernel has no dummy driver (CONFIG_DUMMY unset).
        if ((await ProcessRunner.RunAsync("ip", ["link", "add", Dummy, "type", "dummy"])).ExitCode != 0)
        {
            Assert.Equal(0, (await ProcessRunner.RunAsync("ip", ["link", "add", Dummy, "type", "veth", "peer", "name", _prefix + "d1"])).ExitCode);
        }

        Assert.Equal(0, (await ProcessRunner.RunAsync("ip", ["link", "set", Dummy, "up"])).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "v1")).ExitCode);

        var add = await _berthd.LxcAsync("config", "device", "add", "v1", "mv", "nic", "nictype=macvlan", $"parent={Dummy}", "name=mv0");
        Assert.True(add.ExitCode == 0, add + _berthd.Log());
        var mac = (await _berthd.LxcAsync("config", "get", "v1", "volatile.mv.hwaddr")).Stdout.Trim();
        var live = await InsideAsync("v1", "ip", "-d", "link", "show", "mv0");
        Assert.True(live.ExitCode == 0, live.ToString());
        Assert.Contains("macvlan mode bridge", live.Stdout, StringComparison.Ordinal);
        Assert.Contains("link/ether " + mac, live.Stdout, StringComparison.Ordinal);

        var p2p = await _berthd.LxcAsync("config", "device", "add", "v1", "pp", "nic", "nictype=p2p", "name=pp0");
        Assert.True(p2p.ExitCode == 0, p2p + _berthd.Log());
        var host = (await _berthd.LxcAsync("config", "get", "v1", "volatile.pp.host_name")).Stdout.Trim();
        Assert.True(Directory.Exists("/sys/class/net/" + host), "the p2p host end exists");
        Assert.False(Directory.Exists($"/sys/class/net/{host}/master"), "a p2p veth joins no bridge");

        Assert.Equal(0, (await _berthd.LxcAsync("restart", "v1", "--force")).ExitCode);
        Assert.Contains("macvlan mode bridge", (await InsideAsync("v1", "ip", "-d", "link", "show", "mv0")).Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "v1", "--", "ip", "link", "show", "pp0")).ExitCode);

        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", "v1", "mv")).ExitCode);
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", "v1", "--", "ip", "link", "show", "mv0")).ExitCode);

        var missing = await _berthd.LxcAsync("config", "device", "add", "v1", "mv2", "nic", "nictype=macvlan", $"parent={_prefix}zz");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("doesn't exist", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lxc_ProfileNic_AddedChangedRemoved_ReachesRunningContainer()
    {
        await TestNetwork.CreateBridgeAsync(_berthd, Net);
        var profile = _prefix + "p";
        Assert.Equal(0, (await _berthd.LxcAsync("profile", "create", profile)).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "pr1", "-p", "default", "-p", profile, "--network", Net)).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("init", "busybox", "pr2", "-p", "default", "-p", profile)).ExitCode);

        var add = await _berthd.LxcAsync("profile", "device", "add", profile, "eth1", "nic", $"network={Net}", "name=eth1");
        Assert.True(add.ExitCode == 0, add + _berthd.Log());
        var mac = (await _berthd.LxcAsync("config", "get", "pr1", "volatile.eth1.hwaddr")).Stdout.Trim();
        Assert.Matches("^00:16:3e(:[0-9a-f]{2}){3}$", mac);
        var link = await _berthd.LxcAsync("exec", "pr1", "--", "ip", "link", "show", "eth1");
        Assert.True(link.ExitCode == 0, link + _berthd.Log());
        Assert.Contains("link/ether " + mac, link.Stdout, StringComparison.Ordinal);
        var host = (await _berthd.LxcAsync("config", "get", "pr1", "volatile.eth1.host_name")).Stdout.Trim();
        Assert.Contains(host, (await ProcessRunner.RunAsync("ip", ["link", "show", "master", Net])).Stdout, StringComparison.Ordinal);
        Assert.Matches("^00:16:3e(:[0-9a-f]{2}){3}$", (await _berthd.LxcAsync("config", "get", "pr2", "volatile.eth1.hwaddr")).Stdout.Trim());

        // A changed nic is replaced inside (here with the MAC the profile now gives it).
        var newMac = "00:16:3e:" + string.Join(':', Guid.NewGuid().ToString("N")[..6].Chunk(2).Select(c => new string(c)));
        var set = await _berthd.LxcAsync("profile", "device", "set", profile, "eth1", "hwaddr=" + newMac);
        Assert.True(set.ExitCode == 0, set + _berthd.Log());
        var changed = (await _berthd.LxcAsync("exec", "pr1", "--", "ip", "link", "show", "eth1")).Stdout;
        Assert.Contains("link/ether " + newMac, changed, StringComparison.Ordinal);
        Assert.False(Directory.Exists("/sys/class/net/" + host), "the replaced nic's old host end is gone");

        host = (await _berthd.LxcAsync("config", "get", "pr1", "volatile.eth1.host_name")).Stdout.Trim();
        var remove = await _berthd.LxcAsync("profile", "device", "remove", profile, "eth1");
        Assert.True(remove.ExitCode == 0, remove + _berthd.Log());
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", "pr1", "--", "ip", "link", "show", "eth1")).ExitCode);
        Assert.False(Directory.Exists("/sys/class/net/" + host), "the removed nic's host end is gone");
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "pr1", "--", "ip", "link", "show", "eth0")).ExitCode);
    }

    private async Task AssertShapedAsync(string instance, string host, string ingress, string egress)
    {
        var classes = (await ProcessRunner.RunAsync("tc", ["class", "show", "dev", host])).Stdout;
        Assert.Contains("htb 1:10", classes, StringComparison.Ordinal);
        Assert.Contains("rate " + ingress, classes, StringComparison.Ordinal);
        await AssertEgressAsync(instance, host, egress);
    }

    /// <summary>LXD's police filter on the host end's ingress, or (kernel without act_police) htb on the container's eth0.</summary>
    private async Task AssertEgressAsync(string instance, string host, string egress)
    {
        var filters = (await ProcessRunner.RunAsync("tc", ["filter", "show", "dev", host, "parent", "ffff:"])).Stdout;
        if (filters.Contains("police", StringComparison.Ordinal))
        {
            Assert.Contains("rate " + egress, filters, StringComparison.Ordinal);
            return;
        }

        var classes = (await InsideAsync(instance, "tc", "class", "show", "dev", "eth0")).Stdout;
        Assert.Contains("rate " + egress, classes, StringComparison.Ordinal);
    }

    /// <summary>A host tool (iproute2's ip, tc) run in the container's network namespace.</summary>
    private async Task<ProcessResult> InsideAsync(string instance, params string[] command)
    {
        var state = (await _berthd.LxcAsync("query", $"/1.0/instances/{instance}/state")).Stdout;
        var pid = global::System.Text.Json.JsonDocument.Parse(state).RootElement.GetProperty("pid").GetInt64();
        return await ProcessRunner.RunAsync("nsenter", ["-t", pid.ToString(global::System.Globalization.CultureInfo.InvariantCulture), "-n", .. command]);
    }
}
