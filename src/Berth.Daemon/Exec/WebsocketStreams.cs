using System.Net.WebSockets;

namespace Berth.Daemon.Exec;

/// <summary>
/// LXD's stream framing over websockets: data in binary frames; an empty text frame (or a close) marks the end of a
/// stream while the socket stays usable.
/// </summary>
internal static class WebsocketStreams
{
    /// <summary>Copies frames from the socket into <paramref name="target"/> until end of stream; then closes target.</summary>
    public static async Task ReceiveToAsync(WebSocket socket, Stream target, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close || (result.MessageType == WebSocketMessageType.Text && result.Count == 0 && result.EndOfMessage))
                {
                    break;
                }

                if (result.MessageType == WebSocketMessageType.Binary && result.Count > 0)
                {
                    await target.WriteAsync(buffer.AsMemory(0, result.Count), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            await target.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends everything read from <paramref name="source"/> as binary frames, then the end-of-stream marker.</summary>
    public static async Task SendFromAsync(Stream source, WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // A pty master reads EIO once the last slave is closed: that is its end of stream.
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            return;
        }

        await SendEndAsync(socket).ConfigureAwait(false);
    }

    public static async Task SendEndAsync(WebSocket socket)
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
        }
    }

    public static async Task CloseAsync(WebSocket socket)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }
}
