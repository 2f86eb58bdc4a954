using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Berth.Client.Transport;

namespace Berth.Client.Tests.Transport;

/// <summary>The hand-made client websocket against .NET's own server-side websocket (what Kestrel runs in berthd).</summary>
public sealed class UnixWebSocketTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-ws-").FullName;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Listens once; answers the upgrade (plus <paramref name="firstFrames"/> in the same write) and hands over a server websocket.</summary>
    private async Task<(WebSocket Client, WebSocket Server)> ConnectAsync(byte[]? firstFrames = null)
    {
        var path = Path.Combine(_dir, "s");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        var accepting = Task.Run(async () =>
        {
            var socket = await listener.AcceptAsync(_ct);
            var stream = new NetworkStream(socket, ownsSocket: true);
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                Assert.Equal(1, await stream.ReadAsync(one, _ct));
                head.Append((char)one[0]);
            }

            Assert.StartsWith("GET /1.0/operations/x/websocket?secret=s HTTP/1.1\r\n", head.ToString(), StringComparison.Ordinal);
            var response = Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: x\r\n\r\n");
            await stream.WriteAsync(response.Concat(firstFrames ?? []).ToArray(), _ct);
            return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        }, _ct);
        var client = await UnixWebSocket.ConnectAsync(path, "/1.0/operations/x/websocket?secret=s", _ct);
        var server = await accepting;
        File.Delete(path);
        return (client, server);
    }

    private async Task<(byte[] Data, WebSocketMessageType Type)> ReceiveMessageAsync(WebSocket socket, int bufferSize = 7)
    {
        var data = new MemoryStream();
        var buffer = new byte[bufferSize];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), _ct);
            data.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (data.ToArray(), result.MessageType);
            }
        }
    }

    [Fact]
    public async Task Messages_RoundTripBothWays_InPiecesAndWhole()
    {
        var (client, server) = await ConnectAsync();
        using (client)
        using (server)
        {
            var big = new byte[300_000];
            Random.Shared.NextBytes(big);
            foreach (var payload in new[] { "hi"u8.ToArray(), new byte[200], big, [] })
            {
                // Received while sent: a message bigger than the socket's buffer is only sent once it is being read.
                var receiving = ReceiveMessageAsync(server, 64 * 1024);
                await client.SendAsync(payload, WebSocketMessageType.Binary, true, _ct);
                var (got, type) = await receiving;
                Assert.Equal(WebSocketMessageType.Binary, type);
                Assert.Equal(payload, got);

                receiving = ReceiveMessageAsync(client);
                await server.SendAsync(payload, WebSocketMessageType.Binary, true, _ct);
                (got, type) = await receiving;
                Assert.Equal(WebSocketMessageType.Binary, type);
                Assert.Equal(payload, got);
            }

            // A message sent in two parts arrives as one on the other side.
            await client.SendAsync("ab"u8.ToArray(), WebSocketMessageType.Text, false, _ct);
            await client.SendAsync("cd"u8.ToArray(), WebSocketMessageType.Text, true, _ct);
            var (text, textType) = await ReceiveMessageAsync(server);
            Assert.Equal(WebSocketMessageType.Text, textType);
            Assert.Equal("abcd", Encoding.UTF8.GetString(text));
        }
    }

    [Fact]
    public async Task EmptyTextFrame_IsReceivedAsZeroCountEndOfMessage()
    {
        var (client, server) = await ConnectAsync();
        using (client)
        using (server)
        {
            await server.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, true, _ct);
            var result = await client.ReceiveAsync(new byte[16], _ct);
            Assert.Equal((0, WebSocketMessageType.Text, true), (result.Count, result.MessageType, result.EndOfMessage));
        }
    }

    [Fact]
    public async Task FramesSentWithTheUpgradeResponse_AreNotLost()
    {
        // An unmasked binary frame "xyz" and an empty text frame, in the same write as the 101.
        var (client, server) = await ConnectAsync([0x82, 3, (byte)'x', (byte)'y', (byte)'z', 0x81, 0]);
        using (client)
        using (server)
        {
            var (data, _) = await ReceiveMessageAsync(client);
            Assert.Equal("xyz", Encoding.ASCII.GetString(data));
            var end = await client.ReceiveAsync(new byte[16], _ct);
            Assert.Equal((0, WebSocketMessageType.Text), (end.Count, end.MessageType));
        }
    }

    [Fact]
    public async Task Close_FromEitherSide_CompletesTheHandshake()
    {
        var (client, server) = await ConnectAsync();
        using (client)
        using (server)
        {
            var serverReceive = server.ReceiveAsync(new byte[16], _ct);
            await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", _ct);
            Assert.Equal(WebSocketState.CloseSent, client.State);
            var closed = await serverReceive;
            Assert.Equal(WebSocketMessageType.Close, closed.MessageType);
            Assert.Equal("bye", server.CloseStatusDescription);
            await server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, _ct);
            var last = await client.ReceiveAsync(new byte[16], _ct);
            Assert.Equal(WebSocketMessageType.Close, last.MessageType);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
            Assert.Equal(WebSocketState.Closed, client.State);
        }

        (client, server) = await ConnectAsync();
        using (client)
        using (server)
        {
            var closing = server.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", _ct);
            var received = await client.ReceiveAsync(new byte[16], _ct);
            Assert.Equal(WebSocketMessageType.Close, received.MessageType);
            Assert.Equal(WebSocketState.CloseReceived, client.State);
            await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, _ct);
            await closing;
            Assert.Equal(WebSocketState.Closed, client.State);
        }
    }

    [Fact]
    public async Task SendAfterThePeerIsGone_ThrowsWebSocketException()
    {
        var (client, server) = await ConnectAsync();
        using (client)
        {
            server.Abort();
            server.Dispose();
            var e = await Record.ExceptionAsync(async () =>
            {
                for (var i = 0; i < 100; i++)
                {
                    await client.SendAsync(new byte[64 * 1024], WebSocketMessageType.Binary, true, _ct);
                }
            });
            Assert.IsType<WebSocketException>(e);
            await Assert.ThrowsAsync<WebSocketException>(async () => await client.ReceiveAsync(new byte[16], _ct));
        }
    }
}
