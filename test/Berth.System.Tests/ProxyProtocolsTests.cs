using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Berth.System.Tests;

/// <summary>
/// Proxy devices beyond host tcp, through Debian's lxc: udp, unix sockets on either side and bind=instance (listening
/// inside the container, connecting on the host). Servers run in this test process on loopback; the container side is
/// reached by chaining two proxy devices (one per direction), so no tool is needed inside busybox.
/// </summary>
public sealed class ProxyProtocolsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Lxc_UdpBothWays_RoundTrip()
    {
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "u1")).ExitCode);
        using var echo = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var echoPort = ((IPEndPoint)echo.Client.LocalEndPoint!).Port;
        using var cts = new CancellationTokenSource(Wait * 3);
        var server = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                var got = await echo.ReceiveAsync(cts.Token);
                await echo.SendAsync(got.Buffer.Reverse().ToArray(), got.RemoteEndPoint, cts.Token);
            }
        }, cts.Token);

        // back: inside the container udp:127.0.0.1:5300 -> the echo server on the host.
        var back = await _berthd.LxcAsync("config", "device", "add", "u1", "back", "proxy", "bind=instance", "listen=udp:127.0.0.1:5300", $"connect=udp:127.0.0.1:{echoPort}");
        Assert.True(back.ExitCode == 0, back + _berthd.Log());
        var port = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var front = await _berthd.LxcAsync("config", "device", "add", "u1", "front", "proxy", $"listen=udp:127.0.0.1:{port}", "connect=udp:127.0.0.1:5300");
        Assert.True(front.ExitCode == 0, front + _berthd.Log());

        using var client = new UdpClient();
        client.Connect(IPAddress.Loopback, port);
        await client.SendAsync("ping-udp"u8.ToArray(), cts.Token);
        var reply = await client.ReceiveAsync(cts.Token);
        Assert.Equal("pdu-gnip", Encoding.ASCII.GetString(reply.Buffer));

        // The forwarder is a small native process, not a runtime per device.
        var pidFile = Path.Combine(_berthd.Dir, "containers", "u1", "proxy.front.pid");
        var rss = File.ReadAllLines($"/proc/{File.ReadAllText(pidFile).Trim()}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        Assert.True(long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], global::System.Globalization.CultureInfo.InvariantCulture) < 10 * 1024, rss);

        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", "u1", "front")).ExitCode);
        Assert.False(File.Exists(pidFile));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server);
    }

    [Fact]
    public async Task Lxc_UnixSocketsAndBindInstance_ChainToHostServer()
    {
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "x1")).ExitCode);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serverPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource(Wait * 3);
        var server = Task.Run(async () =>
        {
            using var conn = await listener.AcceptTcpClientAsync(cts.Token);
            var stream = conn.GetStream();
            var buffer = new byte[64];
            var n = await stream.ReadAsync(buffer, cts.Token);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("host-saw:" + Encoding.ASCII.GetString(buffer, 0, n)), cts.Token);
        }, cts.Token);

        // bind=instance: a unix socket inside the container whose connections go to the host's tcp server.
        var inner = await _berthd.LxcAsync("config", "device", "add", "x1", "inner", "proxy", "bind=instance", "listen=unix:/tmp/inner.sock", $"connect=tcp:127.0.0.1:{serverPort}");
        Assert.True(inner.ExitCode == 0, inner + _berthd.Log());
        var owner = await _berthd.LxcAsync("exec", "x1", "--", "stat", "-c", "%u %a %F", "/tmp/inner.sock");
        Assert.Equal("0 644 socket\n", owner.Stdout);

        // bind=host: a unix socket on the host connecting to that socket inside the container.
        var hostSock = Path.Combine(_berthd.Dir, "outer.sock");
        var outer = await _berthd.LxcAsync("config", "device", "add", "x1", "outer", "proxy", $"listen=unix:{hostSock}", "connect=unix:/tmp/inner.sock");
        Assert.True(outer.ExitCode == 0, outer + _berthd.Log());

        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(hostSock), cts.Token);
        await client.SendAsync("hello"u8.ToArray(), cts.Token);
        var reply = new byte[64];
        var got = 0;
        for (var i = 0; i < 10 && got < "host-saw:hello".Length; i++)
        {
            var n = await client.ReceiveAsync(reply.AsMemory(got), cts.Token);
            if (n == 0)
            {
                break;
            }

            got += n;
        }

        Assert.Equal("host-saw:hello", Encoding.ASCII.GetString(reply, 0, got));
        await server;

        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", "x1", "outer")).ExitCode);
        Assert.False(File.Exists(hostSock), "the host socket is removed with its device");
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", "x1", "inner")).ExitCode);
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", "x1", "--", "test", "-e", "/tmp/inner.sock")).ExitCode);
    }

    [Fact]
    public async Task Lxc_BindInstanceTcp_ListensInsideOnly()
    {
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", "b1")).ExitCode);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serverPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource(Wait * 3);
        var server = Task.Run(async () =>
        {
            using var conn = await listener.AcceptTcpClientAsync(cts.Token);
            var stream = conn.GetStream();
            var buffer = new byte[1024];
            _ = await stream.ReadAsync(buffer, cts.Token);
            await stream.WriteAsync("HTTP/1.0 200 OK\r\nContent-Length: 8\r\n\r\nfromhost"u8.ToArray(), cts.Token);
        }, cts.Token);

        var inside = FreePort(SocketType.Stream, ProtocolType.Tcp);
        var add = await _berthd.LxcAsync("config", "device", "add", "b1", "up", "proxy", "bind=instance", $"listen=tcp:127.0.0.1:{inside}", $"connect=tcp:127.0.0.1:{serverPort}");
        Assert.True(add.ExitCode == 0, add + _berthd.Log());
        var get = await _berthd.LxcAsync("exec", "b1", "--", "wget", "-q", "-O", "-", $"http://127.0.0.1:{inside}/");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("fromhost", get.Stdout);
        await server;

        // It listens in the container's namespace, not the host's.
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, inside, cts.Token).AsTask());
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, type, protocol);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
