using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Berth.Client.Transport;

/// <summary>
/// A client websocket over berthd's unix socket with a hand-made upgrade request and frame code (RFC 6455, client
/// side), instead of ClientWebSocket or WebSocket.CreateFromStream. Both check or make their random parts with
/// System.Security.Cryptography (the Sec-WebSocket-Accept SHA-1, every frame's mask key through RandomNumberGenerator),
/// which loads OpenSSL (libssl, libcrypto and its config) into a CLI that otherwise never needs it: about a tenth
/// of a short <c>berth exec</c>'s CPU. On a root-owned local socket the 101 status is the check that matters, and
/// the mask (which exists against cache poisoning through browser-driven proxies) comes from Random.Shared.
/// Frames go out with synchronous sends that report errors as codes: a send to a daemon that has already closed
/// (the usual end of an exec's stdin) then costs no SocketException with its captured stack trace.
/// </summary>
internal sealed class UnixWebSocket : WebSocket
{
    private const int MaxHeader = 14;
    private readonly Socket _socket;
    private readonly byte[] _in = new byte[16 * 1024];
    private readonly Lock _sendLock = new();
    private int _inStart;
    private int _inEnd;
    private WebSocketState _state = WebSocketState.Open;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeDescription;

    // The data frame being received: payload bytes left, whether it is the message's last, its mask.
    private bool _inFrame;
    private long _frameLeft;
    private bool _frameFin;
    private uint _frameMask;
    private int _maskOffset;
    private WebSocketMessageType _messageType;

    // Whether the last frame sent left its message open (the next one is then a continuation).
    private bool _sendContinues;
    private byte[] _out = new byte[4096];

    private UnixWebSocket(Socket socket)
    {
        _socket = socket;
    }

    public override WebSocketCloseStatus? CloseStatus => _closeStatus;

    public override string? CloseStatusDescription => _closeDescription;

    public override WebSocketState State => _state;

    public override string? SubProtocol => null;

    public static async Task<WebSocket> ConnectAsync(string socketPath, string pathAndQuery, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: unix.socket\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + $"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var webSocket = new UnixWebSocket(socket);
            var head = await webSocket.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                var status = head.Split("\r\n", 2)[0];
                throw new WebSocketException(WebSocketError.NotAWebSocket, $"The server refused the websocket: {status}");
            }

            return webSocket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads the response head; whatever follows it (the first frames) stays in the input buffer.</summary>
    private async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var end = _in.AsSpan(scanned, _inEnd - scanned).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                _inStart = scanned + end + 4;
                return Encoding.ASCII.GetString(_in, 0, _inStart);
            }

            scanned = Math.Max(0, _inEnd - 3);
            if (_inEnd == _in.Length)
            {
                throw new WebSocketException(WebSocketError.HeaderError, "The websocket upgrade response is too long");
            }

            var read = await _socket.ReceiveAsync(_in.AsMemory(_inEnd), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server closed the connection during the websocket upgrade");
            }

            _inEnd += read;
        }
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        return result.MessageType == WebSocketMessageType.Close
            ? new WebSocketReceiveResult(0, WebSocketMessageType.Close, true, _closeStatus, _closeDescription)
            : new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage);
    }

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_state is not (WebSocketState.Open or WebSocketState.CloseSent))
        {
            throw new WebSocketException(WebSocketError.InvalidState, $"The websocket is {_state}: nothing more to receive");
        }

        try
        {
            while (!_inFrame)
            {
                if (await ReadFrameHeaderAsync(cancellationToken).ConfigureAwait(false) is { } control)
                {
                    return control;
                }
            }

            if (_frameLeft == 0)
            {
                _inFrame = false;
                return new ValueWebSocketReceiveResult(0, _messageType, _frameFin);
            }

            int count;
            var want = (int)Math.Min(buffer.Length, _frameLeft);
            if (_inEnd > _inStart)
            {
                count = Math.Min(want, _inEnd - _inStart);
                _in.AsMemory(_inStart, count).CopyTo(buffer);
                _inStart += count;
            }
            else
            {
                count = await _socket.ReceiveAsync(buffer[..want], SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (count == 0)
                {
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server closed the connection in the middle of a frame");
                }
            }

            if (_frameMask != 0)
            {
                _maskOffset = ApplyMask(buffer.Span[..count], _frameMask, _maskOffset);
            }

            _frameLeft -= count;
            var frameDone = _frameLeft == 0;
            if (frameDone)
            {
                _inFrame = false;
            }

            return new ValueWebSocketReceiveResult(count, _messageType, frameDone && _frameFin);
        }
        catch (SocketException e)
        {
            _state = WebSocketState.Aborted;
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, e.Message, e);
        }
    }

    /// <summary>Reads one frame header. Data frames start <c>_inFrame</c>; control frames are handled here
    /// (ping answered, pong ignored: null) and a close is returned.</summary>
    private async ValueTask<ValueWebSocketReceiveResult?> ReadFrameHeaderAsync(CancellationToken cancellationToken)
    {
        await FillAsync(2, cancellationToken).ConfigureAwait(false);
        var b0 = _in[_inStart];
        var b1 = _in[_inStart + 1];
        var lengthBytes = (b1 & 0x7F) switch { 126 => 2, 127 => 8, _ => 0 };
        var masked = (b1 & 0x80) != 0;
        var headerLength = 2 + lengthBytes + (masked ? 4 : 0);
        await FillAsync(headerLength, cancellationToken).ConfigureAwait(false);
        var at = _inStart + 2;
        long length = lengthBytes switch
        {
            2 => (_in[at] << 8) | _in[at + 1],
            8 => (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(_in.AsSpan(at, 8)),
            _ => b1 & 0x7F,
        };
        var mask = masked ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(_in.AsSpan(at + lengthBytes, 4)) : 0u;
        _inStart += headerLength;
        var fin = (b0 & 0x80) != 0;
        var opcode = b0 & 0x0F;
        if (opcode >= 8)
        {
            if (length > 125 || !fin)
            {
                throw Fail("The server sent a malformed control frame");
            }

            await FillAsync((int)length, cancellationToken).ConfigureAwait(false);
            var payload = _in.AsSpan(_inStart, (int)length).ToArray();
            _inStart += (int)length;
            if (mask != 0)
            {
                ApplyMask(payload, mask, 0);
            }

            switch (opcode)
            {
                case 0x8:
                    _closeStatus = payload.Length >= 2 ? (WebSocketCloseStatus)((payload[0] << 8) | payload[1]) : WebSocketCloseStatus.Empty;
                    _closeDescription = payload.Length > 2 ? Encoding.UTF8.GetString(payload, 2, payload.Length - 2) : null;
                    _state = _state == WebSocketState.CloseSent ? WebSocketState.Closed : WebSocketState.CloseReceived;
                    return new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, true);
                case 0x9:
                    if (_state == WebSocketState.Open)
                    {
                        SendFrame(0xA, true, payload);
                    }

                    return null;
                case 0xA:
                    return null;
                default:
                    throw Fail($"The server sent an unknown control opcode {opcode}");
            }
        }

        switch (opcode)
        {
            case 0x1:
                _messageType = WebSocketMessageType.Text;
                break;
            case 0x2:
                _messageType = WebSocketMessageType.Binary;
                break;
            case 0x0:
                break;
            default:
                throw Fail($"The server sent an unknown opcode {opcode}");
        }

        _inFrame = true;
        _frameLeft = length;
        _frameFin = fin;
        _frameMask = mask;
        _maskOffset = 0;
        return null;
    }

    private WebSocketException Fail(string message)
    {
        _state = WebSocketState.Aborted;
        _socket.Dispose();
        return new WebSocketException(WebSocketError.Faulted, message);
    }

    /// <summary>Until at least <paramref name="count"/> bytes (at most a header or a control frame) are buffered.</summary>
    private async ValueTask FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_inEnd - _inStart >= count)
        {
            return;
        }

        if (_inStart > 0)
        {
            Buffer.BlockCopy(_in, _inStart, _in, 0, _inEnd - _inStart);
            _inEnd -= _inStart;
            _inStart = 0;
        }

        while (_inEnd < count)
        {
            var read = await _socket.ReceiveAsync(_in.AsMemory(_inEnd), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _state = WebSocketState.Aborted;
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server closed the connection without a websocket close");
            }

            _inEnd += read;
        }
    }

    /// <summary>XORs with the 4-byte key (in wire order, read little-endian) from key offset <paramref name="offset"/>; returns the next offset.</summary>
    private static int ApplyMask(Span<byte> data, uint mask, int offset)
    {
        Span<byte> key = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(key, mask);
        for (var i = 0; i < data.Length; i++)
        {
            data[i] ^= key[(offset + i) & 3];
        }

        return (offset + data.Length) & 3;
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        if (messageType is not (WebSocketMessageType.Text or WebSocketMessageType.Binary))
        {
            throw new ArgumentException("Only text and binary messages are sent with SendAsync; close with CloseAsync or CloseOutputAsync", nameof(messageType));
        }

        if (_state is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return ValueTask.FromException(new WebSocketException(WebSocketError.InvalidState, $"The websocket is {_state}: nothing more can be sent"));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        var opcode = _sendContinues ? 0x0 : messageType == WebSocketMessageType.Text ? 0x1 : 0x2;
        _sendContinues = !endOfMessage;
        try
        {
            SendFrame(opcode, endOfMessage, buffer.Span);
        }
        catch (WebSocketException e)
        {
            return ValueTask.FromException(e);
        }

        return ValueTask.CompletedTask;
    }

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        if (_state is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return Task.CompletedTask;
        }

        var description = Encoding.UTF8.GetBytes(statusDescription ?? "");
        var payload = new byte[2 + Math.Min(description.Length, 123)];
        payload[0] = (byte)((int)closeStatus >> 8);
        payload[1] = (byte)closeStatus;
        description.AsSpan(0, payload.Length - 2).CopyTo(payload.AsSpan(2));
        try
        {
            SendFrame(0x8, true, payload);
        }
        catch (WebSocketException e)
        {
            return Task.FromException(e);
        }

        _state = _state == WebSocketState.CloseReceived ? WebSocketState.Closed : WebSocketState.CloseSent;
        return Task.CompletedTask;
    }

    public override async Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        await CloseOutputAsync(closeStatus, statusDescription, cancellationToken).ConfigureAwait(false);
        var scratch = new byte[4096];
        while (_state == WebSocketState.CloseSent)
        {
            await ReceiveAsync(scratch.AsMemory(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One masked frame, written synchronously (small on a local socket); a failed send is a WebSocketException.</summary>
    private void SendFrame(int opcode, bool fin, ReadOnlySpan<byte> payload)
    {
        lock (_sendLock)
        {
            var mask = (uint)Random.Shared.Next() | 1u; // never 0: a zero key would look unmasked to ApplyMask
            const int Chunk = 64 * 1024;
            var first = Math.Min(payload.Length, Chunk);
            if (_out.Length < MaxHeader + first)
            {
                _out = new byte[MaxHeader + first];
            }

            var header = 2;
            _out[0] = (byte)((fin ? 0x80 : 0) | opcode);
            if (payload.Length < 126)
            {
                _out[1] = (byte)(0x80 | payload.Length);
            }
            else if (payload.Length <= ushort.MaxValue)
            {
                _out[1] = 0x80 | 126;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_out.AsSpan(2), (ushort)payload.Length);
                header += 2;
            }
            else
            {
                _out[1] = 0x80 | 127;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(_out.AsSpan(2), (ulong)payload.Length);
                header += 8;
            }

            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(_out.AsSpan(header), mask);
            header += 4;
            var offset = 0;
            var chunk = first;
            var keyOffset = 0;
            while (true)
            {
                payload.Slice(offset, chunk).CopyTo(_out.AsSpan(header));
                keyOffset = ApplyMask(_out.AsSpan(header, chunk), mask, keyOffset);
                SendAll(_out.AsSpan(0, header + chunk));
                offset += chunk;
                if (offset == payload.Length)
                {
                    return;
                }

                header = 0;
                chunk = Math.Min(payload.Length - offset, Chunk);
            }
        }
    }

    private void SendAll(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            var sent = _socket.Send(data, SocketFlags.None, out var error);
            if (error != SocketError.Success)
            {
                _state = WebSocketState.Aborted;
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, $"The websocket's connection failed: {error}");
            }

            data = data[sent..];
        }
    }

    public override void Abort()
    {
        _state = WebSocketState.Aborted;
        _socket.Dispose();
    }

    public override void Dispose()
    {
        if (_state != WebSocketState.Aborted)
        {
            _state = WebSocketState.Closed;
        }

        _socket.Dispose();
    }
}
