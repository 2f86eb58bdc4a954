using System.Text.Json;

namespace Berth.System.Tests;

/// <summary>
/// Managed bridges on a real berthd through Debian's lxc: DHCP leases, pings to the gateway and by name between busybox
/// containers, refusals of bad input, and nothing left on the host (bridge, dnsmasq, nft table) afterwards.
/// Each test uses its own bridge name and a 10.x.y.0/24 the host has no route for; traffic stays on the bridge.
/// </summary>
public sealed class NetworksTests : IAsyncLifetime
{
    private static readonly TimeSpan LeaseWait = TimeSpan.FromSeconds(30);
    private readonly string _net = "bn" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/sbin/dnsmasq") || File.Exists("/usr/bin/dnsmasq"), "dnsmasq is not installed");
        SystemRequirements.Require(File.Exists("/usr/sbin/nft") || File.Exists("/sbin/nft"), "nftables is not installed");
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private string NetworkDir(string name) => Path.Combine(_berthd.Dir, "networks", name);

    private async Task BuildImageAsync()
    {
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    [Fact]
    public async Task Lxc_BridgeWithTwoContainers_LeasesPingsByNameAndLeavesNothingBehind()
    {
        var prefix = await FreePrefixAsync();
        var create = await _berthd.LxcAsync("network", "create", _net, $"ipv4.address={prefix}.1/24", "ipv4.nat=true", "ipv6.address=none");
        Assert.True(create.ExitCode == 0, create + _berthd.Log());
        Assert.Contains($"{_net},bridge,YES,{prefix}.1/24,none,,0,CREATED\n", (await _berthd.LxcAsync("network", "list", "--format", "csv")).Stdout, StringComparison.Ordinal);
        Assert.Contains($"inet {prefix}.1/24", (await ProcessRunner.RunAsync("ip", ["-4", "addr", "show", "dev", _net])).Stdout, StringComparison.Ordinal);
        Assert.Contains("masquerade", (await ProcessRunner.RunAsync("nft", ["list", "table", "inet", "berth-" + _net])).Stdout, StringComparison.Ordinal);
        var dnsmasq = NetworkCleanup.DnsmasqPid(NetworkDir(_net));
        Assert.True(dnsmasq > 0, "dnsmasq runs for the network");

        await BuildImageAsync();
        foreach (var name in new[] { "c1", "c2" })
        {
            var launch = await _berthd.LxcAsync("launch", "busybox", name, "--network", _net);
            Assert.True(launch.ExitCode == 0, launch + _berthd.Log());
        }

        var addresses = await WaitForAddressesAsync(["c1", "c2"]);
        Assert.All(addresses.Values, a => Assert.StartsWith(prefix + ".", a, StringComparison.Ordinal));
        Assert.NotEqual(addresses["c1"], addresses["c2"]);
        var hostName = (await _berthd.LxcAsync("config", "get", "c1", "volatile.eth0.host_name")).Stdout.Trim();
        Assert.StartsWith("veth", hostName, StringComparison.Ordinal);
        Assert.Matches("^00:16:3e(:[0-9a-f]{2}){3}$", (await _berthd.LxcAsync("config", "get", "c1", "volatile.eth0.hwaddr")).Stdout.Trim());
        Assert.Contains(hostName, (await ProcessRunner.RunAsync("ip", ["link", "show", "master", _net])).Stdout, StringComparison.Ordinal);

        var gateway = await _berthd.LxcAsync("exec", "c1", "--", "ping", "-c1", "-W2", prefix + ".1");
        Assert.True(gateway.ExitCode == 0, gateway.ToString());
        var byName = await _berthd.LxcAsync("exec", "c1", "--", "ping", "-c1", "-W2", "c2.lxd");
        Assert.True(byName.ExitCode == 0, byName.ToString());
        Assert.Contains($"({addresses["c2"]})", byName.Stdout, StringComparison.Ordinal);

        var leases = (await _berthd.LxcAsync("network", "list-leases", _net, "--format", "csv")).Stdout;
        Assert.Contains($"c1,", leases, StringComparison.Ordinal);
        Assert.Contains($",{addresses["c2"]},DYNAMIC", leases, StringComparison.Ordinal);
        Assert.Contains($"{_net}.gw,,{prefix}.1,GATEWAY", leases, StringComparison.Ordinal);

        var inUse = await _berthd.LxcAsync("network", "delete", _net);
        Assert.Equal((1, "Error: The network is currently in use\n"), (inUse.ExitCode, inUse.Stderr));

        // A berthd restart keeps DHCP up: the running dnsmasq is adopted, not replaced.
        await _berthd.KillAsync();
        await _berthd.StartAgainAsync();
        Assert.Equal(dnsmasq, NetworkCleanup.DnsmasqPid(NetworkDir(_net)));

        Assert.Equal(0, (await _berthd.LxcAsync("delete", "--force", "c1", "c2")).ExitCode);
        var delete = await _berthd.LxcAsync("network", "delete", _net);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("ip", ["link", "show", "dev", _net])).ExitCode);
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("ip", ["link", "show", "dev", hostName])).ExitCode);
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("nft", ["list", "table", "inet", "berth-" + _net])).ExitCode);
        Assert.False(IsDnsmasq(dnsmasq), "dnsmasq was stopped");
        Assert.False(Directory.Exists(NetworkDir(_net)));
    }

    [Fact]
    public async Task Lxc_BadInput_IsRefusedAndCreatesNothing()
    {
        var badCidr = await _berthd.LxcAsync("network", "create", _net, "ipv4.address=10.1.2.3/33");
        Assert.Equal(1, badCidr.ExitCode);
        Assert.Contains("ipv4.address", badCidr.Stderr, StringComparison.Ordinal);

        var badKey = await _berthd.LxcAsync("network", "create", _net, "banana=1");
        Assert.Equal((1, $"Error: Invalid option for network \"{_net}\" option \"banana\"\n"), (badKey.ExitCode, badKey.Stderr));

        var macvlan = await _berthd.LxcAsync("network", "create", _net, "--type", "macvlan");
        Assert.Equal(1, macvlan.ExitCode);
        Assert.Contains("not supported", macvlan.Stderr, StringComparison.Ordinal);

        // An address inside a subnet the host already routes (its own uplink's) is refused: no probing, the tables say so.
        var routed = await HostSubnetAsync();
        var overlap = await _berthd.LxcAsync("network", "create", _net, $"ipv4.address={routed}");
        Assert.Equal(1, overlap.ExitCode);
        Assert.Contains("overlaps", overlap.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await _berthd.LxcAsync("init", "--empty", "e1")).ExitCode);
        var missing = await _berthd.LxcAsync("config", "device", "add", "e1", "eth0", "nic", $"network={_net}");
        Assert.Equal((1, $"Error: Failed to load network \"{_net}\" for device \"eth0\": Network not found\n"), (missing.ExitCode, missing.Stderr));
        Assert.Equal("", (await _berthd.LxcAsync("config", "device", "list", "e1")).Stdout.Trim());

        Assert.DoesNotContain(_net, (await _berthd.LxcAsync("network", "list", "--format", "csv")).Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("ip", ["link", "show", "dev", _net])).ExitCode);
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("nft", ["list", "table", "inet", "berth-" + _net])).ExitCode);
        Assert.False(Directory.Exists(NetworkDir(_net)) && Directory.EnumerateFileSystemEntries(NetworkDir(_net)).Any());
    }

    [Fact]
    public async Task Berth_CreateAutoSetGetRenameDelete()
    {
        Assert.Equal($"Network {_net} created\n", (await _berthd.BerthAsync("network", "create", _net)).Stdout);
        var address = (await _berthd.BerthAsync("network", "get", _net, "ipv4.address")).Stdout.Trim();
        Assert.Matches(@"^10\.\d+\.\d+\.1/24$", address);
        Assert.Equal("true\n", (await _berthd.LxcAsync("network", "get", _net, "ipv4.nat")).Stdout);
        Assert.Equal(0, (await _berthd.BerthAsync("network", "set", _net, "dns.domain=berth.test", "bridge.mtu=1400")).ExitCode);
        Assert.Equal("berth.test\n", (await _berthd.LxcAsync("network", "get", _net, "dns.domain")).Stdout);
        Assert.Equal("1400", File.ReadAllText($"/sys/class/net/{_net}/mtu").Trim());
        Assert.Contains("--local=/berth.test/", File.ReadAllText($"/proc/{NetworkCleanup.DnsmasqPid(NetworkDir(_net))}/cmdline").Replace('\0', ' '), StringComparison.Ordinal);
        Assert.Equal(1, (await _berthd.BerthAsync("network", "set", _net, "bridge.mtu=9")).ExitCode);
        Assert.Equal("1400", File.ReadAllText($"/sys/class/net/{_net}/mtu").Trim());

        var renamed = _net + "r";
        Assert.Equal(0, (await _berthd.BerthAsync("network", "rename", _net, renamed)).ExitCode);
        Assert.Contains($"{renamed},bridge,YES,{address},none,,0,CREATED", (await _berthd.BerthAsync("network", "list", "--format", "csv")).Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("ip", ["link", "show", "dev", _net])).ExitCode);
        Assert.Equal(0, (await _berthd.BerthAsync("network", "delete", renamed)).ExitCode);
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("ip", ["link", "show", "dev", renamed])).ExitCode);
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("nft", ["list", "table", "inet", "berth-" + renamed])).ExitCode);
    }

    [Fact]
    public async Task InitAuto_BridgeInDefaultProfile_LaunchGetsLease()
    {
        await BuildImageAsync();
        var init = await _berthd.BerthdAsync("init", "--auto");
        Assert.True(init.ExitCode == 0, init + _berthd.Log());
        var network = (await _berthd.LxcAsync("profile", "device", "get", "default", "eth0", "network")).Stdout.Trim();
        Assert.StartsWith("berthbr", network, StringComparison.Ordinal);
        var address = (await _berthd.LxcAsync("network", "get", network, "ipv4.address")).Stdout.Trim();
        Assert.Equal("true", (await _berthd.LxcAsync("network", "get", network, "ipv4.nat")).Stdout.Trim());

        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "a1")).ExitCode);
        var leased = (await WaitForAddressesAsync(["a1"]))["a1"];
        Assert.StartsWith(address[..address.LastIndexOf('.')] + ".", leased, StringComparison.Ordinal);
        Assert.Contains(network, (await _berthd.BerthdAsync("init", "--dump")).Stdout, StringComparison.Ordinal);
    }

    /// <summary>Waits (bounded) until <c>lxc list</c> shows an IPv4 address for every instance.</summary>
    private async Task<Dictionary<string, string>> WaitForAddressesAsync(string[] names)
    {
        var deadline = DateTime.UtcNow + LeaseWait;
        var result = new Dictionary<string, string>();
        var last = "";
        for (var attempt = 0; attempt < 120 && DateTime.UtcNow < deadline; attempt++)
        {
            last = (await _berthd.LxcAsync("list", "--format", "csv", "-c", "n4")).Stdout;
            result = last.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(',', 2))
                .Where(f => f.Length == 2 && f[1].EndsWith(" (eth0)", StringComparison.Ordinal))
                .ToDictionary(f => f[0], f => f[1].Split(' ')[0]);
            if (names.All(result.ContainsKey))
            {
                return result;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"No IPv4 lease within {LeaseWait.TotalSeconds}s: {last}\n{_berthd.Log()}");
        return result;
    }

    /// <summary>A 10.x.y prefix (x ≥ 100) that no host route or address covers, read from the host's tables.</summary>
    private static async Task<string> FreePrefixAsync()
    {
        var routes = (await ProcessRunner.RunAsync("ip", ["-4", "route", "show", "table", "all"])).Stdout + (await ProcessRunner.RunAsync("ip", ["-4", "addr"])).Stdout;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var prefix = $"10.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(0, 255)}";
            if (!routes.Contains(prefix + ".", StringComparison.Ordinal) && !routes.Contains(" 10.0.0.0/8", StringComparison.Ordinal))
            {
                return prefix;
            }
        }

        throw new InvalidOperationException("no free 10.x.y.0/24 on this host");
    }

    /// <summary>A host address inside a subnet the host routes (the uplink's), as a bridge address: e.g. 192.0.2.9/24.</summary>
    private static async Task<string> HostSubnetAsync()
    {
        using var doc = JsonDocument.Parse((await ProcessRunner.RunAsync("ip", ["-j", "-4", "addr"])).Stdout);
        foreach (var link in doc.RootElement.EnumerateArray())
        {
            foreach (var info in link.GetProperty("addr_info").EnumerateArray())
            {
                var prefix = info.GetProperty("prefixlen").GetInt32();
                var local = info.GetProperty("local").GetString()!;
                if (prefix is >= 8 and <= 30 && !local.StartsWith("127.", StringComparison.Ordinal))
                {
                    var parts = local.Split('.');
                    var last = int.Parse(parts[3], global::System.Globalization.CultureInfo.InvariantCulture) == 9 ? "10" : "9";
                    return $"{parts[0]}.{parts[1]}.{parts[2]}.{last}/{prefix}";
                }
            }
        }

        Assert.Skip("the host has no routed IPv4 subnet to clash with");
        return "";
    }

    private static bool IsDnsmasq(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("dnsmasq", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
