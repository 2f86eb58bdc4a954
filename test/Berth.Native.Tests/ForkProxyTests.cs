using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Berth.Native.Tests;

/// <summary>
/// berth-fork's forwarder (<c>forkproxy</c>) on the host's own network namespace (the test process is the "container"):
/// bytes arrive whole and in order in both directions, small messages go back and forth without waiting, and a
/// half-close is passed on after the data before it, over tcp and unix listeners.
/// </summary>
public sealed class ForkProxyTests
{
    [Theory]
    [InlineData("tcp")]
    [InlineData("unix")]
    public async Task Forwarder_MovesBulkAndSmallMessages_AndPassesTheHalfCloseOn(string listen)
    {
        NativeRequirements.RequireHelper();
        NativeRequirements.Require(Environment.UserName == "root", "forkproxy enters network namespaces: run as root");
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _ = ServeEchoAsync(echo, cts.Token);
        var socketPath = Path.Combine(Path.GetTempPath(), $"berth-px-{Guid.NewGuid():N}.sock");
        var port = FreePort();
        var listenAt = listen == "tcp" ? $"tcp:127.0.0.1:{port}" : "unix:" + socketPath;
        var start = new ProcessStartInfo(BerthLibexec.ForkHelperPath) { RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "forkproxy", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), listenAt, $"tcp:127.0.0.1:{((IPEndPoint)echo.LocalEndpoint).Port}", "host" })
        {
            start.ArgumentList.Add(arg);
        }

        using var proxy = Process.Start(start)!;
        try
        {
            Assert.Equal("ok", (await proxy.StandardOutput.ReadLineAsync(cts.Token))?.Trim());
            foreach (var size in new[] { 1, 100, 65536, 65537, 3_000_000 })
            {
                var data = new byte[size];
                Random.Shared.NextBytes(data);
                using var client = await ConnectAsync(listen, port, socketPath, cts.Token);
                var send = Task.Run(async () =>
                {
                    await client.SendAsync(data, cts.Token);
                    client.Shutdown(SocketShutdown.Send);
                }, cts.Token);
                var received = await ReadToEndAsync(client, cts.Token);
                await send;
                Assert.True(data.AsSpan().SequenceEqual(received), $"{size} bytes sent, {received.Length} came back different");
            }

            // Request/response on one connection: each small message comes back before the next is sent.
            using var chat = await ConnectAsync(listen, port, socketPath, cts.Token);
            var buffer = new byte[64];
            for (var i = 0; i < 200; i++)
            {
                var message = System.Text.Encoding.ASCII.GetBytes($"message {i:D4}");
                await chat.SendAsync(message, cts.Token);
                var got = 0;
                while (got < message.Length)
                {
                    var n = await chat.ReceiveAsync(buffer.AsMemory(got), cts.Token);
                    Assert.True(n > 0, "the forwarder closed the connection");
                    got += n;
                }

                Assert.Equal(message, buffer[..got]);
            }
        }
        finally
        {
            proxy.Kill();
            await proxy.WaitForExitAsync(CancellationToken.None);
            File.Delete(socketPath);
        }
    }

    [Fact]
    public async Task Forwarder_BulkBothWays_IsNotPacedByDelayedAcks()
    {
        NativeRequirements.RequireHelper();
        NativeRequirements.Require(Environment.UserName == "root", "forkproxy enters network namespaces: run as root");
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _ = ServeEchoAsync(echo, cts.Token);
        var port = FreePort();
        var start = new ProcessStartInfo(BerthLibexec.ForkHelperPath) { RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "forkproxy", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"tcp:127.0.0.1:{port}", $"tcp:127.0.0.1:{((IPEndPoint)echo.LocalEndpoint).Port}", "host" })
        {
            start.ArgumentList.Add(arg);
        }

        using var proxy = Process.Start(start)!;
        try
        {
            Assert.Equal("ok", (await proxy.StandardOutput.ReadLineAsync(cts.Token))?.Trim());
            // 32 MB each way takes well under a second; a send buffer too small for two segments waits for the
            // receiver's delayed ACK (40 ms) after each 64 kB segment, which makes it 20 s.
            var data = new byte[32 << 20];
            Random.Shared.NextBytes(data);
            var clock = Stopwatch.StartNew();
            using var client = await ConnectAsync("tcp", port, "", cts.Token);
            var send = Task.Run(async () =>
            {
                await client.SendAsync(data, cts.Token);
                client.Shutdown(SocketShutdown.Send);
            }, cts.Token);
            var received = await ReadToEndAsync(client, cts.Token);
            await send;
            Assert.True(data.AsSpan().SequenceEqual(received), $"{data.Length} bytes sent, {received.Length} came back different");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"32 MB each way took {clock.Elapsed}");
        }
        finally
        {
            proxy.Kill();
            await proxy.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task<Socket> ConnectAsync(string listen, int port, string socketPath, CancellationToken cancellationToken)
    {
        var socket = listen == "tcp" ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        EndPoint endpoint = listen == "tcp" ? new IPEndPoint(IPAddress.Loopback, port) : new UnixDomainSocketEndPoint(socketPath);
        await socket.ConnectAsync(endpoint, cancellationToken);
        return socket;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var all = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, cancellationToken)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return all.ToArray();
    }

    /// <summary>Echoes each connection's bytes back; at its EOF, half-closes and closes.</summary>
    private static async Task ServeEchoAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var socket = await listener.AcceptSocketAsync(cancellationToken);
            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    var buffer = new byte[1 << 16];
                    int n;
                    while ((n = await socket.ReceiveAsync(buffer, cancellationToken)) > 0)
                    {
                        await socket.SendAsync(buffer.AsMemory(0, n), cancellationToken);
                    }

                    socket.Shutdown(SocketShutdown.Send);
                }
            }, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
