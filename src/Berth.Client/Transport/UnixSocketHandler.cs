using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Berth.Client.Transport;

/// <summary>
/// HTTP/1.1 over berthd's unix socket, one connection per request. SocketsHttpHandler's first request costs
/// about 60 ms of start-up in a short-lived CLI (measured: 80 ms against 20 ms for a plain socket), which is most
/// of <c>berth exec</c>'s own time; the daemon's socket needs none of its pooling, proxies or HTTP/2.
/// Upgrades (101) hand the connection to the caller as the response stream, so ClientWebSocket works over it.
/// </summary>
public sealed class UnixSocketHandler(string socketPath) : HttpMessageHandler
{
    public string SocketPath { get; } = socketPath;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var stream = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteRequestAsync(stream, request, cancellationToken).ConfigureAwait(false);
            var reader = new BufferedReader(stream);
            var response = await ReadResponseHeadAsync(reader, request, cancellationToken).ConfigureAwait(false);
            var headers = response.Content.Headers;
            Stream body;
            if (response.StatusCode == HttpStatusCode.SwitchingProtocols)
            {
                body = reader;
            }
            else if (request.Method == HttpMethod.Head || response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified)
            {
                body = new LengthLimitedStream(reader, 0);
            }
            else if (response.Headers.TransferEncodingChunked == true)
            {
                body = new ChunkedReadStream(reader);
            }
            else if (headers.ContentLength is { } length)
            {
                body = new LengthLimitedStream(reader, length);
            }
            else
            {
                body = reader;
            }

            var content = new ConnectionContent(body);
            foreach (var header in headers)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = content;
            return response;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<NetworkStream> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new HttpRequestException(e.Message, new BerthConnectionException(SocketPath, e));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task WriteRequestAsync(Stream stream, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI");
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"{request.Method.Method} {uri.PathAndQuery} HTTP/1.1\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Host: {uri.Authority}\r\n");
        var upgrade = request.Headers.Contains("Upgrade");
        if (!upgrade)
        {
            // The daemon closes after the response, so the body ends with the connection when it has no length.
            head.Append("Connection: close\r\n");
        }

        foreach (var header in request.Headers.Where(h => !h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)))
        {
            head.Append(CultureInfo.InvariantCulture, $"{header.Key}: {string.Join(", ", header.Value)}\r\n");
        }

        var content = request.Content;
        var chunked = false;
        if (content is not null)
        {
            // Reading ContentLength computes it for buffered and seekable content; anything else is sent chunked.
            var length = content.Headers.ContentLength;
            foreach (var header in content.Headers.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
            {
                head.Append(CultureInfo.InvariantCulture, $"{header.Key}: {string.Join(", ", header.Value)}\r\n");
            }

            if (length is { } known)
            {
                head.Append(CultureInfo.InvariantCulture, $"Content-Length: {known}\r\n");
            }
            else
            {
                chunked = true;
                head.Append("Transfer-Encoding: chunked\r\n");
            }
        }
        else if (request.Method == HttpMethod.Post || request.Method == HttpMethod.Put || request.Method == HttpMethod.Patch)
        {
            head.Append("Content-Length: 0\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
        if (content is not null)
        {
            if (chunked)
            {
                var writer = new ChunkedWriteStream(stream);
                await content.CopyToAsync(writer, cancellationToken).ConfigureAwait(false);
                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await content.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HttpResponseMessage> ReadResponseHeadAsync(BufferedReader reader, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var status = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new HttpRequestException("The daemon closed the connection before responding");
        var parts = status.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new HttpRequestException("Invalid HTTP status line from the daemon: " + status);
        }

        var response = new HttpResponseMessage((HttpStatusCode)code)
        {
            RequestMessage = request,
            ReasonPhrase = parts.Length > 2 ? parts[2] : "",
            Version = HttpVersion.Version11,
            Content = new ByteArrayContent([]),
        };
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }
}
