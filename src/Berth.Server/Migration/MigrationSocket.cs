using System.Net.WebSockets;

namespace Berth.Server.Migration;

/// <summary>
/// One migration websocket as LXD uses it (shared.WebsocketIO): whole binary messages on the control channel; on
/// the fs channel a sequence of segments, each a run of binary messages closed by an empty text message. Sends are
/// serialised; one reader at a time.
/// </summary>
public sealed class MigrationSocket(WebSocket socket) : IDisposable
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public WebSocket WebSocket => socket;

    public async Task SendMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Ends the current fs segment (the empty text message LXD calls a barrier).</summary>
    public async Task EndSegmentAsync(CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next whole binary message; throws when the socket closes or a text message arrives.</summary>
    public async Task<byte[]> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The migration peer closed the connection");
            }

            if (result.MessageType != WebSocketMessageType.Binary)
            {
                throw new InvalidDataException("Only binary messages are allowed on the migration control channel");
            }

            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage)
            {
                return buffer.ToArray();
            }
        }
    }

    /// <summary>Reads the current fs segment into <paramref name="destination"/>; 0 at its end (the barrier).</summary>
    public async ValueTask<int> ReadSegmentAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await socket.ReceiveAsync(destination, cancellationToken).ConfigureAwait(false);
            if (result.MessageType is WebSocketMessageType.Close or WebSocketMessageType.Text)
            {
                if (result.MessageType == WebSocketMessageType.Text && !result.EndOfMessage)
                {
                    throw new InvalidDataException("Unexpected text data on the migration fs channel");
                }

                return 0;
            }

            if (result.Count > 0)
            {
                return result.Count;
            }
        }
    }

    /// <summary>A whole fs segment (the JSON index header and its answer).</summary>
    public async Task<byte[]> ReadSegmentAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await ReadSegmentAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > 64 * 1024 * 1024)
            {
                throw new InvalidDataException("Migration index header too large");
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Sends <paramref name="data"/> as one segment.</summary>
    public async Task WriteSegmentAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await SendMessageAsync(data, cancellationToken).ConfigureAwait(false);
        await EndSegmentAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Says goodbye with a close frame (bounded), as LXD's disconnect does; errors are ignored.</summary>
    public async Task CloseAsync()
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _sendLock.Dispose();
}
