using System.Net;
using System.Net.Sockets;

namespace Berth.System.Tests;

/// <summary>Proxy devices through Debian's lxc: a host port on loopback forwarded to busybox httpd inside a container.</summary>
public sealed class ProxyDevicesTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Lxc_ProxyOnRunningContainer_ForwardsHostPort_SurvivesBerthdRestart_RemovedOnDeviceRemove()
    {
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "p1")).ExitCode);
        var httpd = await _berthd.LxcAsync("exec", "p1", "--", "sh", "-c", "mkdir -p /tmp/www && echo hello-from-p1 > /tmp/www/index.html && httpd -p 127.0.0.1:80 -h /tmp/www");
        Assert.True(httpd.ExitCode == 0, httpd.ToString());
        var port = TestNetwork.FreePort();

        var add = await _berthd.LxcAsync("config", "device", "add", "p1", "web", "proxy", $"listen=tcp:127.0.0.1:{port}", "connect=tcp:127.0.0.1:80");
        Assert.True(add.ExitCode == 0, add + _berthd.Log());
        Assert.Equal("hello-from-p1\n", await GetAsync(port));

        await _berthd.KillAsync();
        await _berthd.StartAgainAsync();
        Assert.Equal("hello-from-p1\n", await GetAsync(port));

        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", "p1", "web")).ExitCode);
        await Assert.ThrowsAnyAsync<Exception>(() => GetAsync(port));
    }

    [Fact]
    public async Task Lxc_ProxyOnTakenPort_FailsAndIsNotAdded()
    {
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "p2")).ExitCode);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var add = await _berthd.LxcAsync("config", "device", "add", "p2", "web", "proxy", $"listen=tcp:127.0.0.1:{port}", "connect=tcp:127.0.0.1:80");
        Assert.Equal(1, add.ExitCode);
        Assert.Contains("proxy device \"web\"", add.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await _berthd.LxcAsync("config", "device", "list", "p2")).Stdout.Trim());
        Assert.Empty(Directory.GetFiles(Path.Combine(_berthd.Dir, "containers", "p2"), "proxy.*.pid"));
    }

    [Fact]
    public async Task Lxc_ProxyPortRanges_ForwardEachPortToItsCounterpart_OrAllToOne()
    {
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "p3")).ExitCode);
        var httpd = await _berthd.LxcAsync("exec", "p3", "--", "sh", "-c",
            "for p in 80 81 82; do mkdir -p /tmp/w$p && echo port-$p > /tmp/w$p/index.html && httpd -p 127.0.0.1:$p -h /tmp/w$p; done");
        Assert.True(httpd.ExitCode == 0, httpd.ToString());
        var a = FreePorts(3);
        var b = FreePorts(2);

        var ranged = await _berthd.LxcAsync("config", "device", "add", "p3", "range", "proxy", $"listen=tcp:127.0.0.1:{a}-{a + 2}", "connect=tcp:127.0.0.1:80-82");
        Assert.True(ranged.ExitCode == 0, ranged + _berthd.Log());
        var toOne = await _berthd.LxcAsync("config", "device", "add", "p3", "one", "proxy", $"listen=tcp:127.0.0.1:{b},{b + 1}", "connect=tcp:127.0.0.1:81");
        Assert.True(toOne.ExitCode == 0, toOne + _berthd.Log());
        Assert.Equal("port-80\n", await GetAsync(a));
        Assert.Equal("port-81\n", await GetAsync(a + 1));
        Assert.Equal("port-82\n", await GetAsync(a + 2));
        Assert.Equal("port-81\n", await GetAsync(b));
        Assert.Equal("port-81\n", await GetAsync(b + 1));

        // Two connect ports for three listen ports: refused, nothing added.
        var c = FreePorts(3);
        var mismatch = await _berthd.LxcAsync("config", "device", "add", "p3", "bad", "proxy", $"listen=tcp:127.0.0.1:{c}-{c + 2}", "connect=tcp:127.0.0.1:80-81");
        Assert.Equal(1, mismatch.ExitCode);
        Assert.DoesNotContain("bad", (await _berthd.LxcAsync("config", "device", "list", "p3")).Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", "p3", "range")).ExitCode);
        await Assert.ThrowsAnyAsync<Exception>(() => GetAsync(a + 2));
        Assert.Equal("port-81\n", await GetAsync(b + 1));
    }

    [Fact]
    public async Task Lxc_ProfileProxy_AddedChangedRemoved_ReachesRunningContainer()
    {
        var profile = "px" + Guid.NewGuid().ToString("N")[..6];
        Assert.Equal(0, (await _berthd.LxcAsync("profile", "create", profile)).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "p4", "-p", "default", "-p", profile)).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "p5")).ExitCode);
        var httpd = await _berthd.LxcAsync("exec", "p4", "--", "sh", "-c",
            "for p in 80 81; do mkdir -p /tmp/w$p && echo port-$p > /tmp/w$p/index.html && httpd -p 127.0.0.1:$p -h /tmp/w$p; done");
        Assert.True(httpd.ExitCode == 0, httpd.ToString());
        var port = TestNetwork.FreePort();
        var other = TestNetwork.FreePort();

        var add = await _berthd.LxcAsync("profile", "device", "add", profile, "web", "proxy", $"listen=tcp:127.0.0.1:{port}", "connect=tcp:127.0.0.1:80");
        Assert.True(add.ExitCode == 0, add + _berthd.Log());
        Assert.Equal("port-80\n", await GetAsync(port));
        Assert.Single(Directory.GetFiles(Path.Combine(_berthd.Dir, "containers", "p4"), "proxy.*.pid"));
        // An instance not using the profile gets nothing.
        Assert.Empty(Directory.GetFiles(Path.Combine(_berthd.Dir, "containers", "p5"), "proxy.*.pid"));

        // A second device in the profile leaves the first one's open connection alone.
        using var held = new TcpClient();
        await held.ConnectAsync(IPAddress.Loopback, port);
        var second = await _berthd.LxcAsync("profile", "device", "add", profile, "api", "proxy", $"listen=tcp:127.0.0.1:{other}", "connect=tcp:127.0.0.1:81");
        Assert.True(second.ExitCode == 0, second + _berthd.Log());
        Assert.Equal("port-81\n", await GetAsync(other));
        Assert.Equal("port-80\n", await GetOnAsync(held));

        var change = await _berthd.LxcAsync("profile", "device", "set", profile, "web", "connect=tcp:127.0.0.1:81");
        Assert.True(change.ExitCode == 0, change + _berthd.Log());
        Assert.Equal("port-81\n", await GetAsync(port));

        Assert.Equal(0, (await _berthd.LxcAsync("profile", "device", "remove", profile, "web")).ExitCode);
        await Assert.ThrowsAnyAsync<Exception>(() => GetAsync(port));
        Assert.Equal("port-81\n", await GetAsync(other));

        // A stopped user starts with the profile's proxy.
        Assert.Equal(0, (await _berthd.LxcAsync("stop", "p4", "--force")).ExitCode);
        await Assert.ThrowsAnyAsync<Exception>(() => GetAsync(other));
        Assert.Equal(0, (await _berthd.LxcAsync("profile", "device", "remove", profile, "api")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("profile", "device", "add", profile, "web", "proxy", $"listen=tcp:127.0.0.1:{port}", "connect=tcp:127.0.0.1:80")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("start", "p4")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "p4", "--", "sh", "-c", "mkdir -p /tmp/w && echo again > /tmp/w/index.html && httpd -p 127.0.0.1:80 -h /tmp/w")).ExitCode);
        Assert.Equal("again\n", await GetAsync(port));
    }

    /// <summary>A GET on an already open connection (HTTP/1.0, so the server closes it after the answer).</summary>
    private static async Task<string> GetOnAsync(TcpClient client)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var stream = client.GetStream();
        await stream.WriteAsync("GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n"u8.ToArray(), cts.Token);
        using var reader = new StreamReader(stream);
        var response = await reader.ReadToEndAsync(cts.Token);
        return response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }

    /// <summary>The first of <paramref name="count"/> consecutive free loopback ports (bounded tries).</summary>
    private static int FreePorts(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20000, 60000);
            var probes = new List<TcpListener>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var probe = new TcpListener(IPAddress.Loopback, first + i);
                    probe.Start();
                    probes.Add(probe);
                }

                return first;
            }
            catch (SocketException)
            {
            }
            finally
            {
                probes.ForEach(p => p.Dispose());
            }
        }

        throw new InvalidOperationException("no free port range on loopback");
    }

    /// <summary>A plain HTTP/1.0 GET to 127.0.0.1, bounded in time; returns the body.</summary>
    private static async Task<string> GetAsync(int port)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n"u8.ToArray(), cts.Token);
        using var reader = new StreamReader(stream);
        var response = await reader.ReadToEndAsync(cts.Token);
        var body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(response.StartsWith("HTTP/1.", StringComparison.Ordinal) && body > 0, "not an HTTP response: " + response);
        return response[(body + 4)..];
    }
}
