using System.Globalization;

namespace Berth.Client.Transport;

/// <summary>A <c>Transfer-Encoding: chunked</c> response body, decoded.</summary>
internal sealed class ChunkedReadStream(BufferedReader inner) : ReadOnlyBodyStream(inner)
{
    private long _chunkLeft;
    private bool _done;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.Length == 0)
        {
            return 0;
        }

        if (_chunkLeft == 0)
        {
            var size = await inner.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? throw Truncated();
            if (!long.TryParse(size.Split(';', 2)[0].Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _chunkLeft))
            {
                throw new IOException("Invalid chunk size from the daemon: " + size);
            }

            if (_chunkLeft == 0)
            {
                // Trailers, up to the empty line.
                while (await inner.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 })
                {
                }

                _done = true;
                return 0;
            }
        }

        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _chunkLeft)], cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw Truncated();
        }

        _chunkLeft -= read;
        if (_chunkLeft == 0)
        {
            await inner.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }

        return read;
    }

    private static IOException Truncated() => new("The daemon closed the connection in the middle of a chunked response");
}
