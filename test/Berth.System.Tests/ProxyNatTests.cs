using System.Net;
using System.Net.Sockets;

namespace Berth.System.Tests;

/// <summary>
/// Proxy devices with nat=true through Debian's lxc: DNAT rules in an nftables table of the device's own towards the
/// container's static address on a bridge made here, no forwarder process, and the table gone when the device is
/// removed or the container stops.
/// </summary>
public sealed class ProxyNatTests : IAsyncLifetime
{
    private readonly string _prefix = "bx" + Guid.NewGuid().ToString("N")[..5];
    private BerthdProcess _berthd = null!;

    private string Net => _prefix + "n";

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/sbin/dnsmasq") || File.Exists("/usr/bin/dnsmasq"), "dnsmasq is not installed");
        SystemRequirements.Require(File.Exists("/usr/sbin/nft") || File.Exists("/sbin/nft"), "nft is not installed");
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Lxc_NatProxy_DnatToStaticAddress_NoForwarder_RulesGoneOnRemoveAndStop()
    {
        var prefix = await TestNetwork.CreateBridgeAsync(_berthd, Net);
        var address = prefix + ".50";
        Assert.Equal(0, (await _berthd.LxcAsync("init", "busybox", "n1", "--network", Net)).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "set", "n1", "eth0", $"ipv4.address={address}")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("start", "n1")).ExitCode);
        await WaitForAddressAsync("n1", address);
        var httpd = await _berthd.LxcAsync("exec", "n1", "--", "sh", "-c", "mkdir -p /tmp/www && echo nat-ok > /tmp/www/index.html && httpd -p 80 -h /tmp/www");
        Assert.True(httpd.ExitCode == 0, httpd.ToString());
        var port = FreePort();

        var add = await _berthd.LxcAsync("config", "device", "add", "n1", "web", "proxy", $"listen=tcp:{prefix}.1:{port}", $"connect=tcp:{address}:80", "nat=true");
        Assert.True(add.ExitCode == 0, add + _berthd.Log());
        var dir = Path.Combine(_berthd.Dir, "containers", "n1");
        Assert.Empty(Directory.GetFiles(dir, "proxy.*.pid"));
        var table = File.ReadAllText(Path.Combine(dir, "proxy.web.nat")).Trim();
        var rules = await ProcessRunner.RunAsync("nft", ["list", "table", "ip", table]);
        Assert.True(rules.ExitCode == 0, rules.ToString());
        Assert.Contains($"dnat to {address}:80", rules.Stdout, StringComparison.Ordinal);
        Assert.Equal("nat-ok\n", await GetAsync(IPAddress.Parse(prefix + ".1"), port));

        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", "n1", "web")).ExitCode);
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("nft", ["list", "table", "ip", table])).ExitCode);
        await Assert.ThrowsAnyAsync<Exception>(() => GetAsync(IPAddress.Parse(prefix + ".1"), port));

        // The connect address must be the static one; refused and not added.
        var wrong = await _berthd.LxcAsync("config", "device", "add", "n1", "bad", "proxy", $"listen=tcp:{prefix}.1:{port}", $"connect=tcp:{prefix}.51:80", "nat=true");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("static IP", wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bad", (await _berthd.LxcAsync("config", "device", "list", "n1")).Stdout, StringComparison.Ordinal);

        // Rules follow the container: gone when it stops, back when it starts.
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "add", "n1", "web", "proxy", $"listen=tcp:{prefix}.1:{port}", $"connect=tcp:{address}:80", "nat=true")).ExitCode);
        Assert.Equal(0, (await ProcessRunner.RunAsync("nft", ["list", "table", "ip", table])).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("stop", "n1", "--force")).ExitCode);
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("nft", ["list", "table", "ip", table])).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("start", "n1")).ExitCode);
        Assert.Equal(0, (await ProcessRunner.RunAsync("nft", ["list", "table", "ip", table])).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("delete", "n1", "--force")).ExitCode);
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("nft", ["list", "table", "ip", table])).ExitCode);
    }

    [Fact]
    public async Task Lxc_NatProxy_WithoutStaticAddress_IsRefused()
    {
        var prefix = await TestNetwork.CreateBridgeAsync(_berthd, Net);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "n2", "--network", Net)).ExitCode);
        var add = await _berthd.LxcAsync("config", "device", "add", "n2", "web", "proxy", $"listen=tcp:{prefix}.1:{FreePort()}", $"connect=tcp:{prefix}.60:80", "nat=true");
        Assert.Equal(1, add.ExitCode);
        Assert.Contains("static ipv4.address", add.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_berthd.Dir, "containers", "n2"), "proxy.*"));
    }

    private async Task WaitForAddressAsync(string instance, string address)
    {
        for (var i = 0; i < 100; i++)
        {
            if ((await _berthd.LxcAsync("exec", instance, "--", "ip", "-4", "addr", "show", "eth0")).Stdout.Contains("inet " + address + "/", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{instance} did not get {address}");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Any, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<string> GetAsync(IPAddress host, int port)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n"u8.ToArray(), cts.Token);
        using var reader = new StreamReader(stream);
        var response = await reader.ReadToEndAsync(cts.Token);
        var body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(response.StartsWith("HTTP/1.", StringComparison.Ordinal) && body > 0, "not an HTTP response: " + response);
        return response[(body + 4)..];
    }
}
