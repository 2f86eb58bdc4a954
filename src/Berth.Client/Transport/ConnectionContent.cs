using System.Net;

namespace Berth.Client.Transport;

/// <summary>
/// A response body read straight from the connection. Unlike StreamContent it hands out the stream itself, so
/// after an upgrade the websocket can write to it too.
/// </summary>
internal sealed class ConnectionContent(Stream body) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => body.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        body.CopyToAsync(stream, cancellationToken);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => body;

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(body);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
        }

        base.Dispose(disposing);
    }
}
