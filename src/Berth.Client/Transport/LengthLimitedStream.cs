namespace Berth.Client.Transport;

/// <summary>A body of a known Content-Length: ends after that many bytes; a shorter connection is an error.</summary>
internal sealed class LengthLimitedStream(Stream inner, long length) : ReadOnlyBodyStream(inner)
{
    private long _remaining = length;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || buffer.Length == 0)
        {
            return 0;
        }

        var read = await Inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new IOException($"The daemon closed the connection {_remaining} bytes before the end of the response");
        }

        _remaining -= read;
        return read;
    }
}
