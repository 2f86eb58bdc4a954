using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Berth.Client.Transport;

/// <summary>
/// A client websocket over berthd's unix socket with a hand-made upgrade request. ClientWebSocket checks the
/// server's Sec-WebSocket-Accept with SHA-1, which loads OpenSSL (libssl and its config) into a CLI that otherwise
/// never needs it: a visible share of a short <c>berth exec</c>. On a root-owned local socket the 101 status is the
/// check that matters; frames are then handled by .NET's own websocket implementation.
/// </summary>
internal static class UnixWebSocket
{
    public static async Task<WebSocket> ConnectAsync(string socketPath, string pathAndQuery, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: unix.socket\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + $"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);
            var head = await ReadHeadAsync(stream, cancellationToken).ConfigureAwait(false);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                var status = head.Split("\r\n", 2)[0];
                throw new WebSocketException(WebSocketError.NotAWebSocket, $"The server refused the websocket: {status}");
            }

            return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads the response head byte by byte, so nothing of the first frame is consumed with it.</summary>
    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (head.Length < 16 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server closed the connection during the websocket upgrade");
            }

            head.Append((char)one[0]);
            if (head.Length >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                return head.ToString();
            }
        }

        throw new WebSocketException(WebSocketError.HeaderError, "The websocket upgrade response is too long");
    }
}
